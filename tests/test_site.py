"""The static site to share, beside the workbooks: an index, a page per programme and one per
municipality, with figures equal to the marts, an inline SVG trend, the source files' SHA-256,
no JavaScript, nothing from the network, and hostile names escaped."""

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest
from browser_helpers import CHROMIUM, CHROMIUM_FLAGS, browser_missing
from marts_helpers import materialization, small_warehouse
from pipeline_helpers import query

pytestmark = pytest.mark.pipeline

SVG = "{http://www.w3.org/2000/svg}svg"
FALUN = ("vi-mots-resfritt", "2080")


@pytest.fixture(scope="module")
def site(sample_warehouse) -> Path:
    return sample_warehouse.parent / "reports" / "site"


def parse(path: Path) -> ET.Element:
    """A page as XML: the pages are written well-formed (polyglot HTML) so this is strict."""
    return ET.fromstring(path.read_text(encoding="utf-8"))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def field(page: ET.Element, name: str, within: ET.Element | None = None) -> str:
    hits = [e for e in (page if within is None else within).iter() if e.get("data-field") == name]
    assert hits, name
    return "".join(hits[0].itertext()).strip()


def pct(value) -> str:
    return "–" if value is None else f"{value:.1f} %"


def test_an_index_links_every_programme_and_each_programme_its_municipalities(
    sample_warehouse, site
):
    links = {a.get("href") for a in parse(site / "index.html").iter("a")}
    programmes = query(sample_warehouse, "select programme from ref.programmes order by 1")
    for (programme,) in programmes:
        assert f"{programme}/index.html" in links
        page = parse(site / programme / "index.html")
        hrefs = {a.get("href") for a in page.iter("a")}
        codes = query(
            sample_warehouse,
            "select distinct municipality_code from marts.municipality_progress "
            "where programme = ?",
            [programme],
        )
        for (code,) in codes:
            assert f"{code}.html" in hrefs, (programme, code)
            assert (site / programme / f"{code}.html").is_file()
        assert "print.html" in hrefs
        sections = [e for e in parse(site / programme / "print.html").iter("section")]
        assert len(sections) == len(codes), programme
    names = {p.name for p in site.parent.iterdir()}
    assert "site" in names and "vi-mots-resfritt.xlsx" in names
    assert not [p for p in site.rglob("*") if p.name.endswith(".tmp")]


def test_falun_page_shows_its_status_and_figures_of_its_latest_year(sample_warehouse, site):
    page = parse(site / FALUN[0] / f"{FALUN[1]}.html")
    year, status, measured, estimated, low, high, target = query(
        sample_warehouse,
        "select year, status, reduction_measured_pct, reduction_estimated_pct, "
        "reduction_estimated_low_pct, reduction_estimated_high_pct, year_target_pct "
        "from marts.municipality_progress where programme = ? and municipality_code = ? "
        "order by year desc limit 1",
        list(FALUN),
    )[0]
    latest = next(e for e in page.iter() if e.get("id") == "latest-2080")
    assert latest.get("data-year") == str(year) == "2024"
    assert field(page, "status", latest) == status
    assert field(page, "reduction_measured_pct", latest) == pct(measured)
    assert field(page, "reduction_estimated_pct", latest) == pct(estimated)
    assert field(page, "reduction_estimated_low_pct", latest) == pct(low)
    assert field(page, "reduction_estimated_high_pct", latest) == pct(high)
    assert field(page, "year_target_pct", latest) == pct(target)
    assert measured is not None and estimated is not None and low is not None
    # The 2015 row of the figures table: measured 22.0 % against a 20 % target, met.
    row_2015 = next(e for e in page.iter("tr") if e.get("data-year") == "2015")
    cells = ["".join(td.itertext()).strip() for td in row_2015.iter("td")]
    assert cells[:4] == ["2015", "met", "20.0 %", "22.0 %"]


def test_falun_page_draws_its_trend_as_inline_svg(site):
    page = parse(site / FALUN[0] / f"{FALUN[1]}.html")
    figures = [f for f in page.iter("figure")]
    assert len(figures) == 1
    svgs = [e for e in figures[0] if e.tag == SVG]
    assert len(svgs) == 1, "the trend is an <svg> element inside the page, not a file"
    assert len(list(svgs[0].iter())) > 50  # a drawing, not an empty frame


def test_falun_page_lists_its_source_files_with_their_sha256(sample_warehouse, site):
    page = parse(site / FALUN[0] / f"{FALUN[1]}.html")
    table = next(t for t in page.iter("table") if t.get("class") == "files")
    shown = set()
    for row in table.iter("tr"):
        cells = {e.get("data-field"): "".join(e.itertext()).strip() for e in row.iter()}
        if "sha256" in cells:
            shown.add((cells["path"].split(" › ")[0], cells["sha256"]))
    expected = set(
        query(
            sample_warehouse,
            "select f.path, f.sha256 from ops.files f where f.path in ("
            "select source_path from staging.trips where municipality_code = '2080' union "
            "select source_path from staging.meeting_activity where municipality_code = '2080')",
        )
    )
    assert shown == expected
    assert ("resor_falun_2011-2024.csv",) in {(p,) for p, _ in shown}
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha) for _, sha in shown)


def test_falun_page_gives_flags_in_words_and_the_factors_with_their_sources(site):
    from assets.exports.site import FLAG_WORDS

    page = parse(site / FALUN[0] / f"{FALUN[1]}.html")
    text = " ".join(page.itertext())
    flags = {e.get("data-flag") for e in page.iter("li") if e.get("data-flag")}
    assert flags == {"aggregate_only", "factor_method_break"}
    for flag in flags:
        assert FLAG_WORDS[flag] in text
    factors = next(t for t in page.iter("table") if t.get("class") == "factors")
    rows = [["".join(td.itertext()).strip() for td in tr.iter("td")] for tr in factors.iter("tr")]
    co2_2011 = [r for r in rows if r[:3] == ["co2_g_per_km", "SE", "2011–2011"]]
    assert len(co2_2011) == 1 and co2_2011[0][3] == "195.0"
    assert "Swedish passenger-car fleet" in co2_2011[0][6]


def test_every_page_is_well_formed_without_script_or_network(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 1 + 4 * 2 + 22  # the index, 4 programmes and their print.html, 22 places
    for path in pages:
        text = path.read_text(encoding="utf-8")
        root = ET.fromstring(text)  # well-formed, else this raises with the line and column
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), f"{path}: an id twice"
        tags = {local(e.tag).lower() for e in root.iter()}
        assert "script" not in tags and "<script" not in text.lower(), path
        assert not tags & {"link", "iframe", "object", "embed", "img"}, path
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not local(name).lower().startswith("on"), (path, name)
                if local(name) in ("href", "src"):
                    assert ":" not in value, (path, value)  # relative or #fragment only
        for style in root.iter("style"):
            assert "url(" not in style.text and "@import" not in style.text, path
        assert "@media print" in text, path


def test_hostile_municipality_programme_and_file_names_are_escaped(sample_warehouse, tmp_path):
    from assets.exports.site import write_site

    copy = tmp_path / "hostile.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    hostile = "<b>Falun</b> & \"'"
    with duckdb.connect(str(copy)) as con:
        con.execute("update ref.municipalities set name = ? where code = '2080'", [hostile])
        con.execute(
            "update marts.municipality_progress set municipality = ? where municipality_code = ?",
            [hostile, "2080"],
        )
        con.execute(
            "update ref.programmes set name = ? where programme = ?",
            ["<script>alert(1)</script>", FALUN[0]],
        )
        for table in ("ops.files", "staging.trips"):
            column = "path" if table == "ops.files" else "source_path"
            con.execute(
                f"update {table} set {column} = ? where {column} = ?",
                ["<b>resor</b>.csv", "resor_falun_2011-2024.csv"],
            )
        index = write_site(con, tmp_path / "site")
    page = index.parent / FALUN[0] / f"{FALUN[1]}.html"
    text = page.read_text(encoding="utf-8")
    assert "&lt;b&gt;Falun&lt;/b&gt; &amp; &#34;&#39;" in text
    assert "&lt;b&gt;resor&lt;/b&gt;.csv" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>" not in text and "<script" not in text
    root = ET.fromstring(text)
    assert "b" not in {local(e.tag) for e in root.iter()}
    titles = [t for t in root.iter("title")]
    assert titles[0].text.startswith(hostile)
    for path in (index.parent).rglob("*.html"):
        ET.fromstring(path.read_text(encoding="utf-8"))


@pytest.mark.unit
def test_slug_keeps_a_name_inside_the_site_folder():
    from assets.exports.site import slug

    assert slug("vi-mots-resfritt") == "vi-mots-resfritt"
    assert slug("../../etc/passwd") == "etc_passwd"
    assert slug("..") == "_"
    assert slug("a/b\\c d") == "a_b_c_d"


@pytest.mark.unit
def test_bands_and_svg_ids():
    from assets.exports.site import band, unique_ids

    assert band(None, None) == "–"
    assert band(18.4, 40.5) == "18.4 %–40.5 %"
    assert band(39, 1234, "number") == "39–1 234"
    svg = '<svg><path id="a1"/><use xlink:href="#a1"/><g clip-path="url(#a1)" fill="#a1b2c3"/>'
    assert unique_ids(svg, "m2080") == (
        '<svg><path id="m2080-a1"/><use xlink:href="#m2080-a1"/>'
        '<g clip-path="url(#m2080-a1)" fill="#a1b2c3"/>'
    )


def test_a_page_no_longer_built_is_removed_and_a_page_resfritt_did_not_write_is_kept(
    sample_warehouse, tmp_path
):
    from assets.exports.site import render_site, site_pages
    from assets.publish import publish_reports, seal_reports

    folder = tmp_path / "reports"
    (folder / "site" / "gone").mkdir(parents=True)
    (folder / "site" / "gone" / "9999.html").write_text("<p>old</p>", encoding="utf-8")
    (folder / "site" / "mine.html").write_text("<p>an analyst's page</p>", encoding="utf-8")
    old = {"fingerprint": "x", "files": {}, "written": ["site/gone/9999.html"]}
    (folder / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    staged = tmp_path / "stage"
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        programmes = [p for p in site_pages(con) if p.programme == "voss"]
    index = render_site(programmes, staged / "site")
    seal_reports(staged, "y", {"site": index})
    publish_reports(folder, staged)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")) == [
        "site/index.html",
        "site/mine.html",
        "site/voss/4621.html",
        "site/voss/index.html",
        "site/voss/print.html",
    ]
    assert not (folder / "site" / "gone").exists()


@pytest.fixture(scope="module")
def small(tmp_path_factory, dagster_home) -> dict:
    return small_warehouse(tmp_path_factory.mktemp("small"))


def test_the_site_is_linked_from_the_materialization_and_rebuilt_only_when_marts_change(small):
    metadata = materialization(small["second"], "marts", "reports")
    index = small["reports"] / "site" / "index.html"
    assert metadata["site"].path == str(index)
    assert index.is_file()
    third = materialization(small["third"], "marts", "reports")
    assert third["unchanged"].value is True
    assert third["site"].path == str(index)
    # The third run wrote nothing: the site is older than the second run's manifest.
    written = [p.stat().st_mtime_ns for p in (small["reports"] / "site").rglob("*.html")]
    assert max(written) <= small["mtimes_after_second"]["manifest.json"]


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.integration
def test_a_browser_opens_the_site_without_errors_and_prints_a_page_each(site, tmp_path):
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    errors, requests = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((site / "index.html").as_uri())
            page.get_by_role("link", name="Vi möts resfritt (Dalarna)").click()
            page.get_by_role("link", name="Falun", exact=True).click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/vi-mots-resfritt/2080.html")
            assert page.locator("figure svg").count() == 1
            assert page.get_by_text("met", exact=True).first.is_visible()
            page.screenshot(path=str(tmp_path / "falun.png"), full_page=True)
            pdf = page.pdf(format="A4", print_background=True)
            page.goto((site / "vi-mots-resfritt" / "print.html").as_uri())
            programme_pdf = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    assert not errors
    assert requests and all(url.startswith("file://") for url in requests), requests
    assert (tmp_path / "falun.png").stat().st_size > 10_000
    assert pdf_pages(pdf) == 1, "Falun prints on one page"
    assert pdf_pages(programme_pdf) == 15, "the programme prints a page per municipality"

"""A static site to share beside the workbooks: an index, a page per programme and one per
municipality, with its status and trend against the stepped target, its figures and their band,
its data-quality flags in words, the factors it rests on and the source files with their SHA-256.

Plain HTML and inline SVG from Jinja2 templates (autoescaped), one inline stylesheet with a print
layout (one page per municipality): no JavaScript, nothing fetched from the network. Reading
(`site_pages`) is apart from rendering (`render_site`) so a test can render hostile names.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .reports import atomic_write, plot_trend, pyplot

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"

# What each data-quality flag means, in words a reader of the report can act on.
FLAG_WORDS = {
    "platform_change": "Meeting platform changed: counts from different software are not like "
    "for like",
    "months_without_export": "Months without any export: meetings in them are missing",
    "aggregate_only": "Totals only: no participants behind the counts, the one-trip-per-person-"
    "day cap cannot be applied",
    "factor_method_break": "An emission factor's method changed since the baseline year",
    "historical_codes": "Exports under former municipality codes, rolled up to today's code",
    "estimate_only": "Virtual meetings but no travel claims: progress is estimated, not measured",
}

STATUS_WORDS = {
    "baseline": "the baseline year, against which later years are measured",
    "no target": "the programme has no target on trips to meetings",
    "no data": "neither travel claims nor meeting exports",
    "met": "target met, measured from travel claims",
    "on track": "on track towards the next step, measured from travel claims",
    "behind": "behind the target, measured from travel claims",
    "met (estimated)": "target met by the low end of the estimate (no travel claims)",
    "behind (estimated)": "behind: even the high end of the estimate misses the target",
    "uncertain": "uncertain: the estimate's band straddles the target, or rests on a default rate",
}

PROGRESS_SQL = """
select
    municipality_code,
    municipality,
    year,
    baseline_year,
    status,
    status_basis,
    status_judged_pct,
    target_pct,
    year_target_pct,
    next_milestone_year,
    next_milestone_pct,
    reduction_measured_pct,
    reduction_estimated_pct,
    reduction_estimated_low_pct,
    reduction_estimated_high_pct,
    baseline_trips,
    trips,
    virtual_meetings,
    avoided_trips,
    avoided_trips_low,
    avoided_trips_high,
    co2_avoided_kg,
    co2_avoided_low_kg,
    co2_avoided_high_kg,
    substitution_source,
    substitution_rate,
    substitution_rate_low,
    substitution_rate_high,
    factor_version
from marts.municipality_progress
where programme = ?
order by municipality_code, year
"""

FLAGS_SQL = """
select municipality_code, flag, year, detail
from marts.data_quality_flags
where programme = ?
order by municipality_code, flag, year
"""

FACTORS_SQL = """
select distinct f.factor, f.country, f.year_from, f.year_to, f.value, f.unit, f.source,
       f.version, f.method
from ref.factors f
join ref.programmes p
  on f.country in (p.country, '*')
where p.programme = ?
  and (f.year_from <= ? and coalesce(f.year_to, 9999) >= ?
       or f.year_from <= ? and coalesce(f.year_to, 9999) >= ?)
order by f.factor, f.country, f.year_from
"""

# The files behind a municipality's figures: meeting exports and travel claims under any of its
# codes (former codes roll up to today's), with the fingerprint ops.files recorded; for every
# programme at once, since it reads every staged row.
FILES_SQL = """
with sources as (
    select source_path, municipality_code from staging.meeting_activity
    union
    select source_path, municipality_code from staging.trips
),
by_today as (
    select distinct s.source_path, coalesce(m.successor_code, m.code) as today_code
    from sources s
    join ref.municipalities m
      on m.code = s.municipality_code
)
select pm.programme, b.today_code, f.path, f.part, f.export_kind, f.rows_loaded, f.sha256
from by_today b
join ops.files f
  on f.path = b.source_path
join ref.programme_members pm
  on pm.municipality_code = b.today_code
order by pm.programme, b.today_code, f.path, f.part
"""


@dataclass
class Municipality:
    """One municipality's page: its rows of marts.municipality_progress (dicts, by year), flags,
    factors, source files and chart."""

    code: str
    name: str
    rows: list[dict]
    flags: list[dict] = field(default_factory=list)
    factors: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    svg: str = ""

    @property
    def latest(self) -> dict:
        """The latest year with a measured or estimated figure, else the latest year."""
        with_figures = [
            r
            for r in self.rows
            if r["reduction_measured_pct"] is not None or r["reduction_estimated_pct"] is not None
        ]
        return (with_figures or self.rows)[-1]

    @property
    def slug(self) -> str:
        return slug(self.code)


@dataclass
class Programme:
    programme: str
    name: str
    municipalities: list[Municipality]

    @property
    def slug(self) -> str:
        return slug(self.programme)

    def status_counts(self) -> list[tuple[str, int]]:
        """How many municipalities have each status in their latest year, commonest first."""
        counts: dict[str, int] = {}
        for place in self.municipalities:
            status = place.latest["status"] or "no status"
            counts[status] = counts.get(status, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def slug(text: str) -> str:
    """A file or folder name from an identifier: letters, digits, - and _ only, never '.' or ''."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", str(text)).strip("_")
    return cleaned or "_"


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    result = con.execute(sql, params)
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _group(records: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record[key], []).append(record)
    return grouped


def unique_ids(svg: str, prefix: str) -> str:
    """Prefix an SVG's ids and the references to them, so that several charts inlined in one
    page (print.html) keep their ids apart."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))

    def swap(match: re.Match) -> str:
        lead, name = match.groups()
        return f"{lead}{prefix}-{name}" if name in ids else match.group(0)

    svg = re.sub(r'(\bid="|#)([^"\)\s#]+)(?=["\)])', swap, svg)
    return svg


def trend_svg(rows: list[dict], prefix: str = "trend") -> str:
    """The trend of reports.plot_progress for one municipality, as an inline <svg> element: the
    measured line, the estimated band and the target steps."""
    series = tuple(
        (
            r["year"],
            r["year_target_pct"],
            r["reduction_measured_pct"],
            r["reduction_estimated_pct"],
            r["reduction_estimated_low_pct"],
            r["reduction_estimated_high_pct"],
        )
        for r in rows
    )
    return unique_ids(_drawn_trend(series), slug(prefix))


@functools.lru_cache(maxsize=256)
def _drawn_trend(series: tuple[tuple, ...]) -> str:
    """The <svg> of one trend, drawn once per distinct series (every municipality without a
    percentage has the same chart; matplotlib takes tens of milliseconds a chart)."""
    title = "% fewer trips to meetings than the baseline year"
    known = any(r[2] is not None or r[3] is not None for r in series)
    plt = pyplot()
    with plt.rc_context({"svg.hashsalt": "resfritt", "svg.fonttype": "path"}):
        fig, ax = plt.subplots(figsize=(6.4, 3.0), dpi=72)
        if known:
            plot_trend(ax, title, [(title, *r) for r in series])
            ax.set_xlabel("year", fontsize=7)
            ax.legend(loc="upper left", fontsize=7, frameon=False)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "no percentage: no baseline-year travel records or no target",
                    ha="center", va="center", fontsize=9)  # fmt: skip
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def site_pages(con: duckdb.DuckDBPyConnection) -> list[Programme]:
    """Everything the site shows, read from the marts, ref and ops schemas."""
    programmes = []
    every_file = _group(_records(con, FILES_SQL, []), "programme")
    for programme, name in con.execute(
        "select programme, name from ref.programmes order by programme"
    ).fetchall():
        progress = _group(_records(con, PROGRESS_SQL, [programme]), "municipality_code")
        flags = _group(_records(con, FLAGS_SQL, [programme]), "municipality_code")
        files = _group(every_file.get(programme, []), "today_code")
        municipalities = []
        factors: dict[tuple, list[dict]] = {}
        for code, rows in progress.items():
            place = Municipality(code=code, name=rows[-1]["municipality"] or code, rows=rows)
            first, last = rows[0]["baseline_year"] or rows[0]["year"], place.latest["year"]
            if (first, last) not in factors:  # most municipalities share their years
                factors[first, last] = _records(
                    con, FACTORS_SQL, [programme, first, first, last, last]
                )
            place.factors = factors[first, last]
            place.flags = flags.get(code, [])
            place.files = files.get(code, [])
            place.svg = trend_svg(rows, prefix=f"m{code}")
            municipalities.append(place)
        municipalities.sort(key=lambda m: (m.name, m.code))
        programmes.append(Programme(programme, name or programme, municipalities))
    return programmes


def pct(value) -> str:
    return "–" if value is None else f"{value:.1f} %"


def number(value, decimals: int = 0) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}".replace(",", " ")


def band(low, high, unit: str = "pct") -> str:
    """A band as "low–high" in percent or as a number, or a dash when neither end is known."""
    if low is None and high is None:
        return "–"
    fmt = pct if unit == "pct" else number
    return f"{fmt(low)}–{fmt(high)}"


def has_figures(row: dict) -> bool:
    """A year worth a line in the figures table: the baseline, or any export, claim or figure."""
    figures = ("virtual_meetings", "trips", "reduction_measured_pct", "reduction_estimated_pct")
    return row["year"] == row["baseline_year"] or any(row[name] is not None for name in figures)


def flag_groups(flags: list[dict]) -> list[dict]:
    """A municipality's flags by kind, each with its words and the years and details."""
    grouped = _group(flags, "flag")
    return [
        {"flag": flag, "words": FLAG_WORDS.get(flag, flag), "years": rows}
        for flag, rows in grouped.items()
    ]


def environment() -> jinja2.Environment:
    """The templates' environment (Jinja2 imported when a site is rendered)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=pct, number=number, band=band, css_class=slug)
    env.tests.update(with_figures=has_figures)
    env.globals.update(status_words=STATUS_WORDS, flag_groups=flag_groups)
    return env


def render_site(programmes: list[Programme], folder: Path) -> Path:
    """Write the site's pages into `folder` (each atomically); returns the path of the top
    index.html. Pages no longer built are removed when the reports are published (publish.py)."""
    env = environment()
    pages: dict[Path, str] = {
        folder / "index.html": env.get_template("index.html").render(
            programmes=programmes, root=""
        ),
    }
    for programme in programmes:
        base = folder / programme.slug
        context = {"programme": programme, "root": "../"}
        pages[base / "index.html"] = env.get_template("programme.html").render(**context)
        pages[base / "print.html"] = env.get_template("print.html").render(**context)
        for place in programme.municipalities:
            pages[base / f"{place.slug}.html"] = env.get_template("municipality.html").render(
                place=place, **context
            )
    for path, text in pages.items():
        data = text.encode("utf-8")
        atomic_write(path, lambda handle, data=data: handle.write(data))
    return folder / "index.html"


def write_site(con: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """Read the warehouse and write the site into `folder`; returns its index.html."""
    return render_site(site_pages(con), folder)

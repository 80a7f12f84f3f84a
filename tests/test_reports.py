"""The reports people open: per-programme workbooks and charts, and the REMM indicator CSV."""

import csv
import zipfile

import openpyxl
import pytest
from marts_helpers import materialization, small_warehouse
from pipeline_helpers import query

pytestmark = pytest.mark.pipeline

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def small(tmp_path_factory, dagster_home) -> dict:
    return small_warehouse(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def reports(sample_warehouse):
    return sample_warehouse.parent / "reports"


def sheet_rows(sheet) -> tuple[list[str], list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [tuple(r) for r in rows[1:]]


def test_a_workbook_chart_and_the_remm_csv_beside_the_warehouse(reports):
    names = {p.name for p in reports.iterdir()}
    for programme in ("vi-mots-resfritt", "knutepunkt-sorlandet", "voss", "odsherred"):
        assert f"{programme}.xlsx" in names
        assert (reports / f"{programme}_progress.png").read_bytes()[:8] == PNG_SIGNATURE
    assert "remm_indicators.csv" in names
    assert not [n for n in names if n.endswith(".tmp")], "a half-written file was left behind"


def test_workbook_figures_equal_the_marts(sample_warehouse, reports):
    workbook = openpyxl.load_workbook(reports / "vi-mots-resfritt.xlsx")
    assert workbook.sheetnames == [
        "About",
        "Progress",
        "Programme",
        "Substitution rates",
        "Virtual meetings",
        "Data quality",
        "Historical codes",
        "Factors",
        "Distances",
    ]
    for title, table, order in (
        ("Progress", "marts.municipality_progress", "municipality_code, year"),
        ("Programme", "marts.programme_progress", "year"),
        ("Substitution rates", "marts.substitution_rates", "municipality_code"),
        ("Virtual meetings", "marts.virtual_meetings", "municipality_code, year, platform"),
    ):
        sheet = workbook[title]
        assert sheet.freeze_panes == "A2"
        header, rows = sheet_rows(sheet)
        expected = query(
            sample_warehouse,
            f"select * from {table} where programme = 'vi-mots-resfritt' order by {order}",
        )
        assert len(rows) == len(expected), title
        for got, want in zip(rows, expected, strict=True):
            assert got == pytest.approx(want), title
    progress_header, progress = sheet_rows(workbook["Progress"])
    falun_row = next(r for r in progress if r[1] == "2080" and r[3] == 2015)
    falun_2015 = dict(zip(progress_header, falun_row, strict=True))
    assert (falun_2015["reduction_measured_pct"], falun_2015["status"]) == (22.0, "met")
    cell = workbook["Progress"].cell(
        row=2, column=progress_header.index("reduction_measured_pct") + 1
    )
    assert cell.number_format == "0.0"


def test_factors_sheet_lists_the_factors_used_with_unit_source_and_version(
    sample_warehouse, reports
):
    header, rows = sheet_rows(openpyxl.load_workbook(reports / "vi-mots-resfritt.xlsx")["Factors"])
    assert header[:8] == [
        "factor",
        "country",
        "year_from",
        "year_to",
        "value",
        "unit",
        "source",
        "version",
    ]
    swedish_2011 = [r for r in rows if r[:4] == ("co2_g_per_km", "SE", 2011, 2011)]
    assert [r[4] for r in swedish_2011] == [195.0]
    assert {r[1] for r in rows} == {"SE", "*"}


def test_programme_sheet_has_a_native_excel_chart_of_progress_against_target(reports):
    with zipfile.ZipFile(reports / "vi-mots-resfritt.xlsx") as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode("utf-8")
    assert "<lineChart>" in chart
    # Series read from the sheet: target_pct (column D) over the 14 years 2011-2024 (column B).
    assert "<f>'Programme'!$D$2:$D$15</f>" in chart
    assert "<f>'Programme'!$B$2:$B$15</f>" in chart


def test_input_that_looks_like_a_formula_stays_text(small):
    path = small["reports"] / "knutepunkt-sorlandet.xlsx"
    workbook = openpyxl.load_workbook(path)
    cell = workbook["About"]["B2"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"
    assert cell.quotePrefix
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert not any(c.data_type == "f" for c in row), sheet.title
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_reports_are_attached_to_the_materialization(small):
    metadata = materialization(small["second"], "marts", "reports")
    assert metadata["folder"].path == str(small["reports"])
    assert metadata["vi-mots-resfritt_chart"].path.endswith("vi-mots-resfritt_progress.png")
    assert "](data:image/png;base64," in metadata["charts"].md_str


def test_remm_csv_has_meetings_trips_and_co2_per_employee(sample_warehouse, reports):
    with (reports / "remm_indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {(r["municipality_code"], r["year"]): r for r in csv.DictReader(handle)}
    falun = rows[("2080", "2015")]
    expected = query(
        sample_warehouse,
        "select virtual_meetings, trips, trip_co2_kg, co2_avoided_kg from "
        "marts.municipality_progress where municipality_code = '2080' and year = 2015",
    )[0]
    assert falun["employees"] == "4450.0"
    assert int(falun["digital_meetings"]) == expected[0]
    assert int(falun["trips"]) == 780
    assert falun["trips_per_employee"] == "0.175"  # 780 / 4,450
    assert float(falun["trip_co2_kg"]) == expected[2]
    assert float(falun["co2_avoided_kg"]) == expected[3]
    assert float(falun["co2_avoided_kg_per_employee"]) == pytest.approx(
        expected[3] / 4450, abs=1e-3
    )

"""resfritt's own Excel template (docs/vendor-formats.md A4): generated from its contract,
deterministic, and read back like any export once a municipality has filled it in."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from ingest_helpers import one_file, quarantine, rows
from openpyxl import load_workbook
from pipeline_helpers import ROOT

from schemas import contract_for

pytestmark = pytest.mark.unit


def _script():
    spec = importlib.util.spec_from_file_location(
        "make_template", ROOT / "scripts" / "make_template.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "resfritt_mall.xlsx"
    return _script().write_template(path)


def test_header_matches_the_contract_and_instructions_are_included(template):
    book = load_workbook(template)
    assert book.sheetnames == ["Data", "Instruktioner"]
    header = [c.value for c in book["Data"][1]]
    assert header == [c.aliases[0] for c in contract_for("resfritt_template").columns]
    assert header == [
        "Kommunkod",
        "Period från",
        "Period till",
        "Plattform",
        "Antal möten",
        "Antal deltagare",
        "Total tid (min)",
        "Ersatta resor",
        "Km tur och retur per resa",
    ]
    assert "Plattform" in " ".join(str(r[0].value) for r in book["Instruktioner"].iter_rows())


def test_plattform_is_validated_against_the_contracts_allowed_values(template):
    sheet = load_workbook(template)["Data"]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 1
    assert str(lists[0].sqref).startswith("D2:")
    allowed = lists[0].formula1.strip('"').split(",")
    assert allowed == list(contract_for("resfritt_template").column("platform").allowed)


def test_the_template_is_byte_identical_on_every_run_and_matches_the_committed_file(
    template, tmp_path
):
    again = _script().write_template(tmp_path / "again.xlsx")
    assert again.read_bytes() == template.read_bytes()
    committed = ROOT / "data" / "templates" / "resfritt_mall.xlsx"
    assert committed.read_bytes() == template.read_bytes(), "run scripts/make_template.py"


def test_a_filled_in_template_is_read_like_any_export(template, tmp_path):
    from ingest_helpers import ingest

    book = load_workbook(template)
    sheet = book["Data"]
    filled = [
        ("2080", dt.date(2014, 1, 1), dt.date(2014, 12, 31), "video_room", 1174, 3900, 84130),
        (926, dt.date(2015, 1, 1), dt.date(2015, 12, 31), "lync", 310, None, 9300),
        ("Falu kommun", dt.date(2016, 1, 1), dt.date(2016, 6, 30), "Teams", 12, 40, 600),
        ("2081", dt.date(2016, 1, 1), dt.date(2016, 12, 31), "fax", 3, 6, 90),
    ]
    for row, values in enumerate(filled, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    raw = tmp_path / "raw"
    raw.mkdir()
    book.save(raw / "resfritt_mall_dalarna.xlsx")
    con, _ = ingest(raw)
    record = one_file(con)
    assert (record["part"], record["export_kind"], record["rows_in"]) == (
        "Data",
        "resfritt_template",
        4,
    )
    assert (record["rows_loaded"], record["rows_quarantined"]) == (3, 1)
    assert rows(
        con,
        "select municipality_code, period_start, period_end, platform, meetings, participants, "
        "duration_s from raw.resfritt_template order by period_start",
    ) == [
        ("2080", dt.date(2014, 1, 1), dt.date(2014, 12, 31), "video_room", 1174, 3900, 5047800.0),
        ("0926", dt.date(2015, 1, 1), dt.date(2015, 12, 31), "lync", 310, None, 558000.0),
        ("2080", dt.date(2016, 1, 1), dt.date(2016, 6, 30), "Teams", 12, 40, 36000.0),
    ]
    [(line, column, value, reason)] = quarantine(con)
    assert (line, column, value) == (5, "platform", "fax")
    assert reason.startswith("is not one of video_room, web_meeting")

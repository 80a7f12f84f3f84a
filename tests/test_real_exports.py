"""Real exports from public repositories whose licences allow redistribution (pseudonymised, in
tests/fixtures/real; sources and hand counts in its SOURCES.md): each is recognised as its kind,
its rows are counted exactly, and once it sits in a municipality's folder every row loads, dated
in the year the export was made, with what the report states checked against the rows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from fixture_files import write_text
from ingest_helpers import accounted, build_staging, ingest

from schemas import load_contracts

pytestmark = pytest.mark.unit

REAL = Path(__file__).resolve().parent / "fixtures" / "real"

TEAMS_14 = "teams_2022_attendance_3sections_utf16be_ddmmyy_stated7.csv"
TEAMS_15 = "teams_2022_attendance_3sections_utf16be_upn_differs_stated9.csv"
ZOOM_SEPARATOR = "zoom_participants_excel_comma_separator_row.csv"
ZOOM_UNIQUE = "zoom_participants_unique_users_trailing_comma_bom_crlf.csv"

# name: (kind, data rows, distinct participants, first day of the rows or None, year)
HAND_COUNTS = {
    TEAMS_14: ("teams_attendance", 7, 7, dt.date(2022, 11, 14), 2022),
    TEAMS_15: ("teams_attendance", 8, 8, dt.date(2022, 11, 15), 2022),
    ZOOM_SEPARATOR: ("zoom_participants", 31, 27, dt.date(2021, 11, 19), 2021),
    ZOOM_UNIQUE: ("zoom_participants", 10, 10, None, None),
}


def _drop(tmp_path: Path, folder: str) -> Path:
    raw = tmp_path / "raw"
    (raw / folder).mkdir(parents=True)
    for name in HAND_COUNTS:
        shutil.copy(REAL / name, raw / folder / name)
    return raw


@pytest.fixture(scope="module")
def unattributed(tmp_path_factory):
    """The files as downloaded, outside any municipality's folder."""
    con, _ = ingest(_drop(tmp_path_factory.mktemp("real"), "."))
    records = {r["path"].split("/")[-1]: r for r in accounted(con)}
    reasons = con.execute("select path, reason from ops.quarantine").fetchall()
    return records, reasons


@pytest.fixture(scope="module")
def in_falun(tmp_path_factory):
    """The same files in raw/falun/, staged."""
    con, _ = ingest(_drop(tmp_path_factory.mktemp("real"), "falun"))
    records = {r["path"].split("/")[-1]: r for r in accounted(con)}
    raw = {}
    for name, (kind, *_rest) in HAND_COUNTS.items():
        raw[name] = con.execute(
            f"select count(*), count(distinct participant), "
            f"min(year(join_time)), max(year(join_time)), count(join_time), "
            f"min(municipality_code), max(municipality_code) "
            f"from raw.{kind} where source_path = ?",
            [f"falun/{name}"],
        ).fetchone()
    build_staging(con, load_contracts())
    staged = {
        path.split("/")[-1]: (kind, start, participants, duration)
        for path, kind, start, participants, duration in con.execute(
            "select source_path, export_kind, period_start, participants, duration_s "
            "from staging.meeting_activity"
        ).fetchall()
    }
    return records, raw, staged


def test_the_hand_counts_cover_every_fixture():
    assert set(HAND_COUNTS) == {p.name for p in REAL.glob("*.csv")}
    assert (REAL / "SOURCES.md").is_file()


def test_the_fixtures_keep_the_bytes_of_their_exports():
    """Encoding, BOM and line endings as the exports had them (SOURCES.md)."""
    heads = {name: (REAL / name).read_bytes() for name in HAND_COUNTS}
    for name in (TEAMS_14, TEAMS_15):
        assert heads[name][:4] == b"\xfe\xff\x001"  # UTF-16BE BOM, then "1. Summary"
        assert b"\x00\r" not in heads[name]  # LF only
    assert heads[ZOOM_UNIQUE].startswith(b"\xef\xbb\xbfMeeting ID,Topic,")
    assert heads[ZOOM_UNIQUE].count(b"\r\n") == heads[ZOOM_UNIQUE].count(b"\n") == 14
    assert heads[ZOOM_SEPARATOR].startswith(b"Meeting ID,Topic,")  # no BOM
    assert b"\r" not in heads[ZOOM_SEPARATOR]
    assert b"\n,,,,,,\n" in heads[ZOOM_SEPARATOR]
    assert not heads[ZOOM_SEPARATOR].endswith(b"\n")  # no final newline


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_each_real_export_is_recognised_and_counted(unattributed, name):
    records, reasons = unattributed
    kind, count, *_ = HAND_COUNTS[name]
    record = records[name]
    assert record["export_kind"] == kind
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (
        count,
        0,
        count,
    )
    mine = [reason for path, reason in reasons if path.split("/")[-1] == name]
    assert len(mine) == count
    assert all(r.startswith("no municipality found for this row") for r in mine), mine


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_in_a_municipality_folder_every_row_loads_in_the_right_year(in_falun, name):
    records, raw, _ = in_falun
    kind, count, participants, _, year = HAND_COUNTS[name]
    record = records[name]
    assert (record["export_kind"], record["rows_in"], record["rows_loaded"]) == (kind, count, count)
    assert record["rows_quarantined"] == 0
    rows, distinct, first_year, last_year, dated, low, high = raw[name]
    assert (rows, distinct, low, high) == (count, participants, "2080", "2080")
    if year is None:  # the unique-users view has no join times
        assert (dated, first_year, last_year) == (0, None, None)
    else:
        assert (dated, first_year, last_year) == (count, year, year)


def test_what_the_reports_state_is_checked_against_the_rows(in_falun):
    records, _, _ = in_falun
    # 7 stated, 7 named: nothing to warn about
    assert records[TEAMS_14]["status"] == "loaded"
    assert "Warning" not in records[TEAMS_14]["message"]
    # 9 stated in the summary, 8 in the participants table
    assert records[TEAMS_15]["status"] == "loaded_with_warnings"
    assert "line 3 states 9 participants, but the rows name 8" in records[TEAMS_15]["message"]
    # the meeting block states 120 minutes; the first participant stayed 128
    separator = records[ZOOM_SEPARATOR]["message"]
    assert "states a meeting length of 120 (120 min), but the rows give 128 min" in separator
    assert "participants" not in separator.split("Warning")[1]  # 27 stated, 27 named
    # the meeting block states 170 participants; the file lists 10
    assert (
        "line 2 states 170 participants, but the rows name 10" in (records[ZOOM_UNIQUE]["message"])
    )


def test_staged_meetings_carry_the_stated_length_and_the_rows_participants(in_falun):
    _, _, staged = in_falun
    assert staged == {
        # 21m 7s and 11m 31s stated in the summaries
        TEAMS_14: ("teams_attendance", dt.date(2022, 11, 14), 7, 1267.0),
        TEAMS_15: ("teams_attendance", dt.date(2022, 11, 15), 8, 691.0),
        # 120 and 75 minutes stated in the meeting blocks
        ZOOM_SEPARATOR: ("zoom_participants", dt.date(2021, 11, 19), 27, 7200.0),
        # no join times in the unique-users view: the meeting block's 09/24/2020 dates it
        ZOOM_UNIQUE: ("zoom_participants", dt.date(2020, 9, 24), 10, 4500.0),
    }


def test_the_russian_zoom_header_seen_in_a_real_export_is_read(tmp_path):
    """Jamxon/ExcelReader zoom.csv (no licence, so not copied; its shape is in docs/formats.md):
    its header row and value styles, with invented rows."""
    header = (
        "Имя (первоначальное имя),Электронная почта,Время подключения,Время отключения,"
        "Длительность (мин),Гость,В зале ожидания"
    )
    rows = [
        'Deltagare 1,user1@falun.se,"20.12.2025 07:03:42 AM","20.12.2025 07:29:03 AM",26,Нет,Нет',
        'Deltagare 2,,"20.12.2025 07:04:55 AM","20.12.2025 07:05:28 AM",1,Да,Да',
        'Deltagare 2,,"20.12.2025 07:05:28 AM","20.12.2025 08:07:28 AM",62,Да,Нет',
    ]
    write_text(tmp_path / "falun" / "zoom.csv", "\n".join([header, *rows]) + "\n", "utf-8-sig")
    con, _ = ingest(tmp_path)
    (record,) = accounted(con)
    assert (record["export_kind"], record["rows_in"], record["rows_loaded"]) == (
        "zoom_participants",
        3,
        3,
    )
    assert con.execute(
        "select join_time, guest, duration_s from raw.zoom_participants order by source_line"
    ).fetchall() == [
        (dt.datetime(2025, 12, 20, 7, 3, 42), False, 1560.0),
        (dt.datetime(2025, 12, 20, 7, 4, 55), True, 60.0),
        (dt.datetime(2025, 12, 20, 7, 5, 28), True, 3720.0),
    ]

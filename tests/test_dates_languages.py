"""Issue 13: dates that cannot be wrong silently, and Teams/Zoom exports in other UI languages.
Files are written in the test (hand-counted) and ingested into a temporary DuckDB."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_helpers import ingest, one_file, quarantine, rows, write_text

pytestmark = pytest.mark.unit

T = dt.datetime


def legacy_rows(con) -> list[tuple]:
    return rows(
        con,
        "select source_line, action, event_time from raw.teams_attendance_legacy "
        "order by source_line",
    )


def test_two_digit_years_in_a_teams_attendance_list_are_read_in_this_century(tmp_path):
    text = (
        "Full Name\tUser Action\tTimestamp\n"
        "Deltagare 1\tJoined\t11/22/22, 11:30:16 AM\n"
        "Deltagare 2\tJoined\t2/7/26, 8:03:45 PM\n"
        "Deltagare 1\tLeft\t11/22/22, 12:01:00 PM\n"
    )
    write_text(tmp_path / "falun" / "attendance.csv", text, "utf-16-le+bom")
    con, _ = ingest(tmp_path)
    record = one_file(con)
    assert (record["rows_in"], record["rows_loaded"]) == (3, 3)
    assert [r[2] for r in legacy_rows(con)] == [
        T(2022, 11, 22, 11, 30, 16),
        T(2026, 2, 7, 20, 3, 45),
        T(2022, 11, 22, 12, 1),
    ]


def test_a_date_outside_the_plausible_years_is_its_own_reason_not_attribution(tmp_path):
    text = (
        "Full Name\tUser Action\tTimestamp\n"
        "Deltagare 1\tJoined\t11/22/1922, 11:30:16 AM\n"
        "Deltagare 2\tJoined\t11/22/2022, 11:31:00 AM\n"
    )
    write_text(tmp_path / "falun" / "attendance.csv", text, "utf-16-le+bom")
    con, _ = ingest(tmp_path)
    assert one_file(con)["rows_loaded"] == 1
    [(line, column, value, reason)] = quarantine(con)
    assert (line, column, value) == (2, "event_time", "11/22/1922, 11:30:16 AM")
    assert reason.startswith("is a date before 1990 or after next year: a two-digit year")
    assert "municipality" not in reason

"""Generated quirks of issue 13: two-digit years and every header language of the contracts,
each file's rows counted exactly and each date read in the year it was written."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from fixture_files import write_text
from hypothesis import given
from hypothesis import strategies as st
from ingest_helpers import accounted, connect, ingest, reset
from property_helpers import reproducible

from schemas import contract_for

pytestmark = pytest.mark.unit

SETTINGS = reproducible(max_examples=25)
LEGACY = contract_for("teams_attendance_legacy")
stamps = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2026, 12, 31))


@pytest.fixture(scope="module")
def con():
    connection = connect()
    yield connection
    connection.close()


def _us_two_digit(t: dt.datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year % 100:02d}, {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


@SETTINGS
@given(
    language=st.tuples(
        *(
            st.sampled_from(LEGACY.column(c).aliases)
            for c in ("participant", "action", "event_time")
        )
    ),
    action=st.sampled_from(LEGACY.column("action").allowed),
    times=st.lists(stamps.map(lambda t: t.replace(microsecond=0)), min_size=1, max_size=8),
)
def test_any_header_words_and_two_digit_us_years_are_counted_and_dated_exactly(
    con, language, action, times
):
    reset(con)
    header = "\t".join(language)
    body = "".join(f"Deltagare {i}\t{action}\t{_us_two_digit(t)}\n" for i, t in enumerate(times))
    folder = Path(tempfile.mkdtemp())
    try:
        write_text(folder / "falun" / "attendance.csv", header + "\n" + body, "utf-16-le+bom")
        ingest(folder, con)
        [record] = accounted(con)
        assert (record["export_kind"], record["rows_in"], record["rows_loaded"]) == (
            "teams_attendance_legacy",
            len(times),
            len(times),
        )
        read = [
            r[0]
            for r in con.execute(
                "select event_time from raw.teams_attendance_legacy order by source_line"
            ).fetchall()
        ]
        # month first: a day above 12 decides it, and without one the contract's first order
        assert read == times
    finally:
        shutil.rmtree(folder)


@SETTINGS
@given(times=st.lists(stamps.map(lambda t: t.replace(microsecond=0)), min_size=1, max_size=8))
def test_two_digit_day_first_24_hour_years_are_read_in_their_century(con, times):
    reset(con)
    body = "".join(
        f"Deltagare {i}\tJoined\t{t.day}/{t.month}/{t.year % 100:02d}, {t:%H:%M:%S}\n"
        for i, t in enumerate(times)
    )
    folder = Path(tempfile.mkdtemp())
    try:
        text = "Full Name\tUser Action\tTimestamp\n" + body
        write_text(folder / "falun" / "attendance.csv", text, "utf-16-le+bom")
        ingest(folder, con)
        [record] = accounted(con)
        assert (record["rows_in"], record["rows_loaded"]) == (len(times), len(times))
        read = con.execute(
            "select event_time from raw.teams_attendance_legacy order by source_line"
        ).fetchall()
        # day first: a day above 12 decides it, and without one the contract's first 24-hour order
        assert [r[0] for r in read] == times
    finally:
        shutil.rmtree(folder)


DETAILS = contract_for("zoom_meeting_details")
ZOOM_PARTICIPANTS_HEADER = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"
)


@SETTINGS
@given(
    email_words=st.sampled_from(DETAILS.column("email").aliases),
    duration_words=st.sampled_from(DETAILS.column("duration_s").aliases),
    minutes=st.lists(st.tuples(st.integers(1, 300), st.integers(1, 300)), min_size=1, max_size=6),
)
def test_a_header_twice_in_one_row_is_read_in_its_own_block(
    con, email_words, duration_words, minutes
):
    """Zoom's meeting details in any UI language: the meeting's and the participant's e-mail and
    minutes share their header words; each row's participant minutes are its own."""
    reset(con)
    header = (
        f"Meeting ID,{email_words},Start Time,{duration_words},Participants,"
        f"Name (Original Name),{email_words},Join Time,{duration_words}\n"
    )
    body = "".join(
        f"81{i},host@falun.se,13/06/2024 09:00,{meeting},1,Deltagare {i},d{i}@borlange.se,"
        f"13/06/2024 09:00,{own}\n"
        for i, (meeting, own) in enumerate(minutes)
    )
    folder = Path(tempfile.mkdtemp())
    try:
        write_text(folder / "meetinglistdetails.csv", header + body)
        ingest(folder, con)
        [record] = accounted(con)
        assert (record["export_kind"], record["rows_loaded"]) == (
            "zoom_meeting_details",
            len(minutes),
        )
        read = con.execute(
            "select meeting_duration_s, duration_s, municipality_code "
            "from raw.zoom_meeting_details order by source_line"
        ).fetchall()
        assert read == [(60.0 * m, 60.0 * o, "2081") for m, o in minutes]
    finally:
        shutil.rmtree(folder)


@SETTINGS
@given(
    blocks=st.lists(st.integers(1, 5), min_size=1, max_size=5),
    repeat_header=st.booleans(),
    blank_lines=st.integers(1, 3),
)
def test_blocks_of_one_table_are_each_counted_once(con, blocks, repeat_header, blank_lines):
    """Zoom participant tables split into blocks by blank lines, each block with or without the
    header again: every row of every block is counted and loaded, once."""
    reset(con)
    lines, person = [ZOOM_PARTICIPANTS_HEADER], 0
    for index, size in enumerate(blocks):
        if index:
            lines += [""] * blank_lines + ([ZOOM_PARTICIPANTS_HEADER] if repeat_header else [])
        for _ in range(size):
            person += 1
            lines.append(
                f"Deltagare {person},d{person}@falun.se,09/10/2021 08:00:21,"
                "09/10/2021 09:00:21,60,No"
            )
    folder = Path(tempfile.mkdtemp())
    try:
        write_text(folder / "participants.csv", "\n".join(lines) + "\n")
        ingest(folder, con)
        [record] = accounted(con)
        expected = sum(blocks)
        assert (record["rows_in"], record["rows_loaded"]) == (expected, expected)
    finally:
        shutil.rmtree(folder)

"""Issue 13: dates that cannot be wrong silently, and Teams/Zoom exports in other UI languages.
Files are written in the test (hand-counted) and ingested into a temporary DuckDB."""

from __future__ import annotations

import datetime as dt

import pytest
from fixture_files import ingest_file, write_text
from ingest_helpers import counts, ingest, quarantine, rows

pytestmark = pytest.mark.unit

T = dt.datetime


def legacy_rows(con) -> list[tuple]:
    return rows(
        con,
        "select source_line, action, event_time from raw.teams_attendance_legacy "
        "order by source_line",
    )


def ingest_attendance(tmp_path, *entries: str):
    """Ingest a legacy Teams attendance list (UTF-16, BOM) of tab-separated `entries`."""
    text = "Full Name\tUser Action\tTimestamp\n" + "".join(f"{e}\n" for e in entries)
    return ingest_file(tmp_path, "falun/attendance.csv", text, "utf-16-le+bom")


def test_two_digit_years_in_a_teams_attendance_list_are_read_in_this_century(tmp_path):
    con, record = ingest_attendance(
        tmp_path,
        "Deltagare 1\tJoined\t11/22/22, 11:30:16 AM",
        "Deltagare 2\tJoined\t2/7/26, 8:03:45 PM",
        "Deltagare 1\tLeft\t11/22/22, 12:01:00 PM",
    )
    assert (record["rows_in"], record["rows_loaded"]) == (3, 3)
    assert [r[2] for r in legacy_rows(con)] == [
        T(2022, 11, 22, 11, 30, 16),
        T(2026, 2, 7, 20, 3, 45),
        T(2022, 11, 22, 12, 1),
    ]


def test_a_date_outside_the_plausible_years_is_its_own_reason_not_attribution(tmp_path):
    con, record = ingest_attendance(
        tmp_path,
        "Deltagare 1\tJoined\t11/22/1922, 11:30:16 AM",
        "Deltagare 2\tJoined\t11/22/2022, 11:31:00 AM",
    )
    assert record["rows_loaded"] == 1
    [(line, column, value, reason)] = quarantine(con)
    assert (line, column, value) == (2, "event_time", "11/22/1922, 11:30:16 AM")
    assert reason.startswith("is a date before 1990 or after next year: a two-digit year")
    assert "municipality" not in reason


def test_a_spanish_teams_attendance_list_is_recognised_and_read_day_first(tmp_path):
    text = (
        "Nombre completo\tAcción del usuario\tMarca de tiempo\n"
        "Participante 1\tUnido\t23/2/2021 8:30:03\n"
        "Participante 2\tSe unió antes\t23/2/2021 8:29:10\n"
        "Participante 1\tAbandonó\t23/2/2021 9:45:00\n"
    )
    con, record = ingest_file(tmp_path, "falun/asistencia.csv", text, "utf-16-le+bom")
    assert counts(record) == ("teams_attendance_legacy", 3, 3)
    assert legacy_rows(con) == [
        (2, "Unido", T(2021, 2, 23, 8, 30, 3)),
        (3, "Se unió antes", T(2021, 2, 23, 8, 29, 10)),
        (4, "Abandonó", T(2021, 2, 23, 9, 45)),
    ]


def test_an_ambiguous_am_pm_date_is_read_month_first_and_flagged(tmp_path):
    con, record = ingest_attendance(
        tmp_path,
        "Deltagare 1\tJoined\t9/4/2020, 10:00:00 AM",
        "Deltagare 1\tLeft\t9/4/2020, 11:00:00 AM",
    )
    assert (record["status"], record["rows_loaded"]) == ("loaded_with_warnings", 2)
    assert "no day above 12" in record["message"] and "event_time" in record["message"]
    assert legacy_rows(con)[0][2] == T(2020, 9, 4, 10)


def test_a_day_above_12_reads_an_am_pm_list_day_first(tmp_path):
    con, record = ingest_attendance(
        tmp_path,
        "Deltagare 1\tJoined\t9/4/2020, 10:00:00 AM",
        "Deltagare 1\tLeft\t13/4/2020, 01:00:00 PM",
    )
    assert record["status"] == "loaded"
    assert [r[2] for r in legacy_rows(con)] == [T(2020, 4, 9, 10), T(2020, 4, 13, 13)]


def test_zoom_24_hour_timestamps_are_read(tmp_path):
    text = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Deltagare 1,d1@falun.se,09/10/2021 08:00:21,09/10/2021 09:00:21,60,No\n"
        "Deltagare 2,d2@falun.se,09/13/2021 14:02:00,09/13/2021 14:32:00,30,No\n"
    )
    con, record = ingest_file(tmp_path, "falun/participants.csv", text)
    assert (record["export_kind"], record["rows_loaded"]) == ("zoom_participants", 2)
    assert rows(con, "select join_time from raw.zoom_participants order by source_line") == [
        (T(2021, 9, 10, 8, 0, 21),),
        (T(2021, 9, 13, 14, 2),),
    ]


def test_notes_and_documents_in_the_drop_folder_are_ignored_and_said_to_be(tmp_path):
    write_text(tmp_path / "falun" / "SOURCES.md", "# Where these exports come from\n\nZoom, 2021\n")
    write_text(tmp_path / "falun" / "notes.txt", "Ring Anna om mötet\n")
    (tmp_path / "falun" / "policy.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    con, _ = ingest(tmp_path)
    records = rows(con, "select path, status, message from ops.files order by path")
    assert [(p, s) for p, s, _ in records] == [
        ("falun/SOURCES.md", "unrecognized"),
        ("falun/notes.txt", "unrecognized"),
        ("falun/policy.pdf", "ignored"),
    ]
    assert records[0][2].startswith("falun/SOURCES.md: ignored, a note (.md) that is no known")
    assert records[2][2].startswith("falun/policy.pdf: ignored, a document (.pdf) is not an")


TURKISH_ZOOM = (
    "Ad (Orijinal Ad),Kullanıcı E-postası,Katılma Saati,Ayrılma Saati,Süre (Dakika),Misafir\n"
    "Katılımcı 1,k1@falun.se,09/10/2021 08:00:21,09/10/2021 09:00:21,60,Hayır\n"
    "Katılımcı 2,k2@falun.se,09/10/2021 08:01:00,09/10/2021 08:31:00,30,Hayır\n"
)


def test_a_header_in_an_unknown_language_names_the_export_its_values_look_like(tmp_path):
    con, record = ingest_file(tmp_path, "falun/katilimcilar.csv", TURKISH_ZOOM)
    assert (record["status"], record["rows_in"]) == ("unrecognized", 0)
    message = record["message"]
    assert "look like a Zoom meeting participants report" in message
    assert "(zoom_participants)" in message and "schemas/zoom_participants.toml" in message
    assert '"Kullanıcı E-postası" as an alias of email' in message
    assert '"Katılma Saati" as an alias of join_time' in message
    assert '"Süre (Dakika)" as an alias of duration_s' in message


def test_a_russian_zoom_participants_report_is_recognised_and_counted(tmp_path):
    text = (
        "Имя (настоящее имя),Электронная почта пользователя,Время входа,Время выхода,"
        "Продолжительность (минуты),Гость\n"
        "Участник 1,u1@falun.se,09/10/2021 08:00:21,09/10/2021 09:00:21,60,Нет\n"
        "Участник 2,u2@falun.se,09/10/2021 08:01:00,09/10/2021 08:31:00,30,Нет\n"
        "Гость 3,,09/10/2021 08:05:00,09/10/2021 08:35:00,30,Да\n"
    )
    con, record = ingest_file(tmp_path, "falun/participants_ru.csv", text)
    assert counts(record) == ("zoom_participants", 3, 3)
    assert rows(
        con, "select duration_s, guest from raw.zoom_participants order by source_line"
    ) == [(3600.0, False), (1800.0, False), (1800.0, True)]


def test_a_zoom_guest_without_an_email_takes_the_meeting_s_municipality(tmp_path):
    text = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Deltagare 1,d1@falun.se,09/10/2021 08:00:21,09/10/2021 09:00:21,60,No\n"
        "Gäst 2,,09/10/2021 08:02:00,09/10/2021 08:32:00,30,Yes\n"
        "Deltagare 3,d3@falun.se,09/10/2021 08:03:00,09/10/2021 08:33:00,30,No\n"
    )
    con, record = ingest_file(tmp_path, "participants.csv", text)
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (3, 3, 0)
    assert record["status"] == "loaded_with_warnings"
    assert "1 row(s) without email (guests) were given the municipality" in record["message"]
    assert rows(
        con, "select source_line, municipality_code from raw.zoom_participants order by 1"
    ) == [(2, "2080"), (3, "2080"), (4, "2080")]


def test_a_finnish_teams_attendance_report_with_two_digit_years(tmp_path):
    text = (
        "Nimi\tEnsimmäinen liittyminen\tViimeinen poistuminen\tKokouksen kesto\tSähköposti\tRooli\n"
        "Osallistuja 1\t11/22/22, 9:00:12 AM\t11/22/22, 10:00:12 AM\t1h\to1@falun.se\tOrganizer\n"
        "Osallistuja 2\t11/22/22, 9:05:00 AM\t11/22/22, 9:35:00 AM\t30m\to2@falun.se\tAttendee\n"
    )
    con, record = ingest_file(tmp_path, "falun/osallistujat.csv", text, "utf-16-le+bom")
    assert counts(record) == ("teams_attendance", 2, 2)
    assert rows(
        con, "select join_time, duration_s from raw.teams_attendance order by source_line"
    ) == [(T(2022, 11, 22, 9, 0, 12), 3600.0), (T(2022, 11, 22, 9, 5), 1800.0)]


ZOOM_HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"


def test_zoom_blocks_that_repeat_the_header_after_a_blank_line_are_all_counted(tmp_path):
    text = (
        ZOOM_HEADER
        + "Deltagare 1,d1@falun.se,09/10/2021 08:00:21,09/10/2021 09:00:21,60,No\n"
        + "\n"
        + ZOOM_HEADER
        + "Deltagare 2,d2@falun.se,09/11/2021 08:00:00,09/11/2021 08:30:00,30,No\n"
        + "Deltagare 3,d3@falun.se,09/11/2021 08:01:00,09/11/2021 08:31:00,30,No\n"
        + "\n"
        + "Summary\n"
        + "Deltagare 4,d4@falun.se,09/12/2021 08:01:00,09/12/2021 08:31:00,30,No\n"
    )
    con, record = ingest_file(tmp_path, "falun/participants.csv", text)
    # the block under "Summary" has no header of this table: it is another section, not read
    assert (record["rows_in"], record["rows_loaded"]) == (3, 3)
    assert rows(con, "select source_line from raw.zoom_participants order by 1") == [
        (2,),
        (5,),
        (6,),
    ]

"""Real exports from public repositories (pseudonymised, /work/shared/fixtures/wild): each is
recognised as its kind, its rows are counted exactly (the hand counts in SOURCES.md) and, since
no Nordic municipality is in them, every row is quarantined as unattributable, never dropped."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from ingest_helpers import accounted, build_staging, ingest
from pipeline_helpers import WILD, needs_wild

from schemas import load_contracts

pytestmark = [pytest.mark.unit, needs_wild]

HAND_COUNTS = {
    "teams_legacy_attendance_utf16_de_ddmm24h.csv": ("teams_attendance_legacy", 38),
    "teams_legacy_attendance_utf16_ptBR.csv": ("teams_attendance_legacy", 58),
    "teams_legacy_attendance_utf16_en_joined_before.csv": ("teams_attendance_legacy", 112),
    "teams_legacy_attendance_resaved_utf8bom_comma.csv": ("teams_attendance_legacy", 57),
    "teams_2021_attendance_summary_utf16_fr.csv": ("teams_attendance", 7),
    "teams_2022_attendance_semicolon_edited_id.csv": ("teams_attendance", 69),
    "teams_2022_attendance_3sections_utf16be_ddmmyy.csv": ("teams_attendance", 8),
    "zoom_participants_unique_users_bom_crlf.csv": ("zoom_participants", 48),
    "zoom_participants_per_join_bom_crlf_lv.csv": ("zoom_participants", 22),
    "graph_teams_user_activity_detail_2021_bom_crlf.csv": ("teams_user_activity", 5),
    "graph_teams_user_activity_counts_d90_bom_crlf.csv": ("teams_activity_counts", 90),
}


@pytest.fixture(scope="module")
def wild(tmp_path_factory):
    raw = tmp_path_factory.mktemp("wild") / "raw"
    shutil.copytree(WILD, raw)
    con, _ = ingest(raw)
    records = {r["path"]: r for r in accounted(con)}
    reasons = con.execute(
        "select path, column_name, value, reason from ops.quarantine order by path, row_number"
    ).fetchall()
    return records, reasons


def test_the_hand_counts_cover_every_fixture():
    assert set(HAND_COUNTS) == {p.name for p in WILD.glob("*.csv")}


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_each_wild_export_is_recognised_counted_and_quarantined_as_unattributable(wild, name):
    records, reasons = wild
    kind, count = HAND_COUNTS[name]
    record = records[name]
    assert record["export_kind"] == kind
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (
        count,
        0,
        count,
    )
    assert record["status"] == "quarantined"
    mine = [r for r in reasons if r[0] == name]
    assert len(mine) == count
    for _, _, value, reason in mine:
        assert reason.startswith("no municipality found for this row"), reason
        assert "data/reference/" in reason
        assert value is None or "@" not in value or value.startswith("*@")


def test_sources_md_is_recorded_as_unrecognized(wild):
    records, _ = wild
    record = records["SOURCES.md"]
    assert (record["status"], record["export_kind"], record["rows_in"]) == ("unrecognized", None, 0)
    assert record["message"].startswith("SOURCES.md: ")


def test_ambiguous_german_dates_are_flagged_not_silently_read(wild):
    records, _ = wild
    message = records["teams_legacy_attendance_utf16_de_ddmm24h.csv"]["message"]
    assert "no day above 12" in message


STATED = (
    "teams_2022_attendance_3sections_utf16be_ddmmyy.csv",
    "teams_2021_attendance_summary_utf16_fr.csv",
    "zoom_participants_unique_users_bom_crlf.csv",
)


def test_in_a_municipality_folder_rows_load_with_what_the_report_states(tmp_path):
    """The hand counts of SOURCES.md: what the summary states is checked against the rows, and
    the stated meeting length is the one staged."""
    for name in STATED:
        (tmp_path / "falun").mkdir(exist_ok=True)
        shutil.copy(WILD / name, tmp_path / "falun" / name)
    con, _ = ingest(tmp_path)
    records = {r["path"].split("/")[-1]: r for r in accounted(con)}
    assert {n: (r["rows_in"], r["rows_loaded"]) for n, r in records.items()} == {
        STATED[0]: (8, 8),
        STATED[1]: (7, 7),
        STATED[2]: (48, 48),
    }
    # 8 participants stated and named; 25m 13s stated, while the joins span 16 minutes
    assert (
        "states a meeting length of 25m 13s (25 min), but the rows give 16 min"
        in (records[STATED[0]]["message"])
    )
    assert "participants" not in records[STATED[0]]["message"].split("Warning")[1]
    # the total was edited to 7 and the names masked to 2 distinct strings
    assert "line 2 states 7 participants, but the rows name 2" in records[STATED[1]]["message"]
    # Zoom's meeting block: Participants 68 and 146 minutes; 48 rows, one guest 316 minutes
    zoom = records[STATED[2]]["message"]
    assert "states 68 participants, but the rows name 48" in zoom
    assert "states a meeting length of 146 (146 min), but the rows give 316 min" in zoom
    assert "316 min; the stated length is the one staged" in zoom
    build_staging(con, load_contracts())
    assert con.execute(
        "select export_kind, period_start, participants, duration_s "
        "from staging.meeting_activity order by period_start"
    ).fetchall() == [
        # no length stated: the rows' span, 09:01:31 to 11:45:55
        ("teams_attendance", dt.date(2021, 4, 13), 2, 9864.0),
        # the unique-users view has no join times: the meeting block's start dates it (US
        # order, 03/08/2022 09:49:29 AM); 146 minutes stated
        ("zoom_participants", dt.date(2022, 3, 8), 48, 8760.0),
        ("teams_attendance", dt.date(2022, 11, 16), 8, 1513.0),
    ]

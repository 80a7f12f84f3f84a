"""Real exports from public repositories (pseudonymised, /work/shared/fixtures/wild): each is
recognised as its kind, its rows are counted exactly (the hand counts in SOURCES.md) and, since
no Nordic municipality is in them, every row is quarantined as unattributable, never dropped."""

from __future__ import annotations

import shutil

import pytest
from conftest import WILD, needs_wild
from ingest_helpers import accounted, ingest

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

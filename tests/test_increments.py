"""A nightly file on a built warehouse: staging, the marts and the Parquet layer take only what
is new, and every table ends as a whole run over all the files makes it."""

import shutil

import dagster as dg
import duckdb
import pytest
from pipeline_helpers import SAMPLE_RAW, run_pipeline

LATER = "telia_videomote_2014.xlsx"
TABLES = (
    "staging.meeting_activity",
    "staging.trips",
    "marts.virtual_meetings",
    "marts.eligible_meetings",
    "marts.data_quality_flags",
    "marts.substitution_rates",
    "marts.municipality_progress",
    "marts.programme_progress",
)


def _built(result) -> dict:
    """{asset: how it was built} of one run's materializations."""
    return {
        event.asset_key.to_user_string(): event.event_specific_data.materialization.metadata.get(
            "built"
        )
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    }


def _differing(ours, whole, table: str) -> int:
    """Rows that differ (either way) between a table of our warehouse and of the whole run's
    (doubles to 9 decimals: a sum in another order may differ in its last bits)."""
    con = duckdb.connect()
    con.execute(f"attach '{ours}' as ours (read_only)")
    con.execute(f"attach '{whole}' as whole (read_only)")
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = 'ours' and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        table.split("."),
    ).fetchall()
    shown = ", ".join(f'round("{c}", 9)' if t == "DOUBLE" else f'"{c}"' for c, t in columns)
    return con.execute(
        f"select count(*) from ((select {shown} from ours.{table} except all "
        f"select {shown} from whole.{table}) union all (select {shown} from whole.{table} "
        f"except all select {shown} from ours.{table}))"
    ).fetchall()[0][0]


@pytest.mark.pipeline
def test_a_new_file_is_added_not_rebuilt_and_every_table_is_as_a_whole_run_makes_it(
    tmp_path, dagster_home, sample_warehouse
):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, raw, ignore=shutil.ignore_patterns(LATER))
    warehouse = tmp_path / "warehouse" / "resfritt.duckdb"
    assert run_pipeline(raw, warehouse).success
    shutil.copy(SAMPLE_RAW / LATER, raw / LATER)
    second = run_pipeline(raw, warehouse)
    assert second.success
    built = _built(second)
    assert built["staging/meeting_activity"].value == "added the rows of 1 new file(s)"
    assert built["staging/trips"] is None  # unchanged: no trip in the new file
    for mart in ("virtual_meetings", "eligible_meetings"):
        assert built[f"marts/{mart}"].value == "the municipalities and years of 1 file(s)"
    parquet = second.asset_materializations_for_node("marts__parquet_export")[0].metadata
    written = parquet["tables"].value["staging.meeting_activity"]
    assert written["partitions_written"] == 12, "the twelve months of 2014, no other"
    assert written["partitions_kept"] > 100
    assert {t: _differing(warehouse, sample_warehouse, t) for t in TABLES} == dict.fromkeys(
        TABLES, 0
    )


HEADER = "Månad;Organisation;Rum;Antal möten;Total mötestid (tim:min);Snitt deltagare\n"


@pytest.mark.pipeline
def test_a_new_file_whose_rows_are_all_quarantined_changes_no_mart(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    good = "2014-03;Falu kommun;Falun Stadshuset VR1;4;3:55;2,3\n"
    (raw / "rooms.csv").write_text(HEADER + good, encoding="cp1252")
    assert run_pipeline(raw, warehouse).success
    bad = "2014-04;Falu kommun;Falun Stadshuset VR1;fyra;1:00;2,0\n"
    (raw / "rooms_april.csv").write_text(HEADER + bad, encoding="cp1252")
    second = run_pipeline(raw, warehouse)
    assert second.success
    assert _built(second)["marts/virtual_meetings"].value == (
        "the municipalities and years of 1 file(s)"
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    quarantined = "select rows_quarantined from ops.files where path = 'rooms_april.csv'"
    assert con.execute(quarantined).fetchall() == [(1,)]
    # the mart still holds March's 4 meetings once
    assert con.execute("select sum(meetings) from marts.virtual_meetings").fetchall() == [(4,)]

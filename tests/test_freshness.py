"""The one fingerprint policy on Dagster's side: inputs are the declared deps, code is found from
the module, and both show in the UI as code and data versions."""

from __future__ import annotations

import re
import shutil

import dagster as dg
import duckdb
import pytest
from pipeline_helpers import REFERENCE, SAMPLE_RAW, query, run_pipeline

from assets.fingerprint import ROOT, built_from, code_fingerprint, record, recorded
from assets.freshness import table_of
from assets.marts import assets as marts
from assets.staging import assets as staging
from assets.staging.transform import meeting_activity_sql, trips_sql
from pipeline.definitions import defs

pytestmark = pytest.mark.unit

TABLE = re.compile(r"\b(ref|raw|staging|marts|ops)\.([a-z_]+)\b")
GRAPH = defs.resolve_asset_graph()
ASSET_TABLES = {table_of(k) for k in GRAPH.get_all_asset_keys()}


def _reads(sql: str) -> set[str]:
    """The asset tables a query names, outside its string literals and comments."""
    code = re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"--[^\n]*", "", sql))
    return {f"{s}.{t}" for s, t in TABLE.findall(code)} & ASSET_TABLES


def _deps(key: dg.AssetKey) -> set[str]:
    return {table_of(k) for k in GRAPH.get(key).parent_keys}


def test_every_mart_reads_only_the_tables_it_declares():
    common = _reads(marts.COMMON_SQL)
    for mart in marts.MARTS:
        [key] = mart.keys
        sql = (marts.HERE / f"{key.path[-1]}.sql").read_text(encoding="utf-8")
        if "meeting_rows()" in sql:
            sql += marts.MEETING_ROWS_SQL
        reads = (_reads(sql) | common) - {table_of(key)}
        assert reads <= _deps(key), (table_of(key), sorted(reads - _deps(key)))


def test_staging_reads_only_the_tables_it_declares():
    for key, sql in (
        (staging.meeting_activity.key, meeting_activity_sql(staging.CONTRACTS)),
        (staging.trips.key, trips_sql(staging.CONTRACTS)),
    ):
        reads = _reads(sql) - {table_of(key)}
        assert reads and reads <= _deps(key), (table_of(key), sorted(reads - _deps(key)))
    assert "staging.trips" not in _deps(marts.BY_NAME["virtual_meetings"].key)


def test_every_asset_shows_its_module_code_as_its_code_version():
    versions = {table_of(k): GRAPH.get(k).code_version for k in GRAPH.get_all_asset_keys()}
    assert None not in versions.values()
    assert versions["marts.virtual_meetings"] == code_fingerprint("assets.marts.assets")
    assert versions["staging.trips"] == code_fingerprint("assets.staging.assets")
    assert versions["raw.teams_pstn"] == versions["ref.factors"] == versions["ops.files"]
    assert versions["marts.reports"] == code_fingerprint("assets.exports.assets")


def test_a_mart_sql_or_template_edit_changes_the_code_it_is_built_with(tmp_path):
    for package in ("assets", "schemas"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__py*"))
    marts_code = code_fingerprint("assets.marts.assets", tmp_path)
    exports_code = code_fingerprint("assets.exports.assets", tmp_path)
    assert marts_code == marts.CODE
    sql = tmp_path / "assets" / "marts" / "measured_travel.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + "\n-- an edit\n", encoding="utf-8")
    assert code_fingerprint("assets.marts.assets", tmp_path) != marts_code
    template = tmp_path / "assets" / "exports" / "templates" / "index.html"
    before = code_fingerprint("assets.exports.assets", tmp_path)
    assert before != exports_code  # the exports read the marts' code too
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert code_fingerprint("assets.exports.assets", tmp_path) != before


def test_a_build_fingerprint_follows_each_input_by_name_and_the_code():
    con = duckdb.connect()
    assert recorded(con, "staging.trips") is None
    first = built_from(con, ["staging.trips", "ref.factors"], "code")
    assert first == built_from(con, ["ref.factors", "staging.trips"], "code")  # order is no input
    record(con, "staging.trips", "abc")
    second = built_from(con, ["staging.trips", "ref.factors"], "code")
    assert len({first, second, built_from(con, ["staging.trips", "ref.factors"], "other")}) == 3
    record(con, "staging.trips", "abc")
    assert con.execute("select count(*) from ops.builds").fetchall() == [(1,)]
    assert built_from(con, ["staging.trips"], "code", ["file:1"]) != built_from(
        con, ["staging.trips"], "code", ["file:2"]
    )


@pytest.mark.pipeline
def test_a_reference_edit_rebuilds_what_reads_it_and_nothing_else(workspace):
    raw, warehouse, tmp = workspace["raw"], workspace["warehouse"], workspace["tmp"]
    for name in ("resor_falun_2011-2024.csv", "telia_videomote_2011-2013.csv"):
        shutil.copy(SAMPLE_RAW / name, raw)
    reference = shutil.copytree(REFERENCE, tmp / "reference")
    assert run_pipeline(raw, warehouse, reference).success
    built = dict(query(warehouse, "select asset, fingerprint from ops.builds"))
    employees = reference / "employees.csv"
    employees.write_text(
        employees.read_text(encoding="utf-8").replace("2021,2011,520,", "2021,2011,521,", 1),
        encoding="utf-8",
    )
    result = run_pipeline(raw, warehouse, reference)
    assert result.success
    rebuilt = set()
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        table = table_of(materialization.asset_key)
        assert materialization.tags["dagster/data_version"]
        if "unchanged" not in materialization.metadata:
            rebuilt.add(table)
    assert rebuilt == {
        "ref.employees",
        "marts.municipality_progress",
        "marts.programme_progress",
        "marts.municipality_progress_historical",
        "marts.reports",
        "marts.parquet_export",
    }
    after = dict(query(warehouse, "select asset, fingerprint from ops.builds"))
    assert {t for t in after if after[t] != built.get(t)} == rebuilt - {
        "marts.reports",
        "marts.parquet_export",
    }

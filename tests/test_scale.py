"""The large-sample generator and the Parquet export, at a few thousand rows."""

import json
import sys

import dagster as dg
import duckdb
import pytest
from pipeline_helpers import ROOT, query, run_pipeline

sys.path.insert(0, str(ROOT / "scripts"))

from bench import round_ratios, step_times, typical  # noqa: E402
from make_large_sample import LYNC_HEADER, PSTN_HEADER, generate  # noqa: E402

ROWS = 3000  # bad rows at 137, 1137 and 2137: one of each planted kind


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large")
    return folder, generate(ROWS, folder, seed=7, lync_rows=ROWS)


@pytest.mark.unit
def test_generator_is_deterministic(generated, tmp_path):
    folder, manifest = generated
    again = generate(ROWS, tmp_path, seed=7, lync_rows=ROWS)
    for first, second in zip(manifest["files"], again["files"], strict=True):
        assert (folder / first["file"]).read_bytes() == (tmp_path / second["file"]).read_bytes()


@pytest.mark.unit
def test_generator_writes_the_published_layouts(generated):
    folder, manifest = generated
    pstn, lync = (folder / f["file"] for f in manifest["files"])
    pstn_lines = pstn.read_text(encoding="utf-8").splitlines()
    assert pstn_lines[0] == PSTN_HEADER
    assert len(pstn_lines) == ROWS + 1
    assert lync.read_text(encoding="utf-8").splitlines()[0] == LYNC_HEADER
    first = pstn_lines[1].split(",")
    assert first[13].endswith("Z") and len(first[13].split(".")[1]) == 8  # 7 digits and Z
    assert sum(",EXTRA" in line for line in pstn_lines) == 1
    assert (
        sum(",ucap_" in line for line in pstn_lines)
        == manifest["files"][0]["bot_rows_without_user"]
    )


@pytest.mark.unit
def test_manifest_counts_the_planted_rows(generated):
    _, manifest = generated
    pstn, lync = manifest["files"]
    assert pstn["bad_rows"] == {
        "unparseable_duration": 1,
        "invalid_date": 1,
        "too_many_columns": 1,
    }
    assert pstn["bot_rows_without_user"] == 2
    assert pstn["expected_quarantined"] == 5
    assert lync["expected_quarantined"] == 3
    assert json.loads((generated[0] / f"manifest.{ROWS}.json").read_text()) == manifest


@pytest.mark.pipeline
def test_exactly_the_planted_rows_are_quarantined_and_parquet_is_written(generated, workspace):
    folder, manifest = generated
    for entry in manifest["files"]:
        (workspace["raw"] / entry["file"]).write_bytes((folder / entry["file"]).read_bytes())
    from pipeline.definitions import defs

    selection = (
        dg.AssetSelection.groups("raw", "staging")
        | dg.AssetSelection.assets(dg.AssetKey(["marts", "parquet_export"]))
    ).resolve(defs.resolve_asset_graph())
    warehouse = workspace["warehouse"]
    assert run_pipeline(workspace["raw"], warehouse, selection=selection).success
    for entry in manifest["files"]:
        rows_in, loaded, quarantined = query(
            warehouse,
            "select rows_in, rows_loaded, rows_quarantined from ops.files where path = ?",
            [entry["file"]],
        )[0]
        assert (rows_in, loaded, quarantined) == (
            entry["rows"],
            entry["expected_loaded"],
            entry["expected_quarantined"],
        )
    reasons = dict(
        query(
            warehouse,
            "select column_name, count(*) from ops.quarantine where export_kind = 'teams_pstn' "
            "group by all",
        )
    )
    assert reasons == {"duration_s": 1, "start_time": 1, "(row)": 1, "upn": 2}
    # Random per-call ids are stored as they are (compress = false in the contract); the rest
    # are left to DuckDB's choice.
    compression = dict(
        query(
            warehouse,
            "select column_name, string_agg(distinct compression, ',') "
            "from pragma_storage_info('raw.teams_pstn') where segment_type <> 'VALIDITY' "
            "group by all",
        )
    )
    assert {compression[c] for c in ("usage_id", "call_id", "conference_id")} == {"Uncompressed"}
    assert compression["call_type"] != "Uncompressed"

    root = warehouse.parent / "parquet"
    assert root.is_symlink()
    months = sorted(p.name for p in (root / "staging.meeting_activity").glob("year=*/month=*"))
    assert months and all(m.startswith("month=") for m in months)
    with duckdb.connect() as con:
        exported = con.execute(
            "select count(*) from read_parquet(?, hive_partitioning = true)",
            [str(root / "staging.meeting_activity" / "**" / "*.parquet")],
        ).fetchall()[0][0]
    staged = query(warehouse, "select count(*) from staging.meeting_activity")[0][0]
    assert exported == staged > 0

    version = root.resolve()
    assert run_pipeline(workspace["raw"], warehouse, selection=selection).success
    assert root.resolve() == version  # nothing new: the export is not rewritten


@pytest.mark.unit
def test_bench_takes_the_median_round_and_the_highest_memory():
    runs = {
        "a": [
            {"wall_s": 50.0, "rss_mb": 900.0},
            {"wall_s": 46.0, "rss_mb": 800.0},
            {"wall_s": 48.0, "rss_mb": 700.0},
        ],
        "b": [{"wall_s": 20.0}, {"wall_s": 16.0}, {"wall_s": 18.0}],
        "c": [{"wall_s": 20.0}, {"wall_s": 20.0}, {"wall_s": 15.0}],
    }
    assert typical(runs["a"]) == {"wall_s": 48.0, "rss_mb": 900.0}
    assert round_ratios(runs) == [1.5, 1.5, 2.0]
    log = (
        'Finished execution of step "raw_exports" in 1m3.5s.\n'
        'Finished execution of step "x" in 40ms.'
    )
    assert step_times(log) == {"raw_exports": 63.5, "x": 0.04}

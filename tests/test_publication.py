"""One publication for everything: the warehouse, the Parquet layer and the reports move together,
the previous warehouse is kept and restores a damaged one, and nothing foreign is deleted."""

import hashlib
import json
import random
import shutil
import stat
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ingest_helpers import DAMAGE, LINE_SEEDS, damage_text, data_lines
from pipeline_helpers import SAMPLE_RAW, resources_for, run_pipeline, scalar
from property_helpers import reproducible
from publication_helpers import begun, make_warehouse, published_with

from assets.exports.parquet import EXPORTED
from assets.publish import parquet_root, publish_stage, reports_root
from assets.warehouse import Publication, WarehouseDamaged, damage
from pipeline.definitions import make_definitions

FALUN = "resor_falun_2011-2024.csv"
KRISTIANSAND = "reiser_kristiansand_2011-2021.csv"


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links followed) and a digest of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def published_counts(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Rows per exported table: (in the published warehouse, in the published Parquet layer)."""
    root = parquet_root(warehouse)
    counts = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in EXPORTED:
            files = str(root / table / "**" / "*.parquet")
            in_parquet = (
                con.execute(
                    "select count(*) from read_parquet(?, hive_partitioning = true)", [files]
                ).fetchall()[0][0]
                if any((root / table).rglob("*.parquet"))
                else 0  # an empty table is written as no file
            )
            counts[table] = (
                con.execute(f"select count(*) from {table}").fetchall()[0][0],
                in_parquet,
            )
    return counts


def remm_rows(warehouse: Path) -> tuple[int, int]:
    """REMM indicator rows: (in the published CSV report, from the published warehouse)."""
    from assets.exports.reports import REMM_SQL

    lines = (reports_root(warehouse) / "remm_indicators.csv").read_text("utf-8-sig").splitlines()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return len(lines) - 1, len(con.execute(REMM_SQL).fetchall())


@dg.asset(deps=[dg.AssetKey(["marts", "reports"]), dg.AssetKey(["marts", "parquet_export"])])
def fails_at_the_end() -> None:
    """Stands for any step that fails after the outputs were built."""
    raise RuntimeError("the last step failed")


def _run(raw: Path, warehouse: Path, *extra) -> tuple[dg.ExecuteInProcessResult, str]:
    """Every asset (and `extra` ones) with checks; returns the result and every logged message,
    the resource's (restore, publication) included."""
    defs = dg.Definitions.merge(
        make_definitions(resources_for(raw, warehouse)), dg.Definitions(assets=list(extra))
    )
    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    return result, "\n".join(messages)


def run_over_falun(workspace: dict) -> tuple[Path, Path]:
    """Drop the Falun sample in the workspace and run the pipeline once, which must succeed."""
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    shutil.copy(SAMPLE_RAW / FALUN, raw / FALUN)
    assert run_pipeline(raw, warehouse).success
    return raw, warehouse


@pytest.mark.pipeline
def test_after_a_failed_last_step_warehouse_parquet_and_reports_are_as_the_last_good_run_left_them(
    workspace,
):
    raw, warehouse = run_over_falun(workspace)
    before = published_counts(warehouse)
    reports_before = _tree(reports_root(warehouse))
    parquet_before = _tree(parquet_root(warehouse))
    trips_before = before["staging.trips"][0]
    assert trips_before > 0 and all(w == p for w, p in before.values()), before

    shutil.copy(SAMPLE_RAW / KRISTIANSAND, raw / KRISTIANSAND)
    failed, messages = _run(raw, warehouse, fails_at_the_end)
    assert not failed.success
    assert [e.step_key for e in failed.all_events if e.is_step_failure] == ["fails_at_the_end"]
    assert "left unchanged: step fails_at_the_end failed" in messages
    # The run did build new outputs, and none of them were published.
    built = [e.asset_key.path for e in failed.get_asset_materialization_events()]
    assert ["marts", "parquet_export"] in built and ["marts", "reports"] in built
    assert published_counts(warehouse) == before
    assert _tree(parquet_root(warehouse)) == parquet_before
    assert _tree(reports_root(warehouse)) == reports_before
    assert not Publication(warehouse).stage.exists()

    assert run_pipeline(raw, warehouse).success
    after = published_counts(warehouse)
    assert after["staging.trips"][0] > trips_before
    assert all(w == p for w, p in after.values()), after
    assert remm_rows(warehouse)[0] == remm_rows(warehouse)[1]


def test_a_warehouse_whose_last_blocks_were_freed_is_not_damaged(tmp_path):
    """DuckDB cuts free blocks off the end of its file but still counts them in total_blocks:
    such a file is whole, and a file cut short is not."""
    path = tmp_path / "shrunk.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table kept as select range as i from range(1000)")
        con.execute("checkpoint")
        con.execute(
            "create table big as select range as i, md5(range::varchar) as s from range(300000)"
        )
        con.execute("checkpoint")
        con.execute("drop table big")
        con.execute("checkpoint")
    with duckdb.connect(str(path), read_only=True) as con:
        [[total, used]] = con.execute(
            "select total_blocks, used_blocks from pragma_database_size()"
        ).fetchall()
    assert total > used  # the freed blocks are still counted
    whole = 3 * 4096 + used * 262_144
    assert path.stat().st_size == whole
    assert damage(path) is None
    with open(path, "r+b") as handle:
        handle.truncate(whole - 4096)
    assert damage(path) == f"the file is cut short: {whole - 4096:,} of {whole:,} bytes"


@pytest.mark.pipeline
def test_a_truncated_warehouse_is_restored_from_the_previous_generation_at_the_next_run(
    workspace,
):
    raw, warehouse = run_over_falun(workspace)
    shutil.copy(SAMPLE_RAW / KRISTIANSAND, raw / KRISTIANSAND)
    assert run_pipeline(raw, warehouse).success
    trips = scalar(warehouse, "select count(*) from staging.trips")
    previous = warehouse.with_name("resfritt.previous.duckdb")
    assert scalar(previous, "select count(distinct path) from ops.files") == 1

    _truncate(warehouse)
    assert damage(warehouse) is not None
    result, message = _run(raw, warehouse)
    assert result.success
    assert f"The warehouse {warehouse} could not be read" in message
    assert "restored from resfritt.previous.duckdb" in message
    assert warehouse.with_name("resfritt.damaged.duckdb").exists()
    # The export loaded by the lost generation is loaded again: nothing is missing.
    assert scalar(warehouse, "select count(*) from staging.trips") == trips
    counts = published_counts(warehouse)
    assert all(w == p for w, p in counts.values()), counts


@pytest.mark.unit
def test_a_damaged_warehouse_without_a_good_previous_generation_stops_the_run_and_says_why(
    tmp_path,
):
    published = tmp_path / "w.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table t as select range as v from range(100000)")
    _truncate(published)
    damaged = published.read_bytes()
    with pytest.raises(WarehouseDamaged) as raised:
        Publication(published, lock_timeout_s=1).begin()
    text = str(raised.value)
    assert f"The warehouse {published} cannot be read" in text
    assert "w.previous.duckdb: it does not exist" in text
    assert "Nothing was changed" in text and "from a backup, or move it away" in text
    assert published.read_bytes() == damaged
    again = Publication(published, lock_timeout_s=0.5)  # the stopped run released the lock
    with pytest.raises(WarehouseDamaged):
        again.begin()


@pytest.mark.unit
def test_each_publication_keeps_the_warehouse_it_replaces_as_the_previous_generation(tmp_path):
    published = tmp_path / "w.duckdb"
    for value in (1, 2, 3):
        publication = begun(published)
        make_warehouse(publication.writable(), value)
        assert publication.finish() is True
    assert scalar(published, "select v from t") == 3
    assert scalar(publication.previous, "select v from t") == 2
    _truncate(published)
    publication = begun(published)
    assert scalar(published, "select v from t") == 2
    assert "restored from w.previous.duckdb" in publication.notes[0]
    publication.finish()


@pytest.mark.pipeline
def test_files_resfritt_did_not_write_survive_a_publication(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    shutil.copy(SAMPLE_RAW / FALUN, raw / FALUN)
    reports = reports_root(warehouse)
    (reports / "site").mkdir(parents=True)
    (reports / "my notes.txt").write_text("mine", encoding="utf-8")
    (reports / "site" / "mine.html").write_text("<p>mine</p>", encoding="utf-8")
    (warehouse.parent / "parquet.mine").mkdir()
    (warehouse.parent / "parquet.mine" / "keep.parquet").write_bytes(b"mine")
    assert run_pipeline(raw, warehouse).success
    shutil.copy(SAMPLE_RAW / KRISTIANSAND, raw / KRISTIANSAND)
    assert run_pipeline(raw, warehouse).success  # a second version of everything replaces the first
    assert (reports / "my notes.txt").read_text(encoding="utf-8") == "mine"
    assert (reports / "site" / "mine.html").read_text(encoding="utf-8") == "<p>mine</p>"
    assert (warehouse.parent / "parquet.mine" / "keep.parquet").read_bytes() == b"mine"
    versions = [p.name for p in warehouse.parent.glob("parquet.*") if p.name != "parquet.mine"]
    assert versions == [parquet_root(warehouse).resolve().name], "one resfritt version is kept"
    listing = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert "my notes.txt" not in listing["written"] and "site/index.html" in listing["written"]


@pytest.mark.unit
def test_a_parquet_folder_left_by_hand_is_moved_aside_not_deleted(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    root = parquet_root(warehouse)
    (root / "staging.trips").mkdir(parents=True)
    (root / "staging.trips" / "by_hand.parquet").write_bytes(b"mine")
    stage = tmp_path / "stage"
    (stage / "parquet" / "parquet.abc" / "staging.trips").mkdir(parents=True)
    notes = publish_stage(stage, warehouse)
    assert root.is_symlink() and root.resolve().name == "parquet.abc"
    kept = [p for p in tmp_path.glob("parquet.kept-*")]
    assert (
        len(kept) == 1 and (kept[0] / "staging.trips" / "by_hand.parquet").read_bytes() == b"mine"
    )
    assert f"moved it to {kept[0]}" in notes[0] and "nothing deleted" in notes[0]


@pytest.mark.unit
def test_a_run_killed_while_publishing_is_completed_by_the_next_one(tmp_path):
    published = published_with(tmp_path)
    killed = begun(published)
    make_warehouse(killed.writable(), 2)
    (killed.staged("parquet") / "parquet.v2" / "staging.trips").mkdir(parents=True)
    reports = killed.staged("reports")
    (reports / "remm_indicators.csv").write_text("year\n2024\n", encoding="utf-8")
    from assets.publish import seal_reports

    seal_reports(reports, "v2", {"remm_indicators": reports / "remm_indicators.csv"})
    (killed.stage / "ready").touch()  # the kill comes right after the decision to publish
    killed._lock_handle.close()
    nxt = begun(published)
    assert "its publication was completed now" in nxt.notes[0]
    assert scalar(published, "select v from t") == 2
    assert parquet_root(published).resolve().name == "parquet.v2"
    assert (tmp_path / "reports" / "remm_indicators.csv").read_text("utf-8") == "year\n2024\n"
    nxt.finish()


@pytest.mark.unit
def test_a_run_killed_before_publishing_leaves_nothing_and_its_private_copies_are_removed(
    tmp_path,
):
    published = published_with(tmp_path)
    killed = begun(published)
    assert stat.S_IMODE(killed.private.stat().st_mode) == 0o700
    (killed.private / "resfritt-x").mkdir()
    (killed.private / "resfritt-x" / "claims.csv").write_text("Anna Andersson;Falun\n")
    make_warehouse(killed.writable(), 2)
    (killed.staged("parquet") / "parquet.v2").mkdir()
    killed._lock_handle.close()
    nxt = begun(published)
    assert list(nxt.private.iterdir()) == []
    assert stat.S_IMODE(nxt.private.stat().st_mode) == 0o700
    assert list(nxt.stage.iterdir()) == [] and not parquet_root(published).exists()
    assert scalar(published, "select v from t") == 1
    nxt.finish()
    assert not nxt.private.exists() and not nxt.stage.exists()


@pytest.mark.unit
def test_the_loader_keeps_its_temporary_copies_in_the_private_folder(tmp_path, monkeypatch):
    from ingest_helpers import KEY, connect

    import assets.raw.file_load as file_load
    import assets.raw.ingest as ingest

    seen = []
    original = file_load.open_sources

    def recording(file, rel, scratch, *args, **kwargs):
        seen.append(Path(scratch))
        return original(file, rel, scratch, *args, **kwargs)

    monkeypatch.setattr(file_load, "open_sources", recording)
    raw, private = tmp_path / "raw", tmp_path / "private"
    raw.mkdir()
    private.mkdir(mode=0o700)
    shutil.copy(SAMPLE_RAW / "Calls.Export.7f3a2c.zip", raw)
    con = connect()
    ingest.ingest_folder(con, raw, KEY, private=private)
    assert seen and all(private in p.parents for p in seen)
    assert list(private.iterdir()) == [], "removed when the load ends"


@pytest.mark.pipeline
@reproducible(max_examples=2)
@given(how=st.sampled_from(DAMAGE), salt=st.integers(min_value=0, max_value=2**32))
def test_a_run_over_a_damaged_export_succeeds_and_what_it_publishes_agrees(tmp_path, how, salt):
    """The run succeeds, the good exports load whole, the damaged one's lines are all counted, and
    the warehouse, the Parquet layer and the REMM report hold the same rows."""
    folder = Path(tmp_path) / f"{how}-{salt}"
    raw, warehouse = folder / "raw", folder / "warehouse" / "resfritt.duckdb"
    raw.mkdir(parents=True)
    good, seed = sorted(LINE_SEEDS)[:2]
    (raw / good).write_bytes(LINE_SEEDS[good])
    damaged = damage_text(LINE_SEEDS[seed], how, random.Random(salt))
    (raw / f"damaged_{seed}").write_bytes(damaged)
    assert run_pipeline(raw, warehouse).success
    files = {path: (status, rows_in) for path, status, rows_in in query_files(warehouse)}
    assert files[good] == ("loaded", data_lines(LINE_SEEDS[good]))
    status, rows_in = files[f"damaged_{seed}"]
    if status not in ("unrecognized", "unreadable"):
        assert rows_in == data_lines(damaged)
    counts = published_counts(warehouse)
    assert all(w == p for w, p in counts.values()), counts
    assert counts["staging.meeting_activity"][0] > 0
    in_report, in_warehouse = remm_rows(warehouse)
    assert in_report == in_warehouse


def query_files(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select path, any_value(status), sum(rows_in) from ops.files group by path"
        ).fetchall()

"""The warehouse never breaks: atomic publish, killed runs, readers during a run, two writers."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pipeline_helpers import REFERENCE, ROOT, SAMPLE_RAW, query, resources_for, run_pipeline, scalar
from publication_helpers import begun, make_warehouse, published_with

from assets import filecopy
from assets.filecopy import METHODS, clone_or_copy
from assets.warehouse import Publication, Warehouse, WarehouseBusy

BIN = Path(sys.executable).parent
HEADER = "Månad;Organisation;Rum;Antal möten;Total mötestid (tim:min);Snitt deltagare\n"
MEETINGS = "select sum(meetings) from marts.virtual_meetings"


def _video_file(folder: Path, name: str, month: str, meetings: int) -> None:
    row = f"{month};Falu kommun;Falun Stadshuset VR1;{meetings};1:00;2\n"
    (folder / name).write_text(HEADER + row, encoding="cp1252")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _headless(tmp: Path, raw: Path, warehouse: Path, name: str) -> subprocess.Popen:
    """`dagster asset materialize --select '*'` in its own process group, output to a file."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        RESFRITT_RAW_DIR=str(raw),
        RESFRITT_WAREHOUSE=str(warehouse),
        RESFRITT_REFERENCE_DIR=str(REFERENCE),
        DAGSTER_DISABLE_TELEMETRY="1",
        HOME=str(tmp),
    )
    log = (tmp / f"{name}.log").open("w")
    return subprocess.Popen(
        [str(BIN / "dagster"), "asset", "materialize", "-m", "pipeline.definitions"]
        + ["--select", "*"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.unit
def test_a_killed_runs_leftover_build_is_removed_when_the_next_run_begins(tmp_path):
    published = published_with(tmp_path)
    leftover = tmp_path / "w.duckdb.build"
    leftover.write_bytes(b"half a database")
    (tmp_path / "w.duckdb.build.wal").write_bytes(b"half a log")
    publication = begun(published)
    assert not leftover.exists() and not (tmp_path / "w.duckdb.build.wal").exists()
    assert publication.readable() == published
    publication.finish()


@pytest.mark.unit
def test_a_clone_or_copy_holds_the_sources_bytes_and_names_its_method(tmp_path, monkeypatch):
    source = tmp_path / "w.duckdb"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    target = tmp_path / "w.duckdb.build"
    target.write_bytes(b"a longer leftover " * 400_000)
    assert clone_or_copy(source, target) in METHODS
    assert target.read_bytes() == source.read_bytes()

    def refused(*_args):
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr(filecopy.fcntl, "ioctl", refused)
    monkeypatch.setattr(filecopy.os, "copy_file_range", refused)
    assert clone_or_copy(source, target) == "copy"
    assert target.read_bytes() == source.read_bytes()


@pytest.mark.unit
def test_the_build_copy_says_how_it_was_made(tmp_path):
    published = published_with(tmp_path)
    publication = begun(published)
    assert _digest(publication.writable()) == _digest(published)
    (copy,) = publication.copies
    assert copy.startswith("w.duckdb -> w.duckdb.build: ")
    assert copy.split(": ")[1].split(",")[0] in METHODS
    publication.finish()


@pytest.mark.unit
def test_a_failed_run_drops_its_build_and_leaves_the_published_file_alone(tmp_path):
    published = published_with(tmp_path)
    before = _digest(published)
    publication = begun(published)
    make_warehouse(publication.writable(), 2)
    publication.failed.append("check staging/meeting_activity:rows_keep_the_contract failed")
    assert publication.finish() is False
    assert _digest(published) == before
    assert not publication.build.exists()


@pytest.mark.unit
def test_a_second_writer_waits_and_then_refuses_with_a_clear_message(tmp_path):
    published = tmp_path / "w.duckdb"
    first = begun(published)
    waits = []
    second = Publication(published, lock_timeout_s=0.5)
    with pytest.raises(WarehouseBusy, match="RESFRITT_LOCK_TIMEOUT_S.*nothing was changed"):
        second.begin(waits.append)
    assert len(waits) == 1 and "Another resfritt run is writing" in waits[0]
    first.finish()
    second.begin()  # free again
    second.finish()


@pytest.mark.unit
def test_an_open_reader_keeps_its_snapshot_and_a_new_connection_sees_the_publication(tmp_path):
    published = published_with(tmp_path)
    reader = duckdb.connect(str(published), read_only=True)
    publication = begun(published)
    with duckdb.connect(str(publication.writable())) as con:
        con.execute("update t set v = 2")
    assert reader.execute("select v from t").fetchall() == [(1,)]
    assert publication.finish() is True
    assert reader.execute("select v from t").fetchall() == [(1,)], "old inode, old data"
    reader.close()
    assert scalar(published, "select v from t") == 2


@dg.asset
def writes_then_succeeds(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        con.execute("create table written as select 1 as v")


@dg.asset(deps=[writes_then_succeeds])
def fails_outside_the_warehouse(warehouse: Warehouse) -> None:
    raise RuntimeError("a bug after the write")


@pytest.mark.pipeline
def test_a_step_failing_outside_connect_still_stops_the_publication(tmp_path):
    published = published_with(tmp_path)
    before = _digest(published)
    result = dg.materialize(
        [writes_then_succeeds, fails_outside_the_warehouse],
        resources={"warehouse": Warehouse(path=str(published), lock_timeout_s=5)},
        raise_on_error=False,
    )
    assert not result.success
    assert _digest(published) == before
    assert not (tmp_path / "w.duckdb.build").exists()


@pytest.mark.pipeline
def test_the_pseudonym_key_appears_in_no_log_run_config_or_warehouse(
    tmp_path, monkeypatch, dagster_home
):
    monkeypatch.delenv("RESFRITT_PSEUDONYM_KEY", raising=False)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "Calls.Export.7f3a2c.zip").write_bytes(
        (SAMPLE_RAW / "Calls.Export.7f3a2c.zip").read_bytes()
    )
    warehouse = tmp_path / "wh" / "resfritt.duckdb"
    result = run_pipeline(raw, warehouse)
    assert result.success
    key = (warehouse.with_name(".pseudonym_key")).read_text(encoding="utf-8").strip()
    assert len(key) == 64
    assert scalar(warehouse, "select count(*) from raw.teams_pstn") > 0
    text = "\n".join(
        [str(e.message) for e in result.all_events]
        + [repr(e.event_specific_data) for e in result.all_events]
        + [repr(result.dagster_run.run_config), repr(result.dagster_run.tags)]
    )
    assert key not in text
    assert key.encode() not in warehouse.read_bytes()
    config = resources_for(raw, warehouse)["inputs"]
    assert key not in repr(config)


@pytest.mark.integration
def test_a_run_killed_mid_load_leaves_the_published_warehouse_as_it_was(workspace):
    raw, warehouse, tmp = workspace["raw"], workspace["warehouse"], workspace["tmp"]
    _video_file(raw, "video_2014.csv", "2014-03", 4)
    assert run_pipeline(raw, warehouse).success
    before = _digest(warehouse)
    build = warehouse.with_name(warehouse.name + ".build")

    _video_file(raw, "video_2015.csv", "2015-03", 6)
    run = _headless(tmp, raw, warehouse, "killed")
    deadline = time.monotonic() + 240
    while not build.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert build.exists(), (tmp / "killed.log").read_text()[-3000:]
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)

    assert _digest(warehouse) == before
    assert scalar(warehouse, MEETINGS) == 4
    assert run_pipeline(raw, warehouse).success, "the next run recovers by itself"
    assert scalar(warehouse, MEETINGS) == 10
    assert not build.exists()


@pytest.mark.integration
def test_a_notebook_reads_through_a_whole_run_and_sees_new_data_after_reconnecting(workspace):
    raw, warehouse, tmp = workspace["raw"], workspace["warehouse"], workspace["tmp"]
    _video_file(raw, "video_2014.csv", "2014-03", 4)
    assert run_pipeline(raw, warehouse).success
    _video_file(raw, "video_2015.csv", "2015-03", 6)

    notebook = duckdb.connect(str(warehouse), read_only=True)
    run = _headless(tmp, raw, warehouse, "while_reading")
    reads = 0
    while run.poll() is None:
        assert notebook.execute(MEETINGS).fetchall() == [(4,)]
        reads += 1
        time.sleep(0.1)
    assert run.returncode == 0, (tmp / "while_reading.log").read_text()[-3000:]
    assert reads > 10
    assert notebook.execute(MEETINGS).fetchall() == [(4,)], "the open connection keeps its file"
    notebook.close()
    assert scalar(warehouse, MEETINGS) == 10


@pytest.mark.integration
def test_two_headless_runs_at_once_count_nothing_twice(workspace):
    raw, warehouse, tmp = workspace["raw"], workspace["warehouse"], workspace["tmp"]
    _video_file(raw, "video_2014.csv", "2014-03", 4)
    _video_file(raw, "video_2015.csv", "2015-03", 6)
    single = tmp / "single" / "resfritt.duckdb"
    assert run_pipeline(raw, single).success

    runs = [_headless(tmp, raw, warehouse, f"run{i}") for i in (1, 2)]
    codes = [r.wait(timeout=600) for r in runs]
    logs = [(tmp / f"run{i}.log").read_text() for i in (1, 2)]
    assert codes == [0, 0], [log[-3000:] for log in logs]
    assert any("waiting up to" in log for log in logs), "one run waited for the other's lock"

    counts = (
        "select (select count(*) from raw.telia_video_rooms), "
        "(select sum(rows_loaded) from ops.files), (select count(*) from ops.files), "
        "(select count(*) from staging.meeting_activity), (select sum(meetings) from "
        "marts.virtual_meetings)"
    )
    assert query(warehouse, counts) == query(single, counts) == [(2, 2, 2, 2, 10)]


@pytest.mark.unit
def test_the_run_queue_lets_one_run_at_a_time_write_the_warehouse():
    import yaml

    from pipeline.definitions import defs

    settings = yaml.safe_load((ROOT / "pipeline" / "dagster.yaml").read_text(encoding="utf-8"))
    runs = settings["concurrency"]["runs"]
    # UI-launched asset runs carry no job tags, so only the global limit queues them.
    assert runs["max_concurrent_runs"] == 1
    assert {"key": "resfritt/warehouse", "limit": 1} in runs["tag_concurrency_limits"]
    assert defs.resolve_job_def("refresh_warehouse").tags["resfritt/warehouse"] == "writer"
    assert "resfritt/warehouse" not in defs.resolve_implicit_global_asset_job_def().tags

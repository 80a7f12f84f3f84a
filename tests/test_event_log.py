"""The event log of pipeline/dagster.yaml: Dagster's SQLite storage, keeping its files open."""

import shutil
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pipeline import event_log
from pipeline.event_log import OPEN_FILES, SqliteEventLog

ROOT = Path(__file__).resolve().parent.parent
STOCK = "telemetry:\n  enabled: false\n"


@dg.asset
def trips() -> int:
    return 3


@dg.asset_check(asset=trips)
def trips_are_few() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


DEFS = dg.Definitions(assets=[trips], asset_checks=[trips_are_few])
JOB = DEFS.resolve_implicit_global_asset_job_def()


def instance_at(home: Path, config: str | None = None) -> dg.DagsterInstance:
    """An instance of `home` configured by pipeline/dagster.yaml, or by the given text."""
    home.mkdir(parents=True, exist_ok=True)
    if config is None:
        shutil.copy(ROOT / "pipeline" / "dagster.yaml", home / "dagster.yaml")
    else:
        (home / "dagster.yaml").write_text(config, encoding="utf-8")
    return dg.DagsterInstance.from_config(str(home))


def stored(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The types of a run's stored events, in order."""
    records = instance.all_logs(run_id)
    return [r.dagster_event_type.value for r in records if r.is_dagster_event]


@pytest.mark.integration
def test_the_project_instance_uses_the_event_log_that_keeps_its_files_open(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    with instance_at(tmp_path / "home") as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, SqliteEventLog)
        # Dagster's default place, so the history of earlier runs stays visible.
        assert Path(storage._base_dir) == tmp_path / "home" / "history" / "runs"


@pytest.mark.integration
def test_it_stores_exactly_what_dagsters_own_sqlite_storage_stores(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "ours"))
    with instance_at(tmp_path / "ours") as ours, instance_at(tmp_path / "stock", STOCK) as stock:
        assert type(stock.event_log_storage).__name__ == "SqliteEventLogStorage"
        runs = [JOB.execute_in_process(instance=i).run_id for i in (ours, stock, ours)]
        assert stored(ours, runs[0]) == stored(stock, runs[1]) == stored(ours, runs[2])
        assert stored(ours, runs[0]).count("ASSET_MATERIALIZATION") == 1
        assert stored(ours, runs[0]).count("ASSET_CHECK_EVALUATION") == 1
    # A new process (another instance over the same files) reads both runs and the index.
    with instance_at(tmp_path / "ours") as reader:
        key = dg.AssetKey("trips")
        assert len(reader.fetch_materializations(key, limit=10).records) == 2
        assert stored(reader, runs[2]) == stored(reader, runs[0])
        check = reader.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(key, "trips_are_few")]
        )
        assert check[dg.AssetCheckKey(key, "trips_are_few")].run_id == runs[2]


@pytest.mark.integration
def test_a_run_opens_each_file_once_and_only_the_last_few_stay_open(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    created = []
    real = sa.create_engine

    def counted(url, **options):
        created.append(url)
        return real(url, **options)

    monkeypatch.setattr(event_log.sa, "create_engine", counted)
    with instance_at(tmp_path / "home") as instance:
        first = JOB.execute_in_process(instance=instance)
        # Two engines, the run's own file and the cross-run index, for all of its 19 events.
        assert len(instance.all_logs(first.run_id)) == 19
        assert sorted(Path(url).name for url in created) == [f"{first.run_id}.db", "index.db"]
        for _ in range(OPEN_FILES + 1):
            JOB.execute_in_process(instance=instance)
        assert len(instance.event_log_storage._engines) == OPEN_FILES
    assert instance.event_log_storage._engines == {}

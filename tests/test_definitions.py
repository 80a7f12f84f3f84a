"""The Definitions load, the schedule runs nightly in Stockholm, the sensor reacts to content."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator
from pipeline_helpers import ROOT, SAMPLE_RAW, resources_for, scalar

from assets.raw.manifest import LoadedFiles, loaded_files
from pipeline.definitions import defs, make_definitions
from pipeline.schedules import nightly_refresh
from pipeline.sensors import raw_folder_sensor

BIN = Path(sys.executable).parent


def test_assets_sit_in_three_layers_raw_staging_marts():
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups >= {"raw", "staging", "marts"}
    keys = {"/".join(k.path) for k in graph.get_all_asset_keys()}
    assert {
        "ops/files",
        "ops/quarantine",
        "staging/meeting_activity",
        "staging/trips",
        "marts/virtual_meetings",
        "marts/municipality_progress",
    } <= keys


def test_every_asset_and_check_explains_itself_in_one_to_three_sentences():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        text = graph.get(key).description or ""
        sentences = [s for s in text.replace("\n", " ").split(". ") if s.strip()]
        assert 1 <= len(sentences) <= 3, (key, text)
    for checks in defs.asset_checks:
        for spec in checks.check_specs:
            assert spec.description, spec.key


def test_runs_use_the_in_process_executor_and_the_warehouse_tag():
    job = defs.resolve_job_def("refresh_warehouse")
    assert job.executor_def.name == "in_process"
    assert job.tags.get("resfritt/warehouse") == "writer"


def test_schedule_runs_at_two_in_the_night_stockholm_time_all_year():
    assert nightly_refresh.cron_schedule == "0 2 * * *"
    assert nightly_refresh.execution_timezone == "Europe/Stockholm"
    assert nightly_refresh.default_status == dg.DefaultScheduleStatus.RUNNING
    stockholm = ZoneInfo("Europe/Stockholm")
    for day in (
        dt.datetime(2026, 1, 15, 2, tzinfo=stockholm),
        dt.datetime(2026, 7, 15, 2, tzinfo=stockholm),
    ):
        context = dg.build_schedule_context(scheduled_execution_time=day)
        requests = list(nightly_refresh.evaluate_tick(context).run_requests or [])
        assert len(requests) == 1
    ticks = cron_string_iterator(
        dt.datetime(2026, 3, 27, 12, tzinfo=stockholm).timestamp(),
        nightly_refresh.cron_schedule,
        nightly_refresh.execution_timezone,
    )
    first, second, third = (next(ticks) for _ in range(3))
    # Summer time starts on 29 March 2026: 02:00 does not exist that night, so the run comes at
    # 03:00; from the next night on it is 02:00 summer time again (00:00 UTC instead of 01:00).
    assert [t.astimezone(stockholm).hour for t in (first, second, third)] == [2, 3, 2]
    assert [t.astimezone(dt.UTC).hour for t in (first, second, third)] == [1, 1, 0]


def _evaluate(raw: Path, warehouse: Path, cursor: str | None):
    resources = {
        "inputs": resources_for(raw, warehouse)["inputs"],
        "loaded_files": LoadedFiles(warehouse=str(warehouse)),
    }
    context = dg.build_sensor_context(cursor=cursor, resources=resources)
    result = raw_folder_sensor.evaluate_tick(context)
    return list(result.run_requests or []), result.cursor


def test_sensor_starts_one_run_for_a_new_file_and_none_for_an_unchanged_folder(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    shutil.copy(SAMPLE_RAW / "telia_videomote_2011-2013.csv", raw)
    requests, cursor = _evaluate(raw, warehouse, None)
    assert len(requests) == 1
    requests, cursor = _evaluate(raw, warehouse, cursor)
    assert requests == []
    os.utime(raw / "telia_videomote_2011-2013.csv")  # touched, same content: still nothing new
    requests, cursor = _evaluate(raw, warehouse, cursor)
    assert requests == []
    shutil.copy(SAMPLE_RAW / "telia_telemote_webb_2016.csv", raw)
    requests, cursor = _evaluate(raw, warehouse, cursor)
    assert len(requests) == 1
    assert "telia_telemote_webb_2016.csv" in requests[0].tags["resfritt/changed_files"]
    requests, _ = _evaluate(raw, warehouse, cursor)
    assert requests == []


def test_sensor_first_tick_starts_no_run_for_files_the_warehouse_holds(sample_warehouse, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(sample_warehouse.parent.parent / "raw", raw)
    for file in raw.rglob("*"):
        os.utime(file, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    held = loaded_files(sample_warehouse)
    assert "telia_videomote_2014.xlsx" in held
    assert len(held["telia_videomote_2014.xlsx"][2]) == 64  # the loader's SHA-256, hex
    # Touched: size and mtime differ from ops.files, so the sensor hashes each file, as the loader.
    requests, cursor = _evaluate(raw, sample_warehouse, None)
    assert requests == []
    assert {p: v[2] for p, v in json.loads(cursor).items()} == {
        p: v[2] for p, v in held.items() if p in json.loads(cursor)
    }
    claims = (SAMPLE_RAW / "resor_falun_2011-2024.csv").read_bytes()
    (raw / "resor_falun_2025.csv").write_bytes(claims.replace(b"2024", b"2025"))
    requests, cursor = _evaluate(raw, sample_warehouse, cursor)
    assert len(requests) == 1
    assert requests[0].tags["resfritt/changed_files"] == "resor_falun_2025.csv"


def test_no_warehouse_yet_means_every_file_is_new(workspace):
    assert loaded_files(workspace["warehouse"]) == {}


def test_make_definitions_uses_the_given_folders(workspace):
    custom = make_definitions(resources_for(workspace["raw"], workspace["warehouse"]))
    assert custom.resources["warehouse"].path == str(workspace["warehouse"])
    assert custom.resources["inputs"].raw_dir == str(workspace["raw"])


def test_resources_name_the_environment_variables_and_default_to_project_paths(monkeypatch):
    from pipeline.resources import PROJECT_ROOT, build_resources

    monkeypatch.setenv("RESFRITT_WAREHOUSE", "out/w.duckdb")
    monkeypatch.delenv("RESFRITT_RAW_DIR", raising=False)
    resources = build_resources()
    path = resources["warehouse"].path
    assert isinstance(path, dg.EnvVar) and path.env_var_name == "RESFRITT_WAREHOUSE"
    assert resources["inputs"].raw_dir == str(PROJECT_ROOT / "data" / "raw")
    assert resources["inputs"].key_file == str(Path("out") / ".pseudonym_key")
    definitions = make_definitions(resources)
    assert definitions.resources["loaded_files"].warehouse.env_var_name == "RESFRITT_WAREHOUSE"


@pytest.mark.integration
def test_definitions_validate_with_the_cli():
    result = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.integration
def test_headless_run_from_another_folder_without_dagster_home(tmp_path):
    raw = tmp_path / "drop"
    shutil.copytree(SAMPLE_RAW, raw)
    warehouse = tmp_path / "out" / "resfritt.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        RESFRITT_RAW_DIR="drop",
        RESFRITT_WAREHOUSE=str(warehouse),
        RESFRITT_REFERENCE_DIR=str(ROOT / "data" / "reference"),
        DAGSTER_DISABLE_TELEMETRY="1",
        HOME=str(tmp_path),
    )
    result = subprocess.run(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "pipeline.definitions",
            "--select",
            "*",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    total = scalar(
        warehouse,
        "select sum(meetings) from marts.virtual_meetings where programme = 'vi-mots-resfritt' "
        "and year = 2014 and platform = 'video_room'",
    )
    assert total == 1174


def test_the_mart_checks_keep_their_names_and_check_names():
    from assets.marts.checks import MART_CHECKS

    names = {c.node_def.name: sorted(k.name for k in c.check_keys) for c in MART_CHECKS}
    expected = ["meetings_add_up_to_staging", "rows_keep_the_contract", "rows_look_plausible"]
    assert names == {
        "virtual_meetings_checks": expected,
        "municipality_progress_checks": expected,
    }

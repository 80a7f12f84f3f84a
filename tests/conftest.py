"""Shared fixtures: a private DAGSTER_HOME, the sample warehouse and a workspace per test."""

import os
import shutil
from pathlib import Path

import pytest
from pipeline_helpers import SAMPLE_RAW, run_pipeline


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory) -> Path:
    """Runs keep no history in ~/.dagster and send no telemetry."""
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("RESFRITT_PSEUDONYM_KEY", "test-key-not-secret")
    return home


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory, dagster_home) -> Path:
    """The bundled sample data, run once through the whole pipeline."""
    folder = tmp_path_factory.mktemp("sample")
    raw = folder / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    warehouse = folder / "warehouse" / "resfritt.duckdb"
    result = run_pipeline(raw, warehouse)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return warehouse


@pytest.fixture
def workspace(tmp_path) -> dict:
    """An empty drop folder and warehouse path for one test."""
    raw = tmp_path / "raw"
    raw.mkdir()
    return {"raw": raw, "warehouse": tmp_path / "warehouse" / "resfritt.duckdb", "tmp": tmp_path}

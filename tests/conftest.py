"""Shared test set-up: a private DAGSTER_HOME and pipeline runs over temporary folders."""

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW = ROOT / "data" / "raw"
REFERENCE = ROOT / "data" / "reference"
WILD = ROOT.parent / "shared" / "fixtures" / "wild"
# The real exports are not redistributable: they live in ../shared beside a checkout, not in it.
needs_wild = pytest.mark.skipif(
    not WILD.is_dir(),
    reason=f"real exports not found at {WILD}: place the project's shared/ folder beside the clone",
)
EXPECTED = json.loads((ROOT / "tests" / "expected_samples.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory) -> Path:
    """Runs keep no history in ~/.dagster and send no telemetry."""
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("RESFRITT_PSEUDONYM_KEY", "test-key-not-secret")
    return home


def resources_for(raw: Path, warehouse: Path, reference: Path = REFERENCE) -> dict:
    from assets.settings import Inputs
    from assets.warehouse import Warehouse

    return {
        "warehouse": Warehouse(path=str(warehouse), lock_timeout_s=60),
        "inputs": Inputs(
            raw_dir=str(raw),
            reference_dir=str(reference),
            key_file=str(warehouse.with_name(".pseudonym_key")),
            settle_s=0.0,  # tests write a file and run at once
        ),
    }


def run_pipeline(raw: Path, warehouse: Path, reference: Path = REFERENCE, selection=None):
    """Materialize every asset (or a selection) with checks, as the headless run does."""
    from pipeline.definitions import make_definitions

    defs = make_definitions(resources_for(raw, warehouse, reference))
    job = defs.resolve_implicit_global_asset_job_def()
    if selection is not None:
        job = job.get_subset(asset_selection=selection)
    return job.execute_in_process(raise_on_error=False)


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def scalar(warehouse: Path, sql: str, params=None):
    return query(warehouse, sql, params)[0][0]


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

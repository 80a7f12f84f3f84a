"""What pipeline tests share: the sample folders, a run over temporary folders, and queries of
the warehouse it builds."""

import json
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

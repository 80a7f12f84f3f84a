"""Resources from the environment, so one codebase serves a laptop, a server and the tests."""

from __future__ import annotations

import os
from pathlib import Path

from assets.settings import Inputs
from assets.warehouse import Warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(name: str, default: str) -> str:
    """A path from the environment (relative to the working directory), else the project default."""
    if os.environ.get(name):
        return str(Path(os.environ[name]).resolve())
    return str(PROJECT_ROOT / default)


def build_resources() -> dict:
    warehouse = _setting("RESFRITT_WAREHOUSE", "data/warehouse/resfritt.duckdb")
    return {
        "warehouse": Warehouse(
            path=warehouse,
            lock_timeout_s=float(os.environ.get("RESFRITT_LOCK_TIMEOUT_S", "900")),
            memory_limit=os.environ.get("RESFRITT_DUCKDB_MEMORY_LIMIT", "768MB"),
        ),
        "inputs": Inputs(
            raw_dir=_setting("RESFRITT_RAW_DIR", "data/raw"),
            reference_dir=_setting("RESFRITT_REFERENCE_DIR", "data/reference"),
            key_file=str(Path(warehouse).with_name(".pseudonym_key")),
            settle_s=float(os.environ.get("RESFRITT_SETTLE_S", "2")),
        ),
    }

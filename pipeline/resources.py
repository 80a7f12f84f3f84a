"""Resources from the environment, so one codebase serves a laptop, a server and the tests.

A path set in the environment is passed as a `dg.EnvVar` (the UI shows the variable, the run reads
its value; a relative path is taken from the working directory); unset, the project's default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from assets.settings import Inputs
from assets.warehouse import Warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_ENV = "RESFRITT_WAREHOUSE"
WAREHOUSE_DEFAULT = "data/warehouse/resfritt.duckdb"


def _setting(name: str, default: str) -> str:
    """The environment variable if it is set, else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def _path(name: str, default: str) -> str:
    """The environment variable if it is set, else the project's default path."""
    return _setting(name, str(PROJECT_ROOT / default))


def warehouse_path() -> Path:
    """The warehouse file this environment names, resolved (for tools outside a run)."""
    return Path(os.environ.get(WAREHOUSE_ENV) or PROJECT_ROOT / WAREHOUSE_DEFAULT).resolve()


def build_resources() -> dict:
    # The key file lives beside the warehouse; the environment may name it relatively.
    warehouse = os.environ.get(WAREHOUSE_ENV) or str(PROJECT_ROOT / WAREHOUSE_DEFAULT)
    return {
        "warehouse": Warehouse(
            path=_path(WAREHOUSE_ENV, WAREHOUSE_DEFAULT),
            lock_timeout_s=float(os.environ.get("RESFRITT_LOCK_TIMEOUT_S", "900")),
            memory_limit=_setting("RESFRITT_DUCKDB_MEMORY_LIMIT", "768MB"),
        ),
        "inputs": Inputs(
            raw_dir=_path("RESFRITT_RAW_DIR", "data/raw"),
            reference_dir=_path("RESFRITT_REFERENCE_DIR", "data/reference"),
            key_file=str(Path(warehouse).with_name(".pseudonym_key")),
            settle_s=float(os.environ.get("RESFRITT_SETTLE_S", "2")),
        ),
    }

"""Marts: what analysts query — virtual meetings and progress against the programmes' targets.

Each mart is one SQL file beside this module, run after common.sql, and one entry in marts.toml
(the tables it reads, its description); it is rebuilt when the fingerprint of its declared deps
or of its code changes (assets/freshness.py).
"""

import tomllib
from pathlib import Path

import dagster as dg

from ..fingerprint import code_fingerprint
from ..freshness import rebuild_if_changed, table_asset
from ..warehouse import Warehouse

HERE = Path(__file__).parent
COMMON_SQL = (HERE / "common.sql").read_text(encoding="utf-8")
CODE = code_fingerprint(__name__)
# common.sql reads these in every mart.
REFERENCE = [
    dg.AssetKey(["ref", n]) for n in ("municipalities", "programme_members", "factors", "distances")
]


def sql_mart(name: str, reads: list[str], description: str) -> dg.AssetsDefinition:
    """The mart `marts.<name>`, built by `<name>.sql` from the tables it `reads` (its deps)."""
    deps = [*(dg.AssetKey(table.split(".")) for table in reads), *REFERENCE]
    sql = (HERE / f"{name}.sql").read_text(encoding="utf-8")

    @dg.asset(**table_asset(dg.AssetKey(["marts", name]), deps, CODE, description))
    def mart(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        return rebuild_if_changed(context, warehouse, CODE, sql, COMMON_SQL)

    return mart


# In build order (marts.toml lists them so).
MARTS = [
    sql_mart(name, mart["reads"], mart["description"])
    for name, mart in tomllib.loads((HERE / "marts.toml").read_text(encoding="utf-8")).items()
]
# Each mart by its name (marts.<name>).
BY_NAME = {mart.key.path[-1]: mart for mart in MARTS}

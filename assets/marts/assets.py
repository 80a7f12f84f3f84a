"""Marts: what analysts query — virtual meetings and progress against the programmes' targets.

Each mart is one SQL file beside this module, run after common.sql, and one entry in marts.toml
(the tables it reads, its description); it is rebuilt when the fingerprint of its declared deps
or of its code changes (assets/freshness.py).
"""

import tomllib
from pathlib import Path

import dagster as dg

from ..fingerprint import built_from, code_fingerprint
from ..freshness import (
    build_unless_unchanged,
    declared_inputs,
    rebuild_if_changed,
    table_asset,
    table_of,
)
from ..warehouse import Warehouse
from .increment import build_mart, reads_but_files

HERE = Path(__file__).parent
COMMON_SQL = (HERE / "common.sql").read_text(encoding="utf-8")
# What the marts built by municipality and year read the staged meetings through (increment.py).
MEETING_ROWS_SQL = (HERE / "meeting_rows.sql").read_text(encoding="utf-8")
CODE = code_fingerprint(__name__)
# common.sql reads these in every mart.
REFERENCE = [
    dg.AssetKey(["ref", n]) for n in ("municipalities", "programme_members", "factors", "distances")
]


def sql_mart(
    name: str, reads: list[str], description: str, by_municipality_and_year: bool = False
) -> dg.AssetsDefinition:
    """The mart `marts.<name>`, built by `<name>.sql` from the tables it `reads` (its deps)."""
    deps = [*(dg.AssetKey(table.split(".")) for table in reads), *REFERENCE]
    sql = (HERE / f"{name}.sql").read_text(encoding="utf-8")

    @dg.asset(**table_asset(dg.AssetKey(["marts", name]), deps, CODE, description))
    def mart(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        if by_municipality_and_year:
            return build_by_municipality_and_year(context, warehouse, sql)
        return rebuild_if_changed(context, warehouse, CODE, sql, COMMON_SQL)

    return mart


def build_by_municipality_and_year(
    context: dg.AssetExecutionContext, warehouse: Warehouse, sql: str
) -> dg.MaterializeResult:
    """Build the mart unless unchanged: for the municipalities and years of new files only when
    the staged meetings only gained files (increment.py), else whole."""

    def build(con) -> str:
        con.execute(COMMON_SQL + MEETING_ROWS_SQL)
        base = built_from(con, reads_but_files(declared_inputs(context)), CODE)
        return build_mart(con, table_of(context.asset_key), sql, base)

    return build_unless_unchanged(context, warehouse, CODE, build)


# In build order (marts.toml lists them so).
MARTS = [
    sql_mart(name, mart["reads"], mart["description"], mart.get("by_municipality_and_year", False))
    for name, mart in tomllib.loads((HERE / "marts.toml").read_text(encoding="utf-8")).items()
]
# Each mart by its name (marts.<name>).
BY_NAME = {mart.key.path[-1]: mart for mart in MARTS}

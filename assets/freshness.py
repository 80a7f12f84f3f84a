"""The one fingerprint policy on Dagster's side: an asset's inputs are its declared deps, its code
is its module's (assets/fingerprint.py), and the result is mirrored into the asset's data version
so the Dagster UI shows what is stale."""

from collections.abc import Callable

import dagster as dg
import duckdb

from .db import table_exists
from .fingerprint import built_from, record, recorded
from .metadata import table_metadata, unchanged_metadata


def table_of(key: dg.AssetKey) -> str:
    """The warehouse table (or ledger name) of an asset key: ["marts", "x"] is `marts.x`."""
    return ".".join(key.path)


def declared_inputs(context: dg.AssetExecutionContext, key: dg.AssetKey | None = None) -> list[str]:
    """The tables an asset reads, from its own declared deps (never from a second list)."""
    key = key or context.asset_key
    return sorted(table_of(dep) for dep in context.assets_def.asset_deps[key])


def versioned(result_metadata: dict, value: str, key: dg.AssetKey | None = None):
    """A MaterializeResult that carries the fingerprint as its data version."""
    return dg.MaterializeResult(
        asset_key=key, metadata=result_metadata, data_version=dg.DataVersion(value)
    )


def unchanged(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dg.MaterializeResult:
    """A skipped build: the table as it is, under its recorded fingerprint."""
    table = table_of(key)
    return versioned(unchanged_metadata(con, table), recorded(con, table) or "none", key)


def build_unless_unchanged(
    context: dg.AssetExecutionContext, warehouse, code: str, build: Callable[[object], str | None]
) -> dg.MaterializeResult:
    """Run `build(con)` on a write connection unless the asset's declared inputs and its code
    are as when it was last built; `build` may say how it built (shown as `built`)."""
    table = table_of(context.asset_key)
    with warehouse.read() as con:
        value = built_from(con, declared_inputs(context), code)
        if recorded(con, table) == value and _exists(con, table):
            return unchanged(con, context.asset_key)
    with warehouse.connect() as con:
        how = build(con)
        record(con, table, value)
        return versioned(table_metadata(con, table, **({"built": how} if how else {})), value)


def rebuild_if_changed(
    context: dg.AssetExecutionContext, warehouse, code: str, sql: str, setup: str = ""
) -> dg.MaterializeResult:
    """Run `sql` to rebuild the asset's table unless its declared inputs and its code are as
    when it was last built."""

    def whole(con) -> None:
        if setup:
            con.execute(setup)
        con.execute(sql)

    return build_unless_unchanged(context, warehouse, code, whole)


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, _, name = table.partition(".")
    return table_exists(con, schema, name)


def table_asset(key: dg.AssetKey, deps: list[dg.AssetKey], code: str, description: str) -> dict:
    """The arguments of `@dg.asset` for one table built by SQL from its deps: in the group of its
    schema (staging, marts), versioned by its code."""
    return {
        "key": key,
        "group_name": key.path[0],
        "deps": deps,
        "kinds": {"duckdb"},
        "code_version": code,
        "description": description,
    }

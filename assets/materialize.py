"""Helpers every layer uses to describe a table in the Dagster UI and to skip no-op rebuilds."""

from __future__ import annotations

import hashlib

import dagster as dg
import duckdb

from schemas.columns import column_descriptions

PREVIEW_ROWS = 8

BUILDS_DDL = """
create schema if not exists ops;
create table if not exists ops.builds (asset varchar, fingerprint varchar, built_at timestamp)
"""


def markdown_preview(con: duckdb.DuckDBPyConnection, table: str, rows: int = PREVIEW_ROWS) -> str:
    """The first rows of a table as a markdown table for the asset's materialization page."""
    result = con.execute(f"select * from {table} limit {int(rows)}")
    names = [d[0] for d in result.description]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in result.fetchall():
        cells = ["" if v is None else str(v).replace("|", "\\|") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def column_schema(con: duckdb.DuckDBPyConnection, table: str) -> dg.TableSchema:
    """The table's columns as built, each with its type and what it means (schemas/columns.py)."""
    schema, name = table.split(".", 1)
    described = column_descriptions(table)
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(column, kind, description=described.get(column))
            for column, kind in columns
        ]
    )


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, **extra) -> dict:
    """Row count, preview and column descriptions of a warehouse table, plus any extra figures."""
    count = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return {
        "table": table,
        "dagster/row_count": dg.MetadataValue.int(count),
        "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(con, table)),
        "preview": dg.MetadataValue.md(markdown_preview(con, table)),
        **extra,
    }


def unchanged_metadata(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    """What a skipped rebuild shows: the table's current row count and preview, flagged."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema || '.' || table_name = ?",
        [table],
    ).fetchall()[0][0]
    if not exists:
        return {"unchanged": True, "table": table}
    return table_metadata(con, table, unchanged=True)


def fingerprint_of(con: duckdb.DuckDBPyConnection, queries: list[str]) -> str:
    """A hash of what the given queries return: the inputs a rebuild depends on."""
    digest = hashlib.sha256()
    for query in queries:
        digest.update(repr(con.execute(query).fetchall()).encode())
    return digest.hexdigest()[:16]


def last_fingerprint(con: duckdb.DuckDBPyConnection, asset: str) -> str | None:
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'ops' and table_name = 'builds'"
    ).fetchall()[0][0]
    if not exists:
        return None
    row = con.execute(
        "select fingerprint from ops.builds where asset = ? order by built_at desc limit 1", [asset]
    ).fetchall()
    return row[0][0] if row else None


def record_fingerprint(con: duckdb.DuckDBPyConnection, asset: str, fingerprint: str) -> None:
    con.execute(BUILDS_DDL)
    con.execute("delete from ops.builds where asset = ?", [asset])
    con.execute("insert into ops.builds values (?, ?, current_timestamp)", [asset, fingerprint])


def upstream_fingerprint(con: duckdb.DuckDBPyConnection, builds: list[str], salt: str) -> str:
    """A hash of the upstream builds' fingerprints and this asset's own logic (its SQL)."""
    digest = hashlib.sha256(salt.encode())
    for build in builds:
        digest.update(str(last_fingerprint(con, build)).encode())
    return digest.hexdigest()[:16]


def rebuild_if_changed(
    warehouse, table: str, builds: list[str], sql: str, setup: str = ""
) -> dg.MaterializeResult:
    """Run `sql` to rebuild `table` unless its inputs and its SQL are as last time."""
    with warehouse.read() as con:
        fingerprint = upstream_fingerprint(con, builds, setup + sql)
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema || '.' || table_name = ?",
            [table],
        ).fetchall()[0][0]
        if exists and last_fingerprint(con, table) == fingerprint:
            return dg.MaterializeResult(metadata=unchanged_metadata(con, table))
    with warehouse.connect() as con:
        if setup:
            con.execute(setup)
        con.execute(sql)
        record_fingerprint(con, table, fingerprint)
        return dg.MaterializeResult(metadata=table_metadata(con, table))

"""How every layer describes a table in the Dagster UI: row count, columns and a preview."""

from __future__ import annotations

import dagster as dg
import duckdb

from schemas.columns import column_descriptions

from .db import scalar, table_exists

PREVIEW_ROWS = 8


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
    count = scalar(con, f"select count(*) from {table}")
    return {
        "table": table,
        "dagster/row_count": dg.MetadataValue.int(count),
        "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(con, table)),
        "preview": dg.MetadataValue.md(markdown_preview(con, table)),
        **extra,
    }


def unchanged_metadata(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    """What a skipped rebuild shows: the table's current row count and preview, flagged."""
    schema, _, name = table.partition(".")
    if not table_exists(con, schema, name):
        return {"unchanged": True, "table": table}
    return table_metadata(con, table, unchanged=True)

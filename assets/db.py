"""The few DuckDB helpers every layer needs: quoting, "does this table exist", one value."""

from __future__ import annotations

import duckdb


def lit(text: str) -> str:
    """A SQL string literal of a constant from the code or a contract (never of file content)."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier: any name a contract or a header gives is safe."""
    return '"' + name.replace('"', '""') + '"'


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params=None):
    """The first value of the first row of a query."""
    return con.execute(sql, params or []).fetchall()[0][0]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        scalar(
            con,
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        )
    )

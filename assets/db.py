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
            # duckdb_tables(), not information_schema.tables: the same rows in a third of the
            # time, and a run asks this a few hundred times
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, name],
        )
    )

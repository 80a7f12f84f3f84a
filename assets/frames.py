"""What the suites validate: the columns they need from a table, sampled when it is large."""

from __future__ import annotations

import dagster as dg
import duckdb

from schemas.expectations import Suite

from .checks import count_rows, exists, quoted
from .db import ident, table_exists

MAX_VALIDATED_ROWS = 50_000


def reference_codes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every municipality code in data/reference/municipalities.csv (as loaded)."""
    if not table_exists(con, "ref", "municipalities"):
        return frozenset()
    return frozenset(r[0] for r in con.execute("select code from ref.municipalities").fetchall())


def table_frame(con: duckdb.DuckDBPyConnection, key: dg.AssetKey, suite: Suite):
    """The columns a suite needs from a table, sampled when large (None if it does not exist)."""
    if not exists(con, key):
        return None
    present = {r[0] for r in con.execute(f"describe {quoted(key)}").fetchall()}
    columns = ", ".join(ident(c) for c in suite.columns if c in present)
    return con.execute(sampled(con, f"select {columns} from {quoted(key)}", key)).df()


def sampled(con: duckdb.DuckDBPyConnection, sql_from: str, key: dg.AssetKey) -> str:
    """Great Expectations validates pandas frames: above MAX_VALIDATED_ROWS, a repeatable sample.

    Every row already passed the same contract rules in SQL when it was loaded (ops.quarantine);
    the suites are the second line, and a 10-million-row frame would cost gigabytes. The sample
    takes whole vectors of rows (DuckDB's system sampling), so it costs what it reads.
    """
    rows = count_rows(con, key)
    if rows <= MAX_VALIDATED_ROWS:
        return sql_from
    percent = 100 * MAX_VALIDATED_ROWS / rows
    return f"{sql_from} using sample system({percent:.6f} percent) repeatable (42)"

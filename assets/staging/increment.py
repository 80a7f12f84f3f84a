"""When a staging table can take the rows of new files instead of being rebuilt.

Plain library code for the staging assets. A nightly run that brings one small file should cost
what the file costs, not what the history costs. A staging table is built from its kinds' raw
rows, and rows that several files share (same municipality and natural key) are kept once, the
copy of the first file by name. So the new files' rows can simply be added when three things
hold:
- everything the table reads other than the raw rows (its code, the reference tables) is as at
  the last build;
- every file version the last build held is still there, unchanged (no file was reloaded,
  renamed or emptied);
- no row of a new file shares its key with a row of another file (then it could replace a staged
  copy).
Otherwise the table is rebuilt whole, as before, and the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from schemas import Contract

from ..db import ident, table_exists
from ..fingerprint import (
    added_paths,
    fingerprint,
    rebuilt,
    record,
    record_files,
    recorded,
    recorded_files,
    without_files,
)
from ..raw.ingest import file_versions
from .transform import NEW_FILES


def new_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    contracts: tuple[Contract, ...],
    base: str,
    now: set[tuple] | None = None,
) -> list[str] | None:
    """The paths whose rows can be added to `table` (see the module docstring), given the file
    versions it would hold `now`; None when the table must be rebuilt whole."""
    schema, _, name = table.partition(".")
    if recorded(con, without_files(table)) != base or not table_exists(con, schema, name):
        return None
    if now is None:
        now = file_versions(con, [c.kind for c in contracts])
    added = added_paths(recorded_files(con, table), now)
    if added is None:
        return None
    if added and any(_shares_keys(con, c, added) for c in contracts if c.natural_key):
        return None
    return added


def _shares_keys(con: duckdb.DuckDBPyConnection, contract: Contract, added: list[str]) -> bool:
    """Whether a row of the added files has the key of a row of another file (by hash: a hash
    collision only costs a rebuild)."""
    key = ", ".join(["municipality_code", *(ident(k) for k in contract.natural_key)])
    table = f"raw.{ident(contract.kind)}"
    return bool(
        con.execute(
            f"""
            with added as (
                select distinct hash({key}) as h from {table}
                where list_contains($added, source_path)
            )
            select count(*) from {table}
            where not list_contains($added, source_path)
              and hash({key}) in (select h from added)
            """,
            {"added": added},
        ).fetchall()[0][0]
    )


def stage(
    con: duckdb.DuckDBPyConnection,
    table: str,
    contracts: tuple[Contract, ...],
    sql: Callable[[bool], str],
    base: str,
) -> list[str] | None:
    """Build `table` from its contracts' raw rows with `sql(only_new)`: by adding the new files'
    rows where it can, else whole; returns the paths added (None: rebuilt whole)."""
    files = file_versions(con, [c.kind for c in contracts])
    added = new_files(con, table, contracts, base, files)
    if added is None:
        con.execute(sql(False))
        record(con, rebuilt(table), fingerprint([base, repr(sorted(files, key=repr))], ""))
    elif added:
        con.execute(
            f"create or replace temp table {NEW_FILES} as select unnest(?::varchar[]) as path",
            [added],
        )
        con.execute(sql(True))
        con.execute(f"drop table {NEW_FILES}")
    record(con, without_files(table), base)
    record_files(con, table, files)
    return added

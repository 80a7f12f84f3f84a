"""When a mart can rebuild only the municipalities and years that new files touched.

Plain library code for the mart assets. A mart marked `by_municipality_and_year` in marts.toml
builds each of its rows from the staged meetings of one municipality (today's code) and year,
read through meeting_rows() (meeting_rows.sql). When staging.meeting_activity only gained files
since the mart was built (and nothing else it reads changed), the mart's rows for the municipalities
and years of those files' rows are built again and the others are kept: the same table a whole
rebuild gives, for the cost of what is new.
"""

from __future__ import annotations

import duckdb

from .. import fingerprint as ledger
from ..db import ident

MEETINGS = "staging.meeting_activity"


def reads_but_files(reads: list[str]) -> list[str]:
    """What a mart's build reads other than the staged meetings' files: the other tables, and
    how the staged meetings were built (their code and inputs, their last whole rebuild)."""
    return [
        *(t for t in reads if t != MEETINGS),
        ledger.without_files(MEETINGS),
        ledger.rebuilt(MEETINGS),
    ]


def new_meeting_files(con: duckdb.DuckDBPyConnection, mart: str, base: str) -> list[str] | None:
    """The files staging.meeting_activity gained since `mart` was built from the same rest; None
    when the mart must be built whole."""
    if ledger.recorded(con, ledger.without_files(mart)) != base:
        return None
    return (
        ledger.added_paths(ledger.recorded_files(con, mart), ledger.recorded_files(con, MEETINGS))
        or None
    )


def build_scoped(con: duckdb.DuckDBPyConnection, mart: str, sql: str, added: list[str]) -> None:
    """Run the mart's SQL over the municipalities and years of the added files' staged rows
    only, and keep the mart's other rows as they were."""
    con.execute(
        """
        create or replace temp table mart_today_scope as
        select distinct c.today_code, cast(year(a.period_start) as integer) as year
        from staging.meeting_activity a
        join current_code c on c.code = a.municipality_code
        where list_contains(?, a.source_path)
        """,
        [added],
    )
    if not con.execute("select count(*) from mart_today_scope").fetchall()[0][0]:
        # the new files staged no row a mart counts: nothing to build again (an empty
        # mart_scope would mean every row)
        con.execute("drop table mart_today_scope")
        return
    con.execute(
        """
        insert into mart_scope
        select c.code, s.year from mart_today_scope s join current_code c using (today_code)
        """
    )
    table = ".".join(ident(part) for part in mart.split("."))
    con.execute(
        f"""
        create or replace temp table mart_kept as
        select * from {table} m
        anti join mart_today_scope s
          on s.today_code = m.municipality_code and s.year is not distinct from m.year
        """
    )
    con.execute(sql)
    con.execute(
        f"create or replace table {table} as "
        f"select * from (from {table} union all by name from mart_kept) order by all"
    )
    for temporary in ("mart_kept", "mart_today_scope"):
        con.execute(f"drop table {temporary}")
    con.execute("delete from mart_scope")


def build_mart(con: duckdb.DuckDBPyConnection, mart: str, sql: str, base: str) -> str:
    """Build the mart with its SQL: for the new files' municipalities and years where it can,
    else whole; keep what it was built from; say how."""
    added = new_meeting_files(con, mart, base)
    if added is None:
        con.execute(sql)
    else:
        build_scoped(con, mart, sql, added)
    ledger.record(con, ledger.without_files(mart), base)
    ledger.record_files(con, mart, ledger.recorded_files(con, MEETINGS))
    return "whole" if added is None else f"the municipalities and years of {len(added)} file(s)"

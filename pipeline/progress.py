"""Print where each municipality stands after a run; `--all` prints the long table of years."""

from __future__ import annotations

import argparse

import duckdb

from assets.run_report import SUMMARY_HEADER, format_table, missing_lines, summary_row

from .resources import warehouse_path

LONG_QUERY = """
select
    programme,
    municipality,
    year,
    target_pct,
    reduction_estimated_pct,
    reduction_measured_pct,
    status
from marts.municipality_progress
where year = (select max(year) from marts.municipality_progress p where p.programme = programme)
   or year in (2015, 2020)
order by programme, municipality, year
"""

# Per programme and municipality, the latest year with a measured or an estimated figure.
LATEST_QUERY = """
select
    programme,
    municipality,
    year,
    status,
    target_pct,
    reduction_measured_pct,
    reduction_estimated_pct,
    reduction_estimated_low_pct,
    reduction_estimated_high_pct
from marts.municipality_progress
where reduction_measured_pct is not null
   or reduction_estimated_pct is not null
qualify row_number() over (partition by programme, municipality_code order by year desc) = 1
order by programme, municipality
"""

MISSING_QUERY = """
select
    p.programme,
    p.municipality,
    exists (
        select 1 from staging.trips t where t.municipality_code = p.municipality_code
    ) as has_trips,
    exists (
        select 1 from staging.meeting_activity m where m.municipality_code = p.municipality_code
    ) as has_meetings
from marts.municipality_progress p
group by p.programme, p.municipality_code, p.municipality
having count(p.reduction_measured_pct) = 0
   and count(p.reduction_estimated_pct) = 0
order by p.programme, p.municipality
"""


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def summary_lines(path: str) -> list[str]:
    """Each municipality with figures at its latest year, then those without and what they need."""
    with duckdb.connect(path, read_only=True) as con:
        latest = _records(con, LATEST_QUERY)
        missing = _records(con, MISSING_QUERY)
    return [
        *format_table(SUMMARY_HEADER, [summary_row(r) for r in latest]),
        *missing_lines(missing),
    ]


def long_lines(path: str) -> list[str]:
    """Every municipality in 2015, 2020 and the programme's latest year (the old table)."""
    with duckdb.connect(path, read_only=True) as con:
        rows = con.execute(LONG_QUERY).fetchall()
    header = (
        "programme",
        "municipality",
        "year",
        "target %",
        "estimated %",
        "measured %",
        "status",
    )
    return format_table(header, [tuple(_cell(v) for v in row) for row in rows])


def totals_line(path: str) -> str:
    with duckdb.connect(path, read_only=True) as con:
        files = con.execute(
            "select count(*), sum(rows_loaded), sum(rows_quarantined) from ops.files"
        ).fetchall()[0]
    return f"{files[0]} files: {files[1] or 0:,} rows loaded, {files[2] or 0:,} quarantined."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="every municipality and year")
    args = parser.parse_args(argv)
    path = str(warehouse_path())
    lines = long_lines(path) if args.all else summary_lines(path)
    print("\n".join(lines))
    print()
    print(totals_line(path) + " Details of quarantined rows: ops.quarantine.")
    print(f"Warehouse: {path}")
    print("Open it read-only from a notebook: duckdb.connect(path, read_only=True)")


if __name__ == "__main__":
    main()

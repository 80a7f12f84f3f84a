"""Staging and marts as Parquet beside the warehouse, partitioned by year and month (hive layout).

Plain library code; the asset is `parquet_export` in assets/exports/assets.py. The folder
`<warehouse dir>/parquet` is a symlink to one complete version,
`parquet.<fingerprint>/<schema>.<table>/year=YYYY/month=MM/*.parquet`. A run writes a new version
into its stage folder; the warehouse's publication moves it in and swaps the symlink with one
os.replace (publish.py), so a Spark, Trino or DuckDB reader sees the old version or the new one,
never half of one, and never one the warehouse does not hold. The version is named after the
fingerprints of the tables it holds, so a run with nothing new writes nothing.
"""

from pathlib import Path

import duckdb

from ..db import ident, lit, scalar

EXPORTED = (
    "staging.meeting_activity",
    "staging.trips",
    "marts.virtual_meetings",
    "marts.municipality_progress",
    "marts.municipality_progress_historical",
    "marts.programme_progress",
    "marts.data_quality_flags",
)
DATE_COLUMNS = ("period_start", "trip_date")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return dict(rows)


def partition_select(table: str, columns: dict[str, str]) -> tuple[str, list[str]]:
    """The query that adds hive partition columns: year and month of the table's date, or its
    integer `year`; tables without either are written unpartitioned."""
    dates = [c for c in DATE_COLUMNS if c in columns] + [
        c for c, t in columns.items() if t in ("DATE", "TIMESTAMP") and c not in DATE_COLUMNS
    ]
    if dates:
        day = ident(dates[0])
        kept = ", ".join(ident(c) for c in columns if c not in ("year", "month"))
        sql = f"select {kept}, year({day}) as year, month({day}) as month from {table}"
        return sql, ["year", "month"]
    if "year" in columns:
        return f"select * from {table}", ["year"]
    return f"select * from {table}", []


def write_version(con: duckdb.DuckDBPyConnection, tables: list[str], target: Path) -> dict:
    """Every table into `target/<schema>.<table>/`; returns rows per table."""
    rows = {}
    for table in tables:
        sql, partitions = partition_select(table, _columns(con, table))
        folder = target / table
        if partitions:
            con.execute(
                f"copy ({sql}) to {lit(str(folder))} "
                f"(format parquet, partition_by ({', '.join(partitions)}), "
                "filename_pattern 'part_{i}', compression zstd)"
            )
        else:
            folder.mkdir(parents=True)
            con.execute(f"copy ({sql}) to {lit(str(folder / 'part_0.parquet'))} (format parquet)")
        rows[table] = scalar(con, f"select count(*) from {table}")
    return rows

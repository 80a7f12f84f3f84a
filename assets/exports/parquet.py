"""Staging and marts as Parquet beside the warehouse, partitioned by year and month (hive layout).

The folder `<warehouse dir>/parquet` is a symlink to one complete version,
`parquet.<fingerprint>/<schema>.<table>/year=YYYY/month=MM/*.parquet`. A run writes a new version
into its stage folder; the warehouse's publication moves it in and swaps the symlink with one
os.replace (publish.py), so a Spark, Trino or DuckDB reader sees the old version or the new one,
never half of one, and never one the warehouse does not hold. The version is named after the
fingerprints of the tables it holds, so a run with nothing new writes nothing.
"""

from pathlib import Path

import dagster as dg
import duckdb

from ..db import table_exists
from ..fingerprint import built_from, code_fingerprint
from ..freshness import declared_inputs
from ..publish import parquet_root
from ..warehouse import Warehouse

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
CODE = code_fingerprint(__name__)


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
        day = f'"{dates[0]}"'
        kept = ", ".join(f'"{c}"' for c in columns if c not in ("year", "month"))
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
                f"copy ({sql}) to '{folder}' "
                f"(format parquet, partition_by ({', '.join(partitions)}), "
                "filename_pattern 'part_{i}', compression zstd)"
            )
        else:
            folder.mkdir(parents=True)
            con.execute(f"copy ({sql}) to '{folder / 'part_0.parquet'}' (format parquet)")
        rows[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return rows


@dg.asset(
    key=["marts", "parquet_export"],
    group_name="exports",
    deps=[dg.AssetKey(t.split(".")) for t in EXPORTED],
    kinds={"parquet"},
    code_version=CODE,
)
def parquet_export(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Staging and marts as Parquet files partitioned by year and month (hive layout) in a folder
    beside the warehouse, for Spark, Trino or any engine that reads a folder. Swapped in with the
    warehouse at the end of a good run; rewritten only when one of its tables changed."""
    root = parquet_root(Path(warehouse.path))
    with warehouse.read() as con:
        present = [t for t in EXPORTED if table_exists(con, *t.split("."))]
        version = built_from(con, declared_inputs(context), CODE + ",".join(present))
        current = root.resolve().name if root.is_symlink() and root.resolve().exists() else None
        if current == f"{root.name}.{version}":
            return dg.MaterializeResult(
                metadata={"unchanged": True, "path": str(root)},
                data_version=dg.DataVersion(version),
            )
        built = warehouse.publication.staged("parquet") / f"{root.name}.{version}"
        built.mkdir()
        rows = write_version(con, present, built)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(root)),
            "version": built.name,
            "tables": dg.MetadataValue.json(rows),
        },
        data_version=dg.DataVersion(version),
    )

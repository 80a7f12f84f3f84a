"""Staging and marts as Parquet beside the warehouse, partitioned by year and month (hive layout).

Plain library code; the asset is `parquet_export` in assets/exports/assets.py. The folder
`<warehouse dir>/parquet` is a symlink to one complete version,
`parquet.<fingerprint>/<schema>.<table>/year=YYYY/month=MM/*.parquet`. A run writes a new version
into its stage folder; the warehouse's publication moves it in and swaps the symlink with one
os.replace (publish.py), so a Spark, Trino or DuckDB reader sees the old version or the new one,
never half of one, and never one the warehouse does not hold. The version is named after the
fingerprints of the tables it holds, so a run with nothing new writes nothing.

A new version writes only the partitions that changed: each table's folder keeps, in a hidden
`.partitions.json`, each partition's row count and the sum of its rows' hashes, and a partition
whose figures (and the table's columns) are as in the version before is hard-linked from it, not
written again. A nightly file costs the months it touches.
"""

import json
import os
import shutil
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


DIGESTS = ".partitions.json"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # DuckDB's folder name for a NULL partition value


def _digests(con: duckdb.DuckDBPyConnection, sql: str, columns: dict, partitions: list[str]):
    """{partition folder: [rows, sum of row hashes]} of a partitioned select (order-free), and
    {partition folder: its code (_partition_code)}."""
    every = ", ".join(ident(c) for c in columns if c not in partitions)
    rows = con.execute(
        f"select {', '.join(ident(p) for p in partitions)}, {_partition_code(partitions)}, "
        f"count(*), cast(sum(cast(hash({every}) as hugeint)) as varchar) "
        f"from ({sql}) group by all"
    ).fetchall()
    digests = {_folder(partitions, row[:-3]): [row[-2], row[-1]] for row in rows}
    return digests, {_folder(partitions, row[:-3]): row[-3] for row in rows}


def _partition_code(partitions: list[str]) -> str:
    """One integer per partition (year * 100 + month; -1 for a NULL value), which a filter on
    the changed partitions compares more cheaply than their folder names."""
    code = "0"
    for p in partitions:
        code = f"({code}) * 100 + coalesce({ident(p)}, -1)"
    return code


def _folder(partitions: list[str], row: tuple) -> str:
    """A partition's folder as DuckDB names it: year=2014/month=3."""
    values = (NULL_PARTITION if v is None else v for v in row)
    return "/".join(f"{p}={v}" for p, v in zip(partitions, values, strict=False))


def _reusable(previous: Path | None, table: str, state: dict) -> dict:
    """The partitions of `table` in the previous version with the same columns and figures."""
    record = previous / table / DIGESTS if previous else None
    if record is None or not record.is_file():
        return {}
    before = json.loads(record.read_text(encoding="utf-8"))
    if before.get("columns") != state["columns"]:
        return {}
    old = before.get("partitions", {})
    return {
        name: figures
        for name, figures in state["partitions"].items()
        if old.get(name) == figures and (previous / table / name).is_dir()
    }


def _link_tree(source: Path, target: Path) -> None:
    """A partition folder of the previous version into the new one: hard links (no bytes
    copied), or copies where the file system cannot link."""
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)


def _write_partitioned(con, table: str, columns: dict, folder: Path, previous: Path | None) -> dict:
    """Write the table's changed partitions and link the unchanged ones; its state and counts."""
    sql, partitions = partition_select(table, columns)
    digests, codes = _digests(con, sql, columns, partitions)
    state = {"columns": [list(c) for c in columns.items()], "partitions": digests}
    kept = _reusable(previous, table, state)
    changed = sorted(set(state["partitions"]) - set(kept))
    folder.mkdir(parents=True)
    if changed:
        keys = ", ".join(ident(p) for p in partitions)
        # every partition (a first build) needs no filter; else one integer per row, not text
        where = f" where list_contains(?, {_partition_code(partitions)})" if kept else ""
        con.execute(
            f"copy (select * from ({sql}){where}) to {lit(str(folder))} "
            f"(format parquet, partition_by ({keys}), filename_pattern 'part_{{i}}', "
            "compression zstd, overwrite_or_ignore true)",
            [[codes[name] for name in changed]] if kept else [],
        )
    for name in kept:
        _link_tree(previous / table / name, folder / name)
    (folder / DIGESTS).write_text(json.dumps(state), encoding="utf-8")
    return {"partitions_written": len(changed), "partitions_kept": len(kept)}


def write_version(
    con: duckdb.DuckDBPyConnection, tables: list[str], target: Path, previous: Path | None = None
) -> dict:
    """Every table into `target/<schema>.<table>/`, partitions unchanged since the `previous`
    version linked from it; returns rows per table and the partitions written and kept."""
    # Flush each partition's rows at one row group (DuckDB buffers 524,288 per partition and
    # thread by default: at 50 M staged rows that outgrew the 768 MB memory limit, and on a
    # generated 50 M-row table it spilled 10 GB; at one row group it spills under 1 GB).
    con.execute("set partitioned_write_flush_threshold = 122880")
    rows = {}
    for table in tables:
        columns = _columns(con, table)
        sql, partitions = partition_select(table, columns)
        folder = target / table
        if partitions:
            written = _write_partitioned(con, table, columns, folder, previous)
        else:
            folder.mkdir(parents=True)
            con.execute(f"copy ({sql}) to {lit(str(folder / 'part_0.parquet'))} (format parquet)")
            written = {"partitions_written": 1, "partitions_kept": 0}
        rows[table] = {"rows": scalar(con, f"select count(*) from {table}"), **written}
    return rows

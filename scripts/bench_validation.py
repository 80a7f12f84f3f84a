"""What validation costs: the staged-meetings expectation suite on N generated rows (default 1M).

    .venv/bin/python scripts/bench_validation.py --rows 1000000

Generates staging.meeting_activity-shaped rows in an in-memory DuckDB, then times the GX import,
loading the suite's frame (meeting_activity_frame_sql) and validating the blocking and warning
rules, with a second pass that has 1 % failing rows. Prints the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets.staging.expectations import (  # noqa: E402
    meeting_activity_frame_sql,
    meeting_activity_suite,
)
from schemas import load_contracts  # noqa: E402
from schemas.expectations import validate  # noqa: E402

CODES = [f"{2000 + i}" for i in range(100)]


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def _staged(con: duckdb.DuckDBPyConnection, rows: int, bad_every: int | None) -> None:
    bad = f"i % {bad_every} = 0" if bad_every else "false"
    con.execute("create schema if not exists staging")
    con.execute(
        f"""
        create or replace table staging.meeting_activity as
        select
            'export_' || (i % 50) || '.csv' as source_path,
            case when i % 3 = 0 then 'teams_pstn' else 'telia_video_rooms' end as export_kind,
            case when i % 3 = 0 then 'telephony' else 'video_room' end as platform,
            case when {bad} then '9999' else '20' || lpad(cast(i % 100 as varchar), 2, '0') end
                as municipality_code,
            date '2012-01-01' + cast(i % 4000 as integer) as period_start,
            date '2012-01-01' + cast(i % 4000 as integer) as period_end,
            cast(case when i % 3 = 0 then 1 else 1 + i % 40 end as bigint) as meetings,
            cast(2 + i % 9 as bigint) as participants,
            cast(case when {bad} then 90000 else 60 + i % 7200 end as double) as duration_s,
            'video' as media,
            false as one_to_one
        from range({rows}) t(i)
        """
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, nproc {os.cpu_count()}, memory {_memory_gb():.1f} GB, "
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}"
    )
    started = time.perf_counter()
    import great_expectations  # noqa: F401 (timed on purpose: the checks import it lazily)

    print(f"import great_expectations: {time.perf_counter() - started:.1f} s")
    suite = meeting_activity_suite(frozenset(CODES), dt.date.today())
    sql = meeting_activity_frame_sql(load_contracts())
    for label, bad_every in (("all rows pass", None), ("1 % of rows fail", 100)):
        con = duckdb.connect()
        _staged(con, args.rows, bad_every)
        started = time.perf_counter()
        frame = con.execute(sql).df()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        findings = validate(frame, suite)
        validated = time.perf_counter() - started
        failing = sum(f.failing for f in findings)
        print(
            f"{label}: {len(frame):,} rows, {len(suite.rules)} expectations: frame "
            f"{loaded:.2f} s, validate {validated:.2f} s, {len(findings)} failed expectations, "
            f"{failing:,} failing rows"
        )
        con.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak RSS: {peak:.2f} GB")


if __name__ == "__main__":
    main()

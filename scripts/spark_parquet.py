"""Read resfritt's Parquet layer with Spark and print what it holds, as JSON.

    .venv-spark/bin/python scripts/spark_parquet.py data/warehouse/parquet

Prints `virtual_meetings` (the mart's rows) and `programme_totals` (sums per programme and year
over `marts.municipality_progress`, computed by Spark). `make spark` creates `.venv-spark`; it
is a separate environment because PySpark beside Great Expectations changes what GX imports.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

# programme_progress columns that are plain sums of municipality_progress, with their rounding
TOTALS = {
    "virtual_meetings": None,
    "trips": None,
    "avoided_trips": 1,
    "co2_avoided_kg": 1,
    "avoided_km": 1,
    "declared_avoided_km": 1,
}
MEETING_COLUMNS = ("programme", "municipality_code", "year", "platform", "meetings", "hours")


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def session():
    """A local Spark session that opens no port beyond 127.0.0.1 and no UI."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("resfritt-parquet")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "512m")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def read(spark, root: str) -> dict:
    from pyspark.sql import functions as F

    meetings = spark.read.parquet(f"{root}/marts.virtual_meetings").select(*MEETING_COLUMNS)
    progress = spark.read.parquet(f"{root}/marts.municipality_progress")
    sums = []
    for name, digits in TOTALS.items():
        total = F.sum(name)
        sums.append((F.round(total, digits) if digits is not None else total).alias(name))
    totals = progress.groupBy("programme", "year").agg(*sums)
    return {
        "virtual_meetings": sorted([_plain(v) for v in r] for r in meetings.collect()),
        "programme_totals": sorted(
            [r["programme"], r["year"], {n: _plain(r[n]) for n in TOTALS}] for r in totals.collect()
        ),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    spark = session()
    try:
        print(json.dumps(read(spark, argv[0])))
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

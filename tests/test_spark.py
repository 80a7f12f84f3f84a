"""The Parquet layer as the interface to a distributed engine: a local Spark session reads
`parquet/` beside the warehouse and reproduces the marts' figures exactly."""

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import query

pytestmark = pytest.mark.pipeline

pytest.importorskip(
    "pyspark", reason="PySpark is not installed: `make test` installs the `.[spark]` extra"
)
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "no Java runtime for Spark: `make test` installs Debian's openjdk-17-jre-headless as root",
        allow_module_level=True,
    )

# programme_progress columns that are plain sums of municipality_progress, with their rounding
TOTALS = {
    "virtual_meetings": ("virtual_meetings", None),
    "trips": ("trips", None),
    "avoided_trips": ("avoided_trips", 1),
    "co2_avoided_kg": ("co2_avoided_kg", 1),
    "avoided_km": ("avoided_km", 1),
    "declared_avoided_km": ("declared_avoided_km", 1),
}


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("resfritt-parquet-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "512m")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _table(spark, warehouse: Path, name: str):
    return spark.read.parquet(str(warehouse.parent / "parquet" / name))


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def test_spark_reads_virtual_meetings_row_for_row(spark, sample_warehouse):
    frame = _table(spark, sample_warehouse, "marts.virtual_meetings")
    got = sorted(
        tuple(_plain(v) for v in r)
        for r in frame.select(
            "programme", "municipality_code", "year", "platform", "meetings", "hours"
        ).collect()
    )
    want = query(
        sample_warehouse,
        "select programme, municipality_code, year, platform, meetings, hours "
        "from marts.virtual_meetings order by all",
    )
    assert len(got) == len(want) > 0
    assert got == [tuple(_plain(v) for v in r) for r in want]
    [[video_2014]] = (
        frame.where("programme = 'vi-mots-resfritt' and year = 2014 and platform = 'video_room'")
        .agg({"meetings": "sum"})
        .collect()
    )
    assert video_2014 == 1174  # DOMAIN.md: meetings in Dalarna's rooms in 2014


def test_spark_recomputes_the_programme_totals_from_municipality_progress(
    spark, sample_warehouse
):
    from pyspark.sql import functions as F

    frame = _table(spark, sample_warehouse, "marts.municipality_progress")
    sums = []
    for name, (column, digits) in TOTALS.items():
        total = F.sum(column)
        sums.append((F.round(total, digits) if digits is not None else total).alias(name))
    got = {
        (r["programme"], r["year"]): {n: _plain(r[n]) for n in TOTALS}
        for r in frame.groupBy("programme", "year").agg(*sums).collect()
    }
    columns = ", ".join(TOTALS)
    want = {
        (r[0], r[1]): dict(zip(TOTALS, (_plain(v) for v in r[2:]), strict=True))
        for r in query(
            sample_warehouse, f"select programme, year, {columns} from marts.programme_progress"
        )
    }
    assert got.keys() == want.keys()
    for key, figures in want.items():
        for name, value in figures.items():
            if value is None:
                assert got[key][name] is None, (key, name)
            else:
                assert got[key][name] == pytest.approx(value, abs=1e-6), (key, name)
    knutepunkt = want[("knutepunkt-sorlandet", 2013)]
    assert got[("knutepunkt-sorlandet", 2013)]["declared_avoided_km"] == 2160 == (
        knutepunkt["declared_avoided_km"]
    )

"""The Parquet layer as the interface to a distributed engine: a local Spark session reads
`parquet/` beside the warehouse and reproduces the marts' figures exactly.

Spark runs in its own environment (`.venv-spark`, made by `make spark`, which `make test` runs):
PySpark installed beside Great Expectations changes what GX imports in every run."""

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pipeline_helpers import query

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[1]
SPARK_PYTHON = ROOT / ".venv-spark" / "bin" / "python"
SCRIPT = ROOT / "scripts" / "spark_parquet.py"


def _missing() -> str | None:
    if not SPARK_PYTHON.exists():
        return f"{SPARK_PYTHON} is missing: `make spark` (run by `make test`) creates it"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime for Spark: `make spark` installs openjdk-17-jre-headless as root"
    return None


if _missing():
    pytest.skip(_missing(), allow_module_level=True)


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


@pytest.fixture(scope="module")
def spark_read(sample_warehouse) -> dict:
    done = subprocess.run(
        [str(SPARK_PYTHON), str(SCRIPT), str(sample_warehouse.parent / "parquet")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_spark_reads_virtual_meetings_row_for_row(spark_read, sample_warehouse):
    got = [tuple(r) for r in spark_read["virtual_meetings"]]
    want = query(
        sample_warehouse,
        "select programme, municipality_code, year, platform, meetings, hours "
        "from marts.virtual_meetings order by all",
    )
    assert len(got) == len(want) > 0
    assert got == [tuple(_plain(v) for v in r) for r in want]
    video_2014 = sum(
        r[4] for r in got if r[0] == "vi-mots-resfritt" and r[2] == 2014 and r[3] == "video_room"
    )
    assert video_2014 == 1174  # docs/domain.md: meetings in Dalarna's rooms in 2014


def test_spark_recomputes_the_programme_totals_from_municipality_progress(
    spark_read, sample_warehouse
):
    got = {(p, y): figures for p, y, figures in spark_read["programme_totals"]}
    names = list(next(iter(got.values())))
    want = {
        (r[0], r[1]): dict(zip(names, (_plain(v) for v in r[2:]), strict=True))
        for r in query(
            sample_warehouse,
            f"select programme, year, {', '.join(names)} from marts.programme_progress",
        )
    }
    assert got.keys() == want.keys()
    for key, figures in want.items():
        for name, value in figures.items():
            if value is None:
                assert got[key][name] is None, (key, name)
            else:
                assert got[key][name] == pytest.approx(value, abs=1e-6), (key, name)
    assert got[("knutepunkt-sorlandet", 2013)]["declared_avoided_km"] == 2160

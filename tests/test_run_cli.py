"""`python -m pipeline.run` on the bundled samples: a short, readable run and a full log file."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_helpers import ROOT, SAMPLE_RAW, query

pytestmark = pytest.mark.pipeline


def run_cli(home: Path, raw: Path, warehouse: Path, **settings: str):
    """`python -m pipeline.run` in a fresh process over the given folders, output captured."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "RESFRITT_RAW_DIR": str(raw),
        "RESFRITT_WAREHOUSE": str(warehouse),
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "pipeline.run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory, dagster_home):
    folder = tmp_path_factory.mktemp("cli")
    raw = folder / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    warehouse = folder / "warehouse" / "resfritt.duckdb"
    done = run_cli(dagster_home, raw, warehouse, RESFRITT_LOG_LEVEL="WARNING")
    return done, warehouse, dagster_home


def test_the_run_succeeds_in_at_most_40_lines(cli_run):
    done, _, _ = cli_run
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) <= 40, done.stdout
    assert "DEBUG" not in done.stdout + done.stderr
    assert any(
        line.startswith("ok     raw_exports") and "15 files" in line and "6 quarantined" in line
        for line in lines
    )


def test_the_summary_shows_falun_as_in_the_marts(cli_run):
    done, warehouse, _ = cli_run
    year, status, target, measured, estimated, low, high = query(
        warehouse,
        "select year, status, target_pct, reduction_measured_pct, reduction_estimated_pct, "
        "reduction_estimated_low_pct, reduction_estimated_high_pct "
        "from marts.municipality_progress where municipality_code = '2080' "
        "order by year desc limit 1",
    )[0]
    cells = [str(year), status, f"{target:.1f}", f"{measured:.1f}", f"{estimated:.1f}"]
    expected = r"\s+".join(["vi-mots-resfritt", "Falun", *map(re.escape, cells)])
    expected += rf"\s+{low:.1f}–{high:.1f}"
    assert re.search(expected, done.stdout), done.stdout
    assert "Falun  2024  met" in re.sub(r" {2,}", "  ", done.stdout)
    assert re.search(r"No figures for .*Vansbro.*travel export", done.stdout)


def test_the_run_names_its_log_file_and_the_log_holds_every_event(cli_run):
    done, _, home = cli_run
    found = re.search(r"Full log: (\S+run-[0-9a-f-]+\.log)", done.stdout)
    assert found, done.stdout
    log = found.group(1)
    assert log.startswith(str(home / "logs"))
    text = Path(log).read_text(encoding="utf-8")
    assert "STEP_SUCCESS" in text and "ASSET_CHECK_EVALUATION" in text
    assert text.count("\n") > 200


def test_a_failed_run_says_why_and_exits_non_zero(tmp_path, dagster_home):
    (tmp_path / "reference").mkdir()
    warehouse = tmp_path / "warehouse" / "resfritt.duckdb"
    done = run_cli(
        dagster_home, SAMPLE_RAW, warehouse, RESFRITT_REFERENCE_DIR=str(tmp_path / "reference")
    )
    assert done.returncode == 1
    assert "municipalities.csv: reference file missing" in done.stdout
    assert "Run failed" in done.stdout and "Full log:" in done.stdout
    assert len(done.stdout.splitlines()) <= 10, done.stdout

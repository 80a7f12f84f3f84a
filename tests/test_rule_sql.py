"""The mart suites run as SQL over every row, and find what Great Expectations finds."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from assets.marts.expectations import municipality_progress_suite, virtual_meetings_suite
from assets.rule_sql import suite_findings
from assets.staging.expectations import meeting_activity_suite
from schemas.expectations import Rule, Suite, validate

TODAY = dt.date(2026, 11, 23)

PROGRESS = pd.DataFrame(
    {
        "programme": ["p", "p", "p", "p", "q"],
        "municipality_code": ["2080", "2080", "2081", "2082", "2080"],
        "year": [2015, 2015, 2016, 1980, 2015],
        "target_pct": [20.0, 20.0, 120.0, 20.0, None],
        "reduction_measured_pct": [10.0, -150.0, 100.5, None, 5.0],
        "reduction_estimated_pct": [12.0, 130.0, -1.0, None, 5.0],
        "reduction_estimated_low_pct": [5.0, 100.0, 0.0, None, 1.0],
        "reduction_estimated_high_pct": [20.0, 160.0, 2.0, None, 9.0],
        "virtual_meetings": [10, 20, -3, None, 4],
    }
)


def _both(frame: pd.DataFrame, suite: Suite) -> tuple[dict, dict]:
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute("create table marts_table as select * from frame")
    in_sql, rows = suite_findings(con, "marts_table", suite)
    assert rows == len(frame)
    by_gx = {f.rule.says + str(f.rule.blocking): f.failing for f in validate(frame, suite)}
    return {f.rule.says + str(f.rule.blocking): f.failing for f in in_sql}, by_gx


@pytest.mark.unit
def test_the_progress_suite_in_sql_finds_what_gx_finds():
    in_sql, by_gx = _both(PROGRESS, municipality_progress_suite(TODAY))
    assert in_sql == by_gx
    # Hand-counted: rows 1 and 2 share a grain; 1980 is before 1990; 120 % is no target.
    assert in_sql == {
        "one row per programme, municipality and yearTrue": 2,
        "year lies between 1990 and 2026True": 1,
        "target_pct is between 0 and 100True": 1,
        "reduction_measured_pct is at most 100True": 1,
        "reduction_measured_pct is at least -100False": 1,
        "reduction_estimated_pct is at least 0True": 1,
        "reduction_estimated_pct is at most 100 (more trips avoided than were made is an "
        "implausible estimate)False": 1,
        "virtual_meetings is at least 0True": 1,
    }


@pytest.mark.unit
def test_the_virtual_meetings_suite_in_sql_finds_what_gx_finds():
    frame = pd.DataFrame(
        {
            "programme": ["p", "p", "p"],
            "municipality_code": ["2080", "2080", "2080"],
            "year": [2015, 2015, 2015],
            "platform": ["video", "video", "teams"],
            "meetings": [3, 0, -1],
            "hours": [1.5, 0.0, 2.0],
        }
    )
    in_sql, by_gx = _both(frame, virtual_meetings_suite(TODAY))
    assert (
        in_sql
        == by_gx
        == {
            "one row per programme, municipality, year and platformTrue": 2,
            "meetings is at least 0True": 1,
        }
    )


@pytest.mark.unit
def test_a_strict_bound_and_a_failing_rows_sample_with_its_keys():
    frame = pd.DataFrame({"k": ["a", "b", "c"], "v": [1.0, 2.0, 3.0]})
    rule = Rule(
        "ExpectColumnValuesToBeBetween",
        {"column": "v", "min_value": 0, "max_value": 2.0, "strict_max": True},
        True,
        "v is below 2",
    )
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute("create table t1 as select * from frame")
    [finding], rows = suite_findings(con, "t1", Suite("t1", (rule,), ("k",)))
    assert (finding.failing, rows) == (2, 3)
    assert finding.sample == [{"k": "b", "v": 2.0}, {"k": "c", "v": 3.0}]
    assert finding.keys == [{"k": "b"}, {"k": "c"}]


def _day(text: str | None):
    return pd.Timestamp(text) if text else pd.NaT


@pytest.mark.unit
def test_the_staged_meetings_suite_in_sql_finds_what_gx_finds():
    """The set and pair rules too: what new files' rows are validated with (verdicts.py)."""
    starts = ["2015-01-01", "2015-01-01", "2015-02-01", None, "2015-03-01", "2031-01-01"]
    ends = ["2015-01-31", "2014-12-31", None, None, "2015-03-01", "2031-01-01"]
    frame = pd.DataFrame(
        {
            "source_path": [f"f{i}.csv" for i in range(6)],
            "export_kind": ["telia_video_rooms"] * 5 + ["teams_pstn"],
            "platform": ["video", "video", None, "video", "video", "teams"],
            "municipality_code": ["2080", "2081", "9999", None, "2080", "2080"],
            "period_start": [_day(d) for d in starts],
            "period_end": [_day(d) for d in ends],
            "meetings": [3, 1, -2, 1, 20_000, 1],
            "participants": [6, 2, 2, 2, 2, 2],
            "duration_s": [3600.0, 60.0, 60.0, 60.0, 60.0, 90_000.0],
            "meetings_per_day": [0.1, 1.0, None, None, 20_000.0, 1.0],
            "call_duration_s": [None, None, None, None, None, 90_000.0],
        }
    )
    in_sql, by_gx = _both(frame, meeting_activity_suite(frozenset({"2080", "2081"}), TODAY))
    assert in_sql == by_gx
    # Hand-counted: 9999 is unknown and one code is missing; one start and two ends are
    # missing, 2031 is after the window; one period ends before it starts (the row with one
    # missing end fails the pair too, the one with both missing does not).
    failing_once = [
        "municipality_code is filled inTrue",
        "municipality_code is a code in data/reference/municipalities.csvTrue",
        "period_start is filled inTrue",
        "period_start lies between 1990-01-01 and 2026-12-24True",
        "period_end lies between 1990-01-01 and 2026-12-24True",
        "meetings is at least 0True",
        "meetings per day of the period are at most 10,000True",
        "a single call or session lasts less than 24 hoursFalse",
        "platform is filled inFalse",
    ]
    twice = ["period_end is filled inTrue", "period_end is not before period_startTrue"]
    assert in_sql == dict.fromkeys(failing_once, 1) | dict.fromkeys(twice, 2)


GX_IMPORTED = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from pipeline_helpers import run_pipeline
result = run_pipeline(Path({raw!r}), Path({warehouse!r}))
checks = result.get_asset_check_evaluations()
passed = all(c.passed for c in checks)
print(result.success, len(checks), passed, "great_expectations" in sys.modules)
"""


@pytest.mark.pipeline
def test_a_run_over_an_empty_drop_folder_never_imports_great_expectations(tmp_path, dagster_home):
    import subprocess
    import sys
    from pathlib import Path

    raw = tmp_path / "raw"
    raw.mkdir()
    code = GX_IMPORTED.format(
        tests=str(Path(__file__).parent), raw=str(raw), warehouse=str(tmp_path / "w.duckdb")
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    )
    success, checks, passed, imported = done.stdout.split()[-4:]
    assert (success, passed, imported) == ("True", "True", "False"), done.stdout[-2000:]
    assert int(checks) > 40

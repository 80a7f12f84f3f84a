"""The run's wording: step lines and the summary, from hand-made inputs."""

import pytest

from assets.run_report import (
    MEETING_EXPORT,
    TRAVEL_EXPORT,
    StepTally,
    band,
    error_messages,
    exports_needed,
    format_table,
    missing_lines,
    step_figures,
    step_label,
    step_line,
    summary_row,
)

pytestmark = pytest.mark.unit


def test_a_step_key_reads_as_layer_and_table():
    assert step_label("marts__municipality_progress") == "marts/municipality_progress"
    assert step_label("raw_exports") == "raw_exports"


def test_the_ingest_step_shows_tables_rows_and_quarantined():
    tally = StepTally(seconds=3.14)
    tally.add_materialization({"dagster/row_count": 25_000, "rows_quarantined": 4})
    tally.add_materialization({"dagster/row_count": 438, "rows_quarantined": 2})
    assert step_figures(tally) == "2 tables  25,438 rows  6 quarantined"
    assert step_line("raw_exports", tally, width=12) == (
        "ok     raw_exports  2 tables  25,438 rows  6 quarantined  3.1 s"
    )


def test_the_ingest_step_counts_files_and_leaves_out_the_ops_tables():
    tally = StepTally()
    tally.add_materialization({"table": "raw.travel_claims", "dagster/row_count": 25_438})
    files = {"table": "ops.files", "dagster/row_count": 15, "rows_loaded": 25_438}
    tally.add_materialization({**files, "rows_quarantined": 6})
    tally.add_materialization({"table": "ops.quarantine", "dagster/row_count": 6})
    assert step_figures(tally) == "15 files  25,438 rows  6 quarantined"


def test_a_single_table_shows_its_rows_only():
    tally = StepTally(seconds=0.25)
    tally.add_materialization({"dagster/row_count": 1})
    assert step_line("staging__trips", tally, width=14) == "ok     staging/trips  1 row  0.2 s"


def test_a_step_that_rebuilt_nothing_says_unchanged():
    tally = StepTally()
    tally.add_materialization({"unchanged": True})
    tally.add_materialization({"unchanged": True})
    assert step_figures(tally) == "2 tables  unchanged"


def test_checks_are_counted_and_failures_named_in_the_tally():
    tally = StepTally(seconds=0.8)
    tally.add_check("bands_in_order", True)
    tally.add_check("estimate_reconciles_with_the_claims", False)
    tally.add_check("no_silent_zero", True)
    assert tally.checks_failed == ["estimate_reconciles_with_the_claims"]
    assert step_figures(tally) == "3 checks, 1 failed"
    one = StepTally()
    one.add_check("x", True)
    assert step_figures(one) == "1 check passed"


def test_a_failed_step_is_marked():
    tally = StepTally(seconds=1.0, failed=True)
    assert step_line("marts__reports", tally, width=13) == "FAILED marts/reports 1.0 s"


def test_band_is_low_to_high_or_a_dash():
    assert band(18.4, 40.5) == "18.4–40.5"
    assert band(None, 40.5) == "-"


def test_summary_row_shows_latest_year_status_figures_and_band():
    row = {
        "programme": "vi-mots-resfritt",
        "municipality": "Falun",
        "year": 2024,
        "status": "met",
        "target_pct": 40.0,
        "reduction_measured_pct": 42.0,
        "reduction_estimated_pct": 38.4,
        "reduction_estimated_low_pct": 18.4,
        "reduction_estimated_high_pct": 40.5,
    }
    assert summary_row(row) == (
        "vi-mots-resfritt",
        "Falun",
        "2024",
        "met",
        "40.0",
        "42.0",
        "38.4",
        "18.4–40.5",
    )
    no_claims = {**row, "reduction_measured_pct": None}
    assert summary_row(no_claims)[5] == "-"


def test_table_columns_line_up_under_a_dashed_rule():
    assert format_table(("a", "bb"), [("ccc", "d")]) == ["a    bb", "---  --", "ccc  d"]


def test_what_a_municipality_needs_follows_from_what_it_lacks():
    assert exports_needed(has_trips=False, has_meetings=True) == TRAVEL_EXPORT
    assert exports_needed(has_trips=True, has_meetings=False) == MEETING_EXPORT
    assert exports_needed(False, False) == f"{TRAVEL_EXPORT} and {MEETING_EXPORT}"


def test_municipalities_without_figures_are_grouped_by_the_export_they_need():
    missing = [
        {"municipality": "Mora", "has_trips": False, "has_meetings": True},
        {"municipality": "Kristiansand", "has_trips": True, "has_meetings": False},
        {"municipality": "Orsa", "has_trips": False, "has_meetings": True},
    ]
    assert missing_lines(missing) == [
        f"No figures for Mora, Orsa: {TRAVEL_EXPORT} would give them data.",
        f"No figures for Kristiansand: {MEETING_EXPORT} would give them data.",
    ]
    assert missing_lines([]) == ["Every programme municipality has figures."]


def test_an_error_reads_as_its_causes_without_dagsters_wrapper():
    from types import SimpleNamespace as Error

    cause = Error(
        cls_name="ReferenceError",
        message="municipalities.csv: reference file missing\n",
        cause=None,
    )
    wrapper = Error(
        cls_name="DagsterExecutionStepExecutionError", message="Error in op", cause=cause
    )
    assert error_messages(wrapper) == ["municipalities.csv: reference file missing"]
    alone = Error(cls_name="DagsterExecutionStepExecutionError", message="Error in op", cause=None)
    assert error_messages(alone) == ["Error in op"]

"""Refresh the warehouse and talk like a tool: one line per step, then where each municipality is.

    python -m pipeline.run            # quiet: steps, warnings and errors, the summary
    python -m pipeline.run --verbose  # every Dagster event on the terminal too
    python -m pipeline.run --all      # the long progress table instead of the summary

The full Dagster event log goes to $DAGSTER_HOME/logs/run-<id>.log. RESFRITT_LOG_LEVEL=DEBUG
(or INFO) brings that detail to the terminal as --verbose does. Exit code 1 when a step fails.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import dagster as dg
from rich.console import Console

from assets.run_report import StepTally, error_messages, step_line

from . import progress
from .definitions import defs

LOG_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"
# Their message is only "step failed" / "run failed": the step line and the error say more.
QUIET_EVENTS = {"STEP_FAILURE", "RUN_FAILURE", "PIPELINE_FAILURE"}


def _metadata_values(metadata: dict) -> dict:
    return {key: getattr(value, "value", value) for key, value in metadata.items()}


class StepReport(logging.Handler):
    """Prints one line when a step ends, and warnings and errors in full as they come."""

    def __init__(self, console: Console, level: int) -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.detail_level = level
        self.tallies: dict[str, StepTally] = {}
        self.started: dict[str, float] = {}
        self.failed_steps: list[str] = []
        self.skipped: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key")
        kind = event.event_type_value if event is not None else None
        text = meta.get("orig_message") or record.getMessage()
        if step and text.startswith(f"Dependencies for step {step}"):
            self.skipped.append(step)
            if self.detail_level > logging.DEBUG:
                return
        if record.levelno >= self.detail_level and kind not in QUIET_EVENTS:
            self._print_record(record, text, step)
        if event is None or step is None:
            return
        tally = self.tallies.setdefault(step, StepTally())
        if kind == "STEP_START":
            self.started[step] = record.created
        elif kind == "ASSET_MATERIALIZATION":
            tally.add_materialization(
                _metadata_values(event.event_specific_data.materialization.metadata)
            )
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            tally.add_check(evaluation.check_name, evaluation.passed)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            tally.seconds = record.created - self.started.get(step, record.created)
            tally.failed = kind == "STEP_FAILURE"
            if tally.failed:
                self.failed_steps.append(step)
                self._print_failure(event)
            style = "red" if tally.failed else None
            self.console.print(step_line(step, tally), style=style, markup=False, highlight=False)

    def _print_record(self, record: logging.LogRecord, text: str, step: str | None) -> None:
        where = f"{step}: " if step else ""
        if record.levelno >= logging.ERROR:
            style = "bold red"
        elif record.levelno >= logging.WARNING:
            style = "yellow"
        else:
            style = "dim"
        label = logging.getLevelName(record.levelno).lower()
        self.console.print(f"  {label}: {where}{text}", style=style, markup=False, highlight=False)

    def _print_failure(self, event) -> None:
        error = getattr(event.event_specific_data, "error", None)
        if error is None:
            return
        if self.detail_level <= logging.INFO:
            self.console.print(error.to_string().strip(), style="red", markup=False)
            return
        for message in error_messages(error):
            self.console.print(f"  error: {message}", style="bold red", markup=False)


def detail_level(verbose: bool) -> int:
    """What reaches the terminal besides the step lines: warnings unless asked for more."""
    if verbose:
        return logging.DEBUG
    name = os.environ.get("RESFRITT_LOG_LEVEL", "WARNING").upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.WARNING


def log_folder() -> Path:
    home = os.environ.get("DAGSTER_HOME") or tempfile.gettempdir()
    folder = Path(home) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _instance() -> dg.DagsterInstance:
    """The instance of DAGSTER_HOME (the UI shows the run), else a throwaway one."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def execute(console: Console, level: int, log_path: Path, run_id: str) -> StepReport:
    """Materialize every asset with its checks; the event log to a file, step lines to console."""
    report = StepReport(console, level)
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger = logging.getLogger(f"resfritt.run.{run_id}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(file_handler)
    logger.addHandler(report)

    @dg.logger(description="The run's event log to a file; one line per step to the terminal.")
    def resfritt_logger(_init_context):
        return logger

    job = defs.resolve_implicit_global_asset_job_def().with_logger_defs(
        {"resfritt": resfritt_logger}
    )
    with _instance() as instance:
        result = job.execute_in_process(
            run_config={"loggers": {"resfritt": {}}},
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
        )
    file_handler.close()
    logger.removeHandler(file_handler)
    logger.removeHandler(report)
    report.success = result.success
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Refresh the warehouse, then print the summary.")
    parser.add_argument("--verbose", action="store_true", help="every Dagster event too")
    parser.add_argument("--all", action="store_true", help="the long progress table")
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    run_id = str(uuid.uuid4())
    log_path = log_folder() / f"run-{run_id}.log"
    started = time.monotonic()
    report = execute(console, detail_level(args.verbose), log_path, run_id)
    seconds = time.monotonic() - started
    console.print()
    if not report.success:
        failed = ", ".join(report.failed_steps) or "the run"
        if report.skipped:
            console.print(f"{len(set(report.skipped))} later steps did not run.", markup=False)
        console.print(f"Run failed in {seconds:.1f} s: {failed}.", style="bold red", markup=False)
        console.print(f"Full log: {log_path}", markup=False)
        return 1
    progress.main(["--all"] if args.all else [])
    console.print(f"Run finished in {seconds:.1f} s. Full log: {log_path}", markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

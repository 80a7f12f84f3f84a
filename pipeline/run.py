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

from assets.run_console import StepReport, TerminalProgress

from . import progress
from .definitions import make_definitions
from .resources import build_resources

LOG_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"


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

    defs = make_definitions({**build_resources(), "load_progress": TerminalProgress(console)})
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
    # Decided now: during the run Dagster captures stdout (the step's compute log), and the
    # progress bar must still know it draws on a terminal.
    console = Console(highlight=False, soft_wrap=True, force_terminal=sys.stdout.isatty() or None)
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

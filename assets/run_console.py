"""The terminal side of a run: one line per step as Dagster logs it, warnings and errors in full,
and a progress bar while a large export loads. `python -m pipeline.run` wires these to the job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from .raw.progress import LoadProgress, OnProgress, ProgressLog
from .run_report import StepTally, error_messages, step_line

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


class TerminalProgress(LoadProgress):
    """Logs a loading file's progress as LoadProgress does and draws it as a bar with rows/s and
    time left on the console (a bar only for a file still loading when first reported)."""

    def __init__(self, console: Console, every_s: float = 5.0) -> None:
        super().__init__(every_s)
        self.console = console

    @contextmanager
    def reporting(self, say: Callable[[str], None]) -> Iterator[OnProgress]:
        log = ProgressLog(say, self.every_s)
        bar = Progress(
            TextColumn("  {task.description}"),
            BarColumn(),
            TextColumn("{task.fields[rows]:,} rows  {task.fields[rate]:,.0f} rows/s"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        tasks: dict[str, TaskID] = {}
        started: dict[str, float] = {}

        def on_progress(path: str, rows: int, read: int, total: int) -> None:
            log(path, rows, read, total)
            finished = total > 0 and read >= total
            if path not in tasks and finished:
                return
            if path not in tasks:
                bar.start()
                tasks[path] = bar.add_task(path, total=total or None, rows=0, rate=0.0)
                started[path] = log.clock()
            seconds = log.clock() - started[path]
            rate = rows / seconds if seconds >= 1.0 else 0.0
            bar.update(tasks[path], completed=read, rows=rows, rate=rate)
            if finished:
                bar.remove_task(tasks[path])

        try:
            yield on_progress
        finally:
            bar.stop()

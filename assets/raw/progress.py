"""Progress while a large export loads: the loader reports per batch, these turn it into lines.

The loader calls `on_progress(path, rows_read, bytes_read, bytes_total)`; `bytes_total` is 0 when
a source's size in bytes says nothing (an Excel sheet, a re-encoded copy). A DuckDB read that is
one statement is sampled with `watch_query` (DuckDB's own query progress, from a thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

OnProgress = Callable[[str, int, int, int], None]
POLL_S = 0.5
SAMPLE_BYTES = 1 << 20


def bytes_per_row(path: Path) -> float:
    """The average line length of a text file's first megabyte: rows from bytes read."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return len(sample) / max(sample.count(b"\n"), 1)


@contextmanager
def watch_query(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, on_progress: OnProgress | None
) -> Iterator[None]:
    """While the block runs one statement reading `path`, report its progress every POLL_S (the
    file's unit of work reports the exact rows when it is done)."""
    if on_progress is None:
        yield
        return
    total = path.stat().st_size
    per_row = bytes_per_row(path)
    con.execute("set enable_progress_bar = true; set enable_progress_bar_print = false")
    done = threading.Event()

    def poll() -> None:
        while not done.wait(POLL_S):
            percent = con.query_progress()
            if percent >= 0:
                read = int(total * min(percent, 100.0) / 100.0)
                on_progress(label, int(read / per_row), read, total)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        con.execute("set enable_progress_bar = false")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def progress_line(path: str, rows: int, read: int, total: int, seconds: float) -> str:
    """`calls.csv: 1,200,000 rows, 60 % of 605 MB, 410,000 rows/s, about 3 s left`."""
    rate = rows / seconds if seconds > 0 else 0.0
    text = f"{path}: {rows:,} rows"
    if total:
        text += f", {100.0 * read / total:.0f} % of {total / 1e6:,.0f} MB"
    text += f", {rate:,.0f} rows/s"
    if total and 0 < read < total and seconds > 0:
        text += f", about {_duration(seconds * (total - read) / read)} left"
    return text


class ProgressLog:
    """The loader's progress as a line every `every_s` seconds per file (not per batch), and one
    when a file that took that long is read; `clock` is injectable for tests."""

    def __init__(
        self,
        say: Callable[[str], None],
        every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.say, self.every_s, self.clock = say, every_s, clock
        self.path: str | None = None
        self.started = self.last = 0.0

    def __call__(self, path: str, rows: int, read: int, total: int) -> None:
        now = self.clock()
        if path != self.path:
            self.path, self.started, self.last = path, now, now
        finished = total > 0 and read >= total
        due = now - self.last >= self.every_s
        if rows and (due or (finished and now - self.started >= self.every_s)):
            self.last = now
            self.say(progress_line(path, rows, read, total, now - self.started))


class LoadProgress:
    """The resource the raw asset takes: how it reports a loading file (log lines in the run's
    log, which the Dagster UI shows); the terminal run swaps in one that also draws a bar."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s

    @contextmanager
    def reporting(self, say: Callable[[str], None]) -> Iterator[OnProgress]:
        yield ProgressLog(say, self.every_s)

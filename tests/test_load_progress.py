"""Progress while a large export loads: a line every few seconds, and a bar in the terminal."""

import io
from pathlib import Path

from rich.console import Console

from assets.raw.progress import ProgressLog, bytes_per_row, progress_line
from assets.run_console import TerminalProgress

MB = 1_000_000


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_says_rows_share_rate_and_time_left():
    line = progress_line("calls.csv", 1_200_000, 360 * MB, 600 * MB, 3.0)
    assert line == "calls.csv: 1,200,000 rows, 60 % of 600 MB, 400,000 rows/s, about 2 s left"
    assert (
        progress_line("sheet.xlsx#A", 50_000, 0, 0, 2.0)
        == "sheet.xlsx#A: 50,000 rows, 25,000 rows/s"
    )
    assert "about 1 min 40 s left" in progress_line("a.csv", 10, 1 * MB, 2 * MB, 100.0)


def test_one_line_every_five_seconds_not_one_per_batch():
    clock, said = FakeClock(), []
    log = ProgressLog(said.append, every_s=5.0, clock=clock)
    total = 500 * MB
    for second in range(13):  # a batch every half second for 12 s
        for half in (0.0, 0.5):
            clock.now = 100.0 + second + half
            read = int(total * (second + half) / 20)
            log("calls.csv", read // 100, read, total)
    assert said == [
        "calls.csv: 1,250,000 rows, 25 % of 500 MB, 250,000 rows/s, about 15 s left",
        "calls.csv: 2,500,000 rows, 50 % of 500 MB, 250,000 rows/s, about 10 s left",
    ]
    clock.now = 120.0
    log("calls.csv", 5_000_000, total, total)  # read: a file that took this long says so
    assert said[-1] == "calls.csv: 5,000,000 rows, 100 % of 500 MB, 250,000 rows/s"
    assert len(said) == 3


def test_a_small_file_says_nothing():
    clock, said = FakeClock(), []
    log = ProgressLog(said.append, every_s=5.0, clock=clock)
    log("small.csv", 0, 0, 10 * MB)
    clock.now += 0.4
    log("small.csv", 1_000, 10 * MB, 10 * MB)
    assert said == []


def test_rows_are_estimated_from_the_first_megabyte(tmp_path: Path):
    path = tmp_path / "calls.csv"
    path.write_bytes(b"a,b,c\n" + b"1,22,333\n" * 1000)
    assert 8.9 < bytes_per_row(path) < 9.0


def test_the_terminal_bar_shows_rows_per_second_and_logs_the_same_lines():
    out, said = io.StringIO(), []
    console = Console(file=out, force_terminal=True, width=100)
    progress = TerminalProgress(console, every_s=0.0)
    with progress.reporting(said.append) as on_progress:
        on_progress("calls.csv", 100_000, 50 * MB, 100 * MB)
        on_progress("calls.csv", 200_000, 100 * MB, 100 * MB)
    assert "calls.csv" in out.getvalue() and "rows/s" in out.getvalue()
    assert [line.split(",")[0] for line in said] == ["calls.csv: 100", "calls.csv: 200"]

"""What a run tells its user: one line per step, then where each municipality stands.

Plain functions over plain values, so the tests can check the wording with hand-made inputs.
The command that runs the job and prints these lines is `python -m pipeline.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The export that gives a municipality data, by what it lacks (see data/raw/README.md).
TRAVEL_EXPORT = "a travel export (A3, e.g. resor_<municipality>_<years>.csv)"
MEETING_EXPORT = "a meeting export (A1/A2 video rooms, Lync/Skype CDR or Teams activity)"


@dataclass
class StepTally:
    """What one Dagster step did: tables written, rows, quarantined rows and checks."""

    tables: int = 0
    files: int = 0
    unchanged: int = 0
    rows: int = 0
    quarantined: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    failed: bool = False

    def add_materialization(self, metadata: dict) -> None:
        """Count one materialized table from its metadata (plain values, not MetadataValue)."""
        self.tables += 1
        if metadata.get("unchanged"):
            self.unchanged += 1
        count = int(metadata.get("dagster/row_count") or 0)
        if "rows_loaded" in metadata:  # ops.files: one row per file read
            self.files += count
        elif not str(metadata.get("table", "")).startswith("ops."):
            self.rows += count
        self.quarantined += int(metadata.get("rows_quarantined") or 0)

    def add_check(self, name: str, passed: bool) -> None:
        if passed:
            self.checks_passed += 1
        else:
            self.checks_failed.append(name)


def step_label(step_key: str) -> str:
    """`marts__municipality_progress` reads as `marts/municipality_progress`."""
    return step_key.replace("__", "/")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def step_figures(tally: StepTally) -> str:
    """The figures of a step in words: `15 files  25,438 rows  6 quarantined`."""
    parts = []
    if tally.files:
        parts.append(_plural(tally.files, "file"))
    elif tally.tables > 1:
        parts.append(_plural(tally.tables, "table"))
    if tally.tables and tally.unchanged == tally.tables:
        parts.append("unchanged")
    elif tally.rows:
        parts.append(_plural(tally.rows, "row"))
    if tally.quarantined:
        parts.append(f"{tally.quarantined:,} quarantined")
    checks = tally.checks_passed + len(tally.checks_failed)
    if checks:
        text = f"{_plural(checks, 'check')} passed"
        if tally.checks_failed:
            text = f"{_plural(checks, 'check')}, {len(tally.checks_failed):,} failed"
        parts.append(text)
    return "  ".join(parts)


def step_line(step_key: str, tally: StepTally, width: int = 44) -> str:
    """One line per step: `ok  raw_exports  15 tables  25,438 rows  6 quarantined  3.1 s`."""
    mark = "FAILED" if tally.failed else "ok"
    figures = step_figures(tally)
    label = step_label(step_key).ljust(width)
    middle = f"{figures}  " if figures else ""
    return f"{mark:<6} {label} {middle}{tally.seconds:.1f} s"


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def band(low, high) -> str:
    """The estimated band as `12.6–27.8`, or `-` when there is none."""
    if low is None or high is None:
        return "-"
    return f"{low:.1f}–{high:.1f}"


SUMMARY_HEADER = (
    "programme",
    "municipality",
    "year",
    "status",
    "target %",
    "measured %",
    "estimated %",
    "band %",
)


def summary_row(row: dict) -> tuple[str, ...]:
    """One municipality's latest year as table cells."""
    return (
        row["programme"],
        row["municipality"],
        str(row["year"]),
        row["status"] or "-",
        _pct(row["target_pct"]),
        _pct(row["reduction_measured_pct"]),
        _pct(row["reduction_estimated_pct"]),
        band(row["reduction_estimated_low_pct"], row["reduction_estimated_high_pct"]),
    )


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Left-aligned columns two spaces apart, a dashed line under the header."""
    table = [header, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def exports_needed(has_trips: bool, has_meetings: bool) -> str:
    """Which export would give a municipality figures."""
    if not has_trips and not has_meetings:
        return f"{TRAVEL_EXPORT} and {MEETING_EXPORT}"
    if not has_trips:
        return TRAVEL_EXPORT
    if not has_meetings:
        return MEETING_EXPORT
    return "a baseline year in both exports"


def missing_lines(missing: list[dict]) -> list[str]:
    """The municipalities without figures, grouped by the export that would give them data.

    Each item has `municipality`, `has_trips` and `has_meetings`.
    """
    if not missing:
        return ["Every programme municipality has figures."]
    groups: dict[str, list[str]] = {}
    for item in missing:
        need = exports_needed(item["has_trips"], item["has_meetings"])
        groups.setdefault(need, []).append(item["municipality"])
    lines = []
    for need, names in groups.items():
        lines.append(f"No figures for {', '.join(names)}: {need} would give them data.")
    return lines


def error_messages(error) -> list[str]:
    """The messages of an error and of its causes, outermost first (tracebacks stay in the log)."""
    messages = []
    while error is not None:
        if error.cls_name != "DagsterExecutionStepExecutionError" or error.cause is None:
            messages.append(error.message.strip())
        error = error.cause
    return messages

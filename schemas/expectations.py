"""Expectations as plain data: the rule builders every layer's suites use, the raw suite each
contract implies, and `validate`, which runs a suite with Great Expectations.

The suites are plain data (`Suite`, `Rule`), so a test can read them without Great Expectations;
`validate` turns one into a GX suite (GX 1.x, ephemeral context, pandas datasource, imported
lazily) and runs it on a DataFrame. The staging and mart suites live beside their layer
(assets/staging/expectations.py, assets/marts/expectations.py). Blocking rules guard what would
corrupt the marts; the others are warnings.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field

from . import Contract

# The oldest programme baseline is 1991 (Knutepunkt Sørlandet); nothing older is meeting data.
EARLIEST_DATE = dt.date(1990, 1, 1)
# An export cannot describe meetings more than a month after the run that reads it.
FUTURE_DAYS = 31
DAY_S = 86_400
SAMPLE_ROWS = 10


@dataclass(frozen=True)
class Rule:
    """One expectation: the GX class, its arguments, whether failing blocks, and what it says."""

    expectation: str
    kwargs: dict = field(compare=False)
    blocking: bool
    says: str

    @property
    def columns(self) -> tuple[str, ...]:
        keys = ("column", "column_A", "column_B")
        named = tuple(self.kwargs[k] for k in keys if k in self.kwargs)
        return named + tuple(self.kwargs.get("column_list", ()))


@dataclass(frozen=True)
class Suite:
    """The rules for one table, and the columns that identify a failing row to a person."""

    name: str
    rules: tuple[Rule, ...]
    index_columns: tuple[str, ...]

    def of(self, blocking: bool) -> Suite:
        rules = tuple(r for r in self.rules if r.blocking == blocking)
        return Suite(self.name, rules, self.index_columns)

    @property
    def columns(self) -> tuple[str, ...]:
        needed = [*self.index_columns, *(c for r in self.rules for c in r.columns)]
        return tuple(dict.fromkeys(needed))


@dataclass
class Finding:
    """A failed expectation: how many rows, a sample of them, and the files they came from."""

    rule: Rule
    failing: int
    sample: list[dict]
    files: Counter
    keys: list[dict] = field(default_factory=list, repr=False)


def latest_date(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=FUTURE_DAYS)


def not_null(column: str, blocking: bool = True) -> Rule:
    return Rule(
        "ExpectColumnValuesToNotBeNull", {"column": column}, blocking, f"{column} is filled in"
    )


def between(column: str, low, high, blocking: bool, says: str | None = None) -> Rule:
    if says is None:
        if high is None:
            says = f"{column} is at least {low:g}"
        elif low is None:
            says = f"{column} is at most {high:g}"
        else:
            says = f"{column} is between {low:g} and {high:g}"
    return Rule(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": low, "max_value": high},
        blocking,
        says,
    )


def strictly_below(column: str, high: float, blocking: bool, says: str) -> Rule:
    return Rule(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": 0, "max_value": high, "strict_max": True},
        blocking,
        says,
    )


def dated(column: str, today: dt.date, blocking: bool) -> Rule:
    low, high = EARLIEST_DATE, latest_date(today)
    return Rule(
        "ExpectColumnValuesToBeBetween",
        {
            "column": column,
            "min_value": dt.datetime.combine(low, dt.time()),
            "max_value": dt.datetime.combine(high, dt.time()),
        },
        blocking,
        f"{column} lies between {low} and {high}",
    )


def known_municipality(codes: frozenset[str]) -> Rule:
    return Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "municipality_code", "value_set": sorted(codes)},
        True,
        "municipality_code is a code in data/reference/municipalities.csv",
    )


def unique(columns: tuple[str, ...], blocking: bool, says: str) -> Rule:
    if len(columns) == 1:
        return Rule("ExpectColumnValuesToBeUnique", {"column": columns[0]}, blocking, says)
    return Rule("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}, blocking, says)


def attributed(codes: frozenset[str]) -> tuple[Rule, Rule]:
    """Every row has a municipality, and it is one of the reference data's."""
    return not_null("municipality_code"), known_municipality(codes)


def filled_and_dated(column: str, today: dt.date) -> tuple[Rule, Rule]:
    """A date that decides where a row counts: filled in and within the window (blocking)."""
    return not_null(column), dated(column, today, True)


def years(today: dt.date) -> tuple[int, int]:
    """The first and last year a mart row can have."""
    return EARLIEST_DATE.year, latest_date(today).year


def raw_suite(contract: Contract, codes: frozenset[str], today: dt.date) -> Suite:
    """raw.<kind>: keys filled in, contract ranges, known municipalities, dates in the window, and
    (a warning) no natural key twice within one file."""
    rules = list(attributed(codes))
    for column in contract.columns:
        if column.required:
            rules.append(not_null(column.name))
        if column.min is not None or column.max is not None:
            rules.append(between(column.name, column.min, column.max, True))
        if column.type in ("date", "timestamp", "month"):
            # The attribution date decides the period a row counts in; other dates only inform.
            rules.append(dated(column.name, today, column.name == contract.attribution_date))
    if contract.natural_key:
        key = ("source_path", "source_part", "municipality_code", *contract.natural_key)
        rules.append(
            unique(
                key,
                False,
                f"no two rows of one file share {', '.join(contract.natural_key)} "
                "(such rows are counted once)",
            )
        )
    return Suite(f"raw.{contract.kind}", tuple(rules), ("source_path", "source_line"))


def _gx_suite(gx, suite: Suite):
    built = gx.ExpectationSuite(name=suite.name)
    for index, rule in enumerate(suite.rules):
        expectation = getattr(gx.expectations, rule.expectation)
        built.add_expectation(expectation(**rule.kwargs, meta={"rule": index}))
    return built


def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def validate(frame, suite: Suite) -> list[Finding]:
    """Run the suite on a DataFrame with GX; one Finding per failed expectation."""
    if not suite.rules or frame.empty:
        return []
    frame = _nanosecond_dates(frame)
    gx, context = _context()
    source = context.data_sources.add_pandas("resfritt")
    batch = (
        source.add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("all rows")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    index = [c for c in suite.index_columns if c in frame.columns]
    result = batch.validate(
        _gx_suite(gx, suite),
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index},
    )
    findings = []
    for outcome in result.results:
        rule = suite.rules[outcome.expectation_config.meta["rule"]]
        if outcome.success:
            continue
        raised = (outcome.exception_info or {}).get("raised_exception")
        if raised:
            message = outcome.exception_info.get("exception_message", "")
            raise RuntimeError(f"{suite.name}: expectation {rule.says!r} could not run: {message}")
        details = outcome.result or {}
        rows = details.get("unexpected_index_list") or []
        failing = int(details.get("unexpected_count") or len(rows) or 1)
        files = Counter(str(r["source_path"]) for r in rows if r.get("source_path") is not None)
        sample = [{k: plain(v) for k, v in r.items()} for r in rows[:SAMPLE_ROWS]]
        keys = [{k: plain(r.get(k)) for k in index} for r in rows]
        findings.append(Finding(rule, failing, sample, files, keys))
    return findings


def _nanosecond_dates(frame):
    """DuckDB hands dates over as datetime64[us]; GX compares datetime64[ns] 20x faster."""
    converted = {}
    for name, dtype in frame.dtypes.items():
        if str(dtype).startswith("datetime64[") and str(dtype) != "datetime64[ns]":
            try:
                converted[name] = frame[name].astype("datetime64[ns]")
            except (OverflowError, ValueError):
                continue  # a year beyond 2262 stays as it is (slower, still correct)
    return frame.assign(**converted) if converted else frame


def plain(value):
    """A JSON-friendly scalar for the check's metadata."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | float | bool | str):
        return value
    return str(value)

"""A suite's rules as SQL over the whole table: each rule becomes the rows that break it.

Great Expectations validates a pandas frame, which for a large table is a sample and for every
run costs its import. The marts are small and their rules are plain comparisons, so they run here,
in DuckDB, on every row; so do the rows that new files add to a raw or staging table whose other
rows were validated before (assets/verdicts.py). A table's first validation, and any other, stays
with Great Expectations. The semantics follow GX's: a value rule ignores NULLs, a uniqueness rule
fails every row of a repeated key, a pair rule ignores a row whose two values are both missing.
"""

from __future__ import annotations

from collections import Counter

import duckdb

from schemas.expectations import SAMPLE_ROWS, Finding, Rule, Suite, plain

from .db import ident

# Keys of failing rows kept for tracing them to their files; the count is always exact.
MAX_KEYS = 10_000


def _between(kwargs: dict) -> tuple[str, list]:
    column = ident(kwargs["column"])
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    broken, params = [], []
    if low is not None:
        broken.append(f"{column} {'<=' if kwargs.get('strict_min') else '<'} ?")
        params.append(low)
    if high is not None:
        broken.append(f"{column} {'>=' if kwargs.get('strict_max') else '>'} ?")
        params.append(high)
    return f"{column} is not null and ({' or '.join(broken) or 'false'})", params


def failing_rows(rule: Rule, table: str) -> tuple[str, list]:
    """A `from` clause of the rows of `table` (quoted) that break `rule`, and its parameters."""
    kwargs = rule.kwargs
    if rule.expectation in ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"):
        keys = ", ".join(ident(c) for c in kwargs.get("column_list") or [kwargs["column"]])
        repeated = f"(select *, count(*) over (partition by {keys}) as repeats from {table})"
        return f"{repeated} where repeats > 1", []
    if rule.expectation == "ExpectColumnValuesToBeBetween":
        condition, params = _between(kwargs)
        return f"{table} where {condition}", params
    if rule.expectation == "ExpectColumnValuesToNotBeNull":
        return f"{table} where {ident(kwargs['column'])} is null", []
    if rule.expectation == "ExpectColumnValuesToBeInSet":
        column = ident(kwargs["column"])
        return f"{table} where {column} is not null and not list_contains(?, {column})", [
            list(kwargs["value_set"])
        ]
    if rule.expectation == "ExpectColumnPairValuesAToBeGreaterThanB":
        a, b = ident(kwargs["column_A"]), ident(kwargs["column_B"])
        holds = f"{a} >= {b}" if kwargs.get("or_equal") else f"{a} > {b}"
        return (
            f"{table} where not ({a} is null and {b} is null) and not coalesce({holds}, false)",
            [],
        )
    raise ValueError(f"{rule.expectation} has no SQL form here; validate it with GX")


def suite_findings(
    con: duckdb.DuckDBPyConnection, table: str, suite: Suite, table_params: list | None = None
) -> tuple[list[Finding], int]:
    """Every rule of the suite over the whole `table` (quoted, or a subquery that takes
    `table_params`): the failed ones, and the rows."""
    first = list(table_params or [])
    [[rows]] = con.execute(f"select count(*) from {table}", first).fetchall()
    findings = []
    for rule in suite.rules:
        shown = list(dict.fromkeys([*suite.index_columns, *rule.columns]))
        source, params = failing_rows(rule, table)
        params = [*first, *params]
        [[failing]] = con.execute(f"select count(*) from {source}", params).fetchall()
        if not failing:
            continue
        columns = ", ".join(ident(c) for c in shown)
        result = con.execute(
            f"select {columns} from {source} order by all limit ?", [*params, MAX_KEYS]
        )
        names = [d[0] for d in result.description]
        records = [dict(zip(names, map(plain, r), strict=True)) for r in result.fetchall()]
        keys = [{k: r[k] for k in suite.index_columns if k in r} for r in records]
        files: Counter = Counter()
        if "source_path" in shown:  # the files to fix, each with all its failing rows
            by_file = f"select source_path, count(*) from {source} group by all"
            files.update({p: n for p, n in con.execute(by_file, params).fetchall() if p})
        findings.append(Finding(rule, failing, records[:SAMPLE_ROWS], files, keys))
    return findings, rows

"""How a check reports: one `CheckReport` value per check (failing count, a sample of failing rows
and the files to fix), turned into the Dagster result the UI shows.

The checks themselves live beside their layer (assets/raw/checks.py, assets/staging/checks.py,
assets/marts/checks.py), with their suites (expectations.py beside them); assets/frames.py reads
what they validate, assets/verdicts.py repeats a verdict whose inputs did not change. Publication
has one gate:
the warehouse resource reads the run's failed steps and failed blocking checks at its end
(warehouse.run_problems), so a check only reports.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from schemas.expectations import SAMPLE_ROWS, Finding, Rule, Suite, plain, validate

from .db import ident, scalar, table_exists
from .rule_sql import suite_findings
from .settings import Inputs

CONTRACT = "rows_keep_the_contract"
PLAUSIBLE = "rows_look_plausible"


def today() -> dt.date:
    return dt.date.today()


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def quoted(key: dg.AssetKey) -> str:
    """The asset's table, quoted: ["marts", "x"] is "marts"."x"."""
    return ".".join(ident(part) for part in key.path)


def exists(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> bool:
    schema, name = key.path
    return table_exists(con, schema, name)


def count_rows(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> int:
    return scalar(con, f"select count(*) from {quoted(key)}") if exists(con, key) else 0


@dataclass(frozen=True)
class CheckReport:
    """What one check found in one table: the failed rules over `rows` rows and `rules` rules."""

    asset: dg.AssetKey
    name: str
    blocking: bool
    findings: tuple[Finding, ...] = ()
    rows: int = 0
    rules: int = 1
    files: Counter | None = field(default=None, compare=False)
    note: str = ""  # what the rows validated are, when not the whole table

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def failing_rows(self) -> int:
        return sum(f.failing for f in self.findings)

    def files_to_fix(self) -> Counter:
        """The files behind the failing rows (given, or those the findings name)."""
        if self.files is not None:
            return self.files
        files: Counter = Counter()
        for finding in self.findings:
            files.update(finding.files)
        return files

    def description(self, raw: Path) -> str:
        """What the UI says: all rules hold, or what broke, in which files, and what to do."""
        table = "/".join(self.asset.path)
        if not self.rules:
            return f"No expectations of this severity for {table}."
        if self.passed:
            return (
                f"All {self.rules} expectations hold on {_rows(self.rows)} of {table}{self.note}."
            )
        worst = self.files_to_fix().most_common(5)
        where = (
            ", ".join(f"{_path(raw, p)} ({_rows(n)})" for p, n in worst)
            or "the reference data in data/reference (no export file is involved)"
        )
        broken = "; ".join(
            f"{f.rule.says}: {_rows(f.failing)} " + ("fails" if f.failing == 1 else "fail")
            for f in self.findings[:3]
        )
        then = " and run again; the warehouse was not published." if self.blocking else "."
        return f"{table}{self.note}: {broken}. Fix {where}{then}"

    def metadata(self, raw: Path) -> dict:
        """Failing count, rows and expectations, the files to fix and a sample of failing rows."""
        sample = [{"expectation": f.rule.says, **row} for f in self.findings for row in f.sample][
            :SAMPLE_ROWS
        ]
        failed = [
            {"expectation": f.rule.says, "failing_rows": f.failing, "files": sorted(f.files)}
            for f in self.findings
        ]
        files = [_path(raw, p) for p, _ in self.files_to_fix().most_common()]
        return {
            "failing_rows": dg.MetadataValue.int(self.failing_rows),
            "rows_validated": dg.MetadataValue.int(self.rows),
            "expectations": dg.MetadataValue.int(self.rules),
            "files_to_fix": dg.MetadataValue.json(files),
            "failed_expectations": dg.MetadataValue.json(failed),
            "sample": dg.MetadataValue.json(sample),
        }

    def result(self, context, inputs: Inputs) -> dg.AssetCheckResult:
        """The Dagster result; a failure is also logged, as an error if it blocks."""
        description = self.description(inputs.raw_path)
        if not self.passed:
            (context.log.error if self.blocking else context.log.warning)(description)
        return dg.AssetCheckResult(
            asset_key=self.asset,
            check_name=self.name,
            passed=self.passed,
            severity=severity(self.blocking),
            metadata=self.metadata(inputs.raw_path),
            description=description,
        )


def severity(blocking: bool) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN


def _path(raw: Path, source_path: str) -> str:
    return source_path if Path(source_path).is_absolute() else str(raw / source_path)


def sql_findings(con: duckdb.DuckDBPyConnection, sql: str, says: str, blocking: bool):
    """A rule written as SQL that returns the rows breaking it (files from a `path` column)."""
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    records = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    if not records:
        return ()
    files = Counter(str(r["path"]) for r in records if r.get("path"))
    sample = [{k: plain(v) for k, v in r.items()} for r in records[:SAMPLE_ROWS]]
    keys = [{k: plain(v) for k, v in r.items()} for r in records]
    return (Finding(Rule("sql", {}, blocking, says), len(records), sample, files, keys),)


@dataclass(frozen=True)
class SqlCheck:
    """One check as SQL that returns the rows breaking it, over the whole table."""

    name: str
    blocking: bool
    says: str
    sql: str

    def spec(self, asset: dg.AssetKey, reads: Iterable[dg.AssetKey] = ()) -> dg.AssetCheckSpec:
        prefix = "Blocking" if self.blocking else "Warning"
        return dg.AssetCheckSpec(
            self.name,
            asset=asset,
            blocking=self.blocking,
            additional_deps=tuple(reads),
            description=f"{prefix}: {self.says}.",
        )

    def report(self, con: duckdb.DuckDBPyConnection, asset: dg.AssetKey) -> CheckReport:
        findings = sql_findings(con, self.sql, self.says, self.blocking)
        return CheckReport(asset, self.name, self.blocking, findings, count_rows(con, asset))


def contract_specs(
    asset: dg.AssetKey, what: str, reads: tuple[dg.AssetKey, ...] = ()
) -> list[dg.AssetCheckSpec]:
    """The blocking and the warning check of one table (which also `reads` other tables),
    described for the UI."""
    return [
        dg.AssetCheckSpec(
            CONTRACT,
            asset=asset,
            blocking=True,
            additional_deps=reads,
            description=f"Blocking: {what} must hold, or the marts are not rebuilt and the "
            "warehouse is not published. The result names the files to fix.",
        ),
        dg.AssetCheckSpec(
            PLAUSIBLE,
            asset=asset,
            additional_deps=reads,
            description="Warning: values that are possible but unlikely, listed with their "
            "files; the run still publishes.",
        ),
    ]


def suite_reports(
    asset: dg.AssetKey, frame, suite: Suite, files_of: Callable[[list], Counter] | None = None
) -> Iterator[CheckReport]:
    """Validate a frame once with Great Expectations; the blocking and the warning half."""
    findings = [] if frame is None else validate(frame, suite)
    return halves(asset, findings, 0 if frame is None else len(frame), suite, files_of)


def halves(
    asset: dg.AssetKey,
    findings: list[Finding],
    rows: int,
    suite: Suite,
    files_of: Callable[[list], Counter] | None = None,
) -> Iterator[CheckReport]:
    """A suite's findings as two reports: the blocking (CONTRACT) and the warning (PLAUSIBLE)."""
    for blocking, name in ((True, CONTRACT), (False, PLAUSIBLE)):
        mine = tuple(f for f in findings if f.rule.blocking == blocking)
        files = files_of(list(mine)) if files_of and mine else None
        yield CheckReport(asset, name, blocking, mine, rows, len(suite.of(blocking).rules), files)


def rows_of_files(
    con: duckdb.DuckDBPyConnection, asset: dg.AssetKey, select: str, suite: Suite, paths: list
) -> Iterator[CheckReport]:
    """A suite over every row that `select` (a query with a source_path column) has from these
    files only, in SQL (assets/rule_sql.py): how new files' rows are validated."""
    source = f"(select * from ({select}) where list_contains(?, source_path))"
    findings, rows = suite_findings(con, source, suite, [paths])
    return halves(asset, findings, rows, suite)

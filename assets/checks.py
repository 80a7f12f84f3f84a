"""How a check reports: one `CheckReport` value per check (failing count, a sample of failing rows
and the files to fix), turned into the Dagster result the UI shows.

The checks themselves live beside their layer (assets/raw/checks.py, assets/staging/checks.py,
assets/marts/checks.py), with their suites (expectations.py beside them). Publication has one gate:
the warehouse resource reads the run's failed steps and failed blocking checks at its end
(warehouse.run_problems), so a check only reports.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from schemas.expectations import SAMPLE_ROWS, Finding, Rule, Suite, plain, validate

from .db import ident, scalar, table_exists
from .fingerprint import built_from, code_fingerprint, recorded
from .freshness import check_inputs
from .settings import Inputs
from .warehouse import Warehouse

CONTRACT = "rows_keep_the_contract"
PLAUSIBLE = "rows_look_plausible"
MAX_VALIDATED_ROWS = 50_000


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
            return f"All {self.rules} expectations hold on {_rows(self.rows)} of {table}."
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
        return f"{table}: {broken}. Fix {where}{then}"

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
            severity=_severity(self.blocking),
            metadata=self.metadata(inputs.raw_path),
            description=description,
        )


def _severity(blocking: bool) -> dg.AssetCheckSeverity:
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
    rows = 0 if frame is None else len(frame)
    findings = [] if frame is None else validate(frame, suite)
    for blocking, name in ((True, CONTRACT), (False, PLAUSIBLE)):
        mine = tuple(f for f in findings if f.rule.blocking == blocking)
        files = files_of(list(mine)) if files_of and mine else None
        count = len(suite.of(blocking).rules)
        yield CheckReport(asset, name, blocking, mine, rows, count, files)


def reference_codes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every municipality code in data/reference/municipalities.csv (as loaded)."""
    if not table_exists(con, "ref", "municipalities"):
        return frozenset()
    return frozenset(r[0] for r in con.execute("select code from ref.municipalities").fetchall())


def table_frame(con: duckdb.DuckDBPyConnection, key: dg.AssetKey, suite: Suite):
    """The columns a suite needs from a table, sampled when large (None if it does not exist)."""
    if not exists(con, key):
        return None
    present = {r[0] for r in con.execute(f"describe {quoted(key)}").fetchall()}
    columns = ", ".join(ident(c) for c in suite.columns if c in present)
    return con.execute(sampled(con, f"select {columns} from {quoted(key)}", key)).df()


def sampled(con: duckdb.DuckDBPyConnection, sql_from: str, key: dg.AssetKey) -> str:
    """Great Expectations validates pandas frames: above MAX_VALIDATED_ROWS, a repeatable sample.

    Every row already passed the same contract rules in SQL when it was loaded (ops.quarantine);
    the suites are the second line, and a 10-million-row frame would cost gigabytes. The sample
    takes whole vectors of rows (DuckDB's system sampling), so it costs what it reads.
    """
    rows = count_rows(con, key)
    if rows <= MAX_VALIDATED_ROWS:
        return sql_from
    percent = 100 * MAX_VALIDATED_ROWS / rows
    return f"{sql_from} using sample system({percent:.6f} percent) repeatable (42)"


Reports = Callable[[duckdb.DuckDBPyConnection], Iterable[CheckReport]]


def _validated_file(warehouse: Warehouse) -> Path:
    return Path(warehouse.path).with_name(".validated.json")


def _inputs_fingerprint(con, context: dg.AssetCheckExecutionContext, module: str) -> str | None:
    """The one policy's fingerprint of what a check reads (its assets and their additional deps,
    whose fingerprints hold everything upstream), its module's code and today's date (the suites'
    window)."""
    inputs = check_inputs(context)
    if any(recorded(con, name) is None for name in inputs):
        return None
    return built_from(con, inputs, code_fingerprint(module), [today().isoformat()])


def _replayed(verdict: dict) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(verdict["asset"]),
        check_name=verdict["check"],
        passed=verdict["passed"],
        severity=_severity(verdict["blocking"]),
        metadata={"unchanged": True, "failing_rows": verdict["failing_rows"]},
        description=verdict["description"]
        + " (inputs unchanged since validated today; not validated again)",
    )


def unless_validated(
    context: dg.AssetCheckExecutionContext,
    warehouse: Warehouse,
    inputs: Inputs,
    reports: Reports,
) -> Iterator[dg.AssetCheckResult]:
    """Report the checks, unless these inputs were validated today: then repeat that verdict.

    The verdicts are kept in a small file beside the warehouse, so a run with nothing new neither
    imports Great Expectations nor copies the warehouse. A blocking failure is never kept.
    """
    record = _validated_file(warehouse)
    kept = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    key = context.op_def.name
    with warehouse.read() as con:
        fingerprint = _inputs_fingerprint(con, context, reports.__module__)
        earlier = kept.get(key)
        if fingerprint is not None and earlier and earlier["fingerprint"] == fingerprint:
            yield from (_replayed(verdict) for verdict in earlier["results"])
            return
        made = list(reports(con))
    yield from (report.result(context, inputs) for report in made)
    if fingerprint is None or any(r.blocking and not r.passed for r in made):
        return
    kept[key] = {
        "fingerprint": fingerprint,
        "results": [
            {
                "asset": list(r.asset.path),
                "check": r.name,
                "passed": r.passed,
                "blocking": r.blocking,
                "failing_rows": r.failing_rows,
                "description": r.description(inputs.raw_path),
            }
            for r in made
        ],
    }
    record.parent.mkdir(parents=True, exist_ok=True)
    temporary = record.with_suffix(".tmp")
    temporary.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
    temporary.replace(record)

"""How a check reports: failing count, a sample of failing rows and the files to fix, in metadata.

The checks themselves live beside their layer (assets/raw/checks.py, assets/staging/checks.py,
assets/marts/checks.py). A failed blocking check calls warehouse.block(), so the run does not
publish; a warning is reported and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import dagster as dg

from schemas.expectations import SAMPLE_ROWS, Finding, Rule, Suite, plain, validate

from .db import ident, table_exists
from .fingerprint import built_from, code_fingerprint, recorded
from .freshness import check_inputs
from .settings import Inputs
from .warehouse import Warehouse

CONTRACT = "rows_keep_the_contract"
PLAUSIBLE = "rows_look_plausible"


def blocking_spec(name: str, asset: dg.AssetKey, description: str) -> dg.AssetCheckSpec:
    """A check whose failure stops the marts and the publication; the UI shows `description`."""
    return dg.AssetCheckSpec(name, asset=asset, blocking=True, description=description)


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


def today() -> dt.date:
    return dt.date.today()


def reference_codes(warehouse: Warehouse) -> frozenset[str]:
    """Every municipality code in data/reference/municipalities.csv (as loaded)."""
    with warehouse.read() as con:
        if not _exists(con, "ref.municipalities"):
            return frozenset()
        return frozenset(
            r[0] for r in con.execute("select code from ref.municipalities").fetchall()
        )


def _exists(con, table: str) -> bool:
    schema, _, name = table.partition(".")
    return table_exists(con, schema, name)


def frame_of(warehouse: Warehouse, sql: str, sampled_from: str | None = None):
    """A query's result as a DataFrame, from what this run sees; a sample when the query reads
    one big table (`sampled_from`)."""
    with warehouse.read() as con:
        if sampled_from:
            sql = sampled(con, sql, sampled_from)
        return con.execute(sql).df()


def table_frame(warehouse: Warehouse, table: str, suite: Suite):
    """The columns a suite needs from a table (None if the table does not exist yet)."""
    with warehouse.read() as con:
        if not _exists(con, table):
            return None
        present = {r[0] for r in con.execute(f"describe {table}").fetchall()}
        columns = ", ".join(ident(c) for c in suite.columns if c in present)
        return con.execute(sampled(con, f"select {columns} from {table}", table)).df()


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _path(inputs: Inputs, source_path: str) -> str:
    return (
        str(inputs.raw_path / source_path) if not Path(source_path).is_absolute() else source_path
    )


def check_result(
    context,
    warehouse: Warehouse,
    inputs: Inputs,
    asset: dg.AssetKey,
    check_name: str,
    findings: list[Finding],
    blocking: bool,
    rows: int,
    rules: int,
    files: Counter | None = None,
) -> dg.AssetCheckResult:
    """One AssetCheckResult: failing count, sample rows and files; a blocking failure blocks."""
    table = "/".join(asset.path)
    if files is None:
        files = Counter()
        for finding in findings:
            files.update(finding.files)
    if not rules:
        description = f"No expectations of this severity for {table}."
    elif not findings:
        description = f"All {rules} expectations hold on {_rows(rows)} of {table}."
    else:
        where, broken = _failure_words(inputs, findings, files)
        description = f"{table}: {broken}. Fix {where}"
        if blocking:
            description += " and run again; the warehouse was not published."
            warehouse.block(f"check {table}:{check_name} failed: {broken} ({where})")
            context.log.error(description)
        else:
            description += "."
            context.log.warning(description)
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=check_name,
        passed=not findings,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata=_result_metadata(inputs, findings, files, rows, rules),
        description=description,
    )


def _result_metadata(
    inputs: Inputs, findings: list[Finding], files: Counter, rows: int, rules: int
) -> dict:
    """Failing count, rows and expectations, the files to fix and a sample of failing rows."""
    sample = [{"expectation": f.rule.says, **row} for f in findings for row in f.sample][
        :SAMPLE_ROWS
    ]
    return {
        "failing_rows": dg.MetadataValue.int(sum(f.failing for f in findings)),
        "rows_validated": dg.MetadataValue.int(rows),
        "expectations": dg.MetadataValue.int(rules),
        "files_to_fix": dg.MetadataValue.json([_path(inputs, p) for p, _ in files.most_common()]),
        "failed_expectations": dg.MetadataValue.json(
            [
                {"expectation": f.rule.says, "failing_rows": f.failing, "files": sorted(f.files)}
                for f in findings
            ]
        ),
        "sample": dg.MetadataValue.json(sample),
    }


def _failure_words(inputs: Inputs, findings: list[Finding], files: Counter) -> tuple[str, str]:
    """Where to fix (the files with most failing rows) and what broke, in words."""
    where = (
        ", ".join(f"{_path(inputs, p)} ({_rows(n)})" for p, n in files.most_common(5))
        or "the reference data in data/reference (no export file is involved)"
    )
    broken = "; ".join(
        f"{f.rule.says}: {_rows(f.failing)} " + ("fails" if f.failing == 1 else "fail")
        for f in findings[:3]
    )
    return where, broken


def suite_results(
    context,
    warehouse: Warehouse,
    inputs: Inputs,
    asset: dg.AssetKey,
    frame,
    suite: Suite,
    files_of=None,
) -> Iterable[dg.AssetCheckResult]:
    """Validate a frame once and report the blocking and the warning half of the suite."""
    rows = 0 if frame is None else len(frame)
    findings = [] if frame is None else validate(frame, suite)
    for blocking, name in ((True, CONTRACT), (False, PLAUSIBLE)):
        mine = [f for f in findings if f.rule.blocking == blocking]
        files = files_of(mine) if files_of and mine else None
        count = len(suite.of(blocking).rules)
        yield check_result(
            context, warehouse, inputs, asset, name, mine, blocking, rows, count, files
        )


def sql_result(
    context,
    warehouse: Warehouse,
    inputs: Inputs,
    asset: dg.AssetKey,
    check_name: str,
    sql: str,
    says: str,
    blocking: bool,
) -> dg.AssetCheckResult:
    """A check written as SQL that returns the failing rows (with a `path` column)."""
    table = ".".join(asset.path)
    with warehouse.read() as con:
        total = con.execute(f"select count(*) from {table}").fetchall()[0][0]
        result = con.execute(sql)
        rows = result.fetchall()
        names = [d[0] for d in result.description]
    findings = []
    if rows:
        records = [dict(zip(names, row, strict=True)) for row in rows]
        files = Counter(str(r["path"]) for r in records if r.get("path"))
        sample = [{k: plain(v) for k, v in r.items()} for r in records[:SAMPLE_ROWS]]
        findings.append(Finding(Rule("sql", {}, blocking, says), len(rows), sample, files))
    return check_result(context, warehouse, inputs, asset, check_name, findings, blocking, total, 1)


MAX_VALIDATED_ROWS = 50_000


def sampled(con, sql_from: str, table: str) -> str:
    """Great Expectations validates pandas frames: above MAX_VALIDATED_ROWS, a repeatable sample.

    Every row already passed the same contract rules in SQL when it was loaded (ops.quarantine);
    the suites are the second line, and a 10-million-row frame would cost gigabytes. The sample
    takes whole vectors of rows (DuckDB's system sampling), so it costs what it reads.
    """
    [[rows]] = con.execute(f"select count(*) from {table}").fetchall()
    if rows <= MAX_VALIDATED_ROWS:
        return sql_from
    percent = 100 * MAX_VALIDATED_ROWS / rows
    return f"{sql_from} using sample system({percent:.6f} percent) repeatable (42)"


def _validated_file(warehouse: Warehouse) -> Path:
    return Path(warehouse.path).with_name(".validated.json")


def _inputs_fingerprint(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, module: str
) -> str | None:
    """The one policy's fingerprint of what a check reads (its assets and their additional deps,
    whose fingerprints hold everything upstream), its module's code and today's date (the suites'
    window)."""
    inputs = check_inputs(context)
    with warehouse.read() as con:
        if any(recorded(con, name) is None for name in inputs):
            return None
        return built_from(con, inputs, code_fingerprint(module), [today().isoformat()])


def unless_validated(
    context: dg.AssetCheckExecutionContext,
    warehouse: Warehouse,
    validate_now: Callable[[], Iterable[dg.AssetCheckResult]],
) -> Iterator[dg.AssetCheckResult]:
    """Validate, unless these inputs were validated today: then repeat that verdict (a no-op run).

    The verdicts are kept in a small file beside the warehouse, so a run with nothing new neither
    imports Great Expectations nor copies the warehouse. A blocking failure is never kept.
    """
    fingerprint = _inputs_fingerprint(context, warehouse, validate_now.__module__)
    record = _validated_file(warehouse)
    kept = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    key = context.op_def.name
    earlier = kept.get(key)
    if fingerprint is not None and earlier and earlier["fingerprint"] == fingerprint:
        for verdict in earlier["results"]:
            yield dg.AssetCheckResult(
                asset_key=dg.AssetKey(verdict["asset"]),
                check_name=verdict["check"],
                passed=verdict["passed"],
                severity=dg.AssetCheckSeverity(verdict["severity"]),
                metadata={"unchanged": True, "failing_rows": verdict["failing_rows"]},
                description=verdict["description"]
                + " (inputs unchanged since validated today; not validated again)",
            )
        return
    results = list(validate_now())
    yield from results
    blocked = any(not r.passed and r.severity == dg.AssetCheckSeverity.ERROR for r in results)
    if fingerprint is None or blocked:
        return
    kept[key] = {
        "fingerprint": fingerprint,
        "results": [
            {
                "asset": list(r.asset_key.path),
                "check": r.check_name,
                "passed": r.passed,
                "severity": r.severity.value,
                "failing_rows": int(getattr(r.metadata.get("failing_rows"), "value", 0) or 0),
                "description": r.description or "",
            }
            for r in results
        ],
    }
    record.parent.mkdir(parents=True, exist_ok=True)
    temporary = record.with_suffix(".tmp")
    temporary.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
    temporary.replace(record)

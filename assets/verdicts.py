"""A check's verdict is repeated, not validated again, while its inputs keep their fingerprint."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import dagster as dg
import duckdb

from .checks import CheckReport, severity, today
from .fingerprint import built_from, code_fingerprint, recorded
from .freshness import check_inputs
from .settings import Inputs
from .warehouse import Warehouse

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
        severity=severity(verdict["blocking"]),
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

"""A check's verdict is repeated, not validated again, while its inputs keep their fingerprint."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb

from .checks import CheckReport, severity, today
from .fingerprint import (
    added_paths,
    built_from,
    code_fingerprint,
    rebuilt,
    recorded,
    recorded_files,
    without_files,
)
from .freshness import table_of
from .settings import Inputs
from .warehouse import Warehouse

# The reports on one checked asset (the others of the same check are replayed or made apart).
Reports = Callable[[duckdb.DuckDBPyConnection, dg.AssetKey], Iterable[CheckReport]]
# The same checks on the rows of some files only (paths), for a table that grows by files.
NewRows = Callable[[duckdb.DuckDBPyConnection, dg.AssetKey, list[str]], Iterable[CheckReport]]


def _validated_file(warehouse: Warehouse) -> Path:
    return Path(warehouse.path).with_name(".validated.json")


def inputs_by_asset(context: dg.AssetCheckExecutionContext) -> dict[dg.AssetKey, list[str]]:
    """What the check reads for each asset it checks: the asset and its specs' additional deps."""
    found: dict[dg.AssetKey, set[str]] = {}
    for spec in context.check_specs:
        tables = found.setdefault(spec.asset_key, {table_of(spec.asset_key)})
        tables.update(table_of(dep.asset_key) for dep in spec.additional_deps)
    return {key: sorted(found[key]) for key in sorted(found, key=dg.AssetKey.to_user_string)}


def _fingerprint(con, tables: list[str], code: str) -> str | None:
    """The one policy's fingerprint of what a check reads of one asset (tables whose
    fingerprints hold everything upstream), its module's code and today's date (the suites'
    window); None while one of them was never built."""
    if any(recorded(con, name) is None for name in tables):
        return None
    return built_from(con, tables, code, [today().isoformat()])


def _without_files(con, table: str, tables: list[str], code: str) -> str | None:
    """What a check of a table that grows by files reads other than the files (None: the table
    does not grow by files)."""
    if recorded(con, without_files(table)) is None:
        return None
    others = [t for t in tables if t != table]
    reads = [*others, without_files(table), rebuilt(table)]
    return built_from(con, reads, code, [today().isoformat()])


def _new_files(con, table: str, base: str | None, earlier: dict | None) -> list[str] | None:
    """The files added to `table` since an earlier verdict that all held and read the same
    rest; None when the table must be validated whole (see unless_validated)."""
    if base is None or not earlier or earlier.get("without_files") != base:
        return None
    if not all(verdict["passed"] for verdict in earlier["results"]):
        return None
    before = {tuple(f) for f in earlier["files"]}
    return added_paths(before, recorded_files(con, table)) or None


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


def _kept(report: CheckReport, raw: Path) -> dict:
    return {
        "asset": list(report.asset.path),
        "check": report.name,
        "passed": report.passed,
        "blocking": report.blocking,
        "failing_rows": report.failing_rows,
        "description": report.description(raw),
    }


def unless_validated(
    context: dg.AssetCheckExecutionContext,
    warehouse: Warehouse,
    inputs: Inputs,
    reports: Reports,
    new_rows: NewRows | None = None,
) -> Iterator[dg.AssetCheckResult]:
    """Report the checks of each asset, unless its inputs were validated today: then repeat
    that verdict, so only what changed is validated (and Great Expectations imported). Where a
    table only gained files since a verdict that all held, `new_rows` validates the new files'
    rows alone (every rule of these suites is about one row, or rows of one file).

    The verdicts are kept in a small file beside the warehouse, so a run with nothing new neither
    imports Great Expectations nor copies the warehouse. A blocking failure is never kept.
    """
    record = _validated_file(warehouse)
    kept = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    made: list[tuple[str, dict, list[CheckReport]]] = []
    code = code_fingerprint(reports.__module__)
    with warehouse.read() as con:
        for asset, tables in inputs_by_asset(context).items():
            key = f"{context.op_def.name}:{asset.to_user_string()}"
            table = table_of(asset)
            state = {
                "fingerprint": _fingerprint(con, tables, code),
                "without_files": _without_files(con, table, tables, code) if new_rows else None,
                "files": sorted(recorded_files(con, table), key=repr) if new_rows else [],
            }
            earlier = kept.get(key)
            fingerprint = state["fingerprint"]
            if fingerprint is not None and earlier and earlier["fingerprint"] == fingerprint:
                yield from (_replayed(verdict) for verdict in earlier["results"])
                continue
            added = _new_files(con, table, state["without_files"], earlier)
            if added is not None:
                note = f" (the rows of {len(added)} new file(s); the others held when validated)"
                found = [replace(r, note=note) for r in new_rows(con, asset, added)]
            else:
                found = list(reports(con, asset))
            made.append((key, state, found))
    for key, state, found in made:
        yield from (report.result(context, inputs) for report in found)
        if state["fingerprint"] is not None and not any(r.blocking and not r.passed for r in found):
            kept[key] = {**state, "results": [_kept(r, inputs.raw_path) for r in found]}
    if made:
        record.parent.mkdir(parents=True, exist_ok=True)
        temporary = record.with_suffix(".tmp")
        temporary.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
        temporary.replace(record)

"""Mart checks: one row per grain, percentages that can exist, totals that add up to staging."""

from collections import Counter
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from schemas.expectations import (
    municipality_progress_suite,
    totals_suite,
    validate,
    virtual_meetings_suite,
)

from ..checks import (
    blocking_spec,
    check_result,
    contract_specs,
    frame_of,
    suite_results,
    table_frame,
    today,
    unless_validated,
)
from ..settings import Inputs
from ..warehouse import Warehouse

VIRTUAL_MEETINGS = dg.AssetKey(["marts", "virtual_meetings"])
PROGRESS = dg.AssetKey(["marts", "municipality_progress"])
ADD_UP = "meetings_add_up_to_staging"

# Staged meetings per programme and year, counted once per member municipality (today's code).
STAGED_BY_PROGRAMME = """
with municipalities as (
    select code, any_value(coalesce(successor_code, code)) as today_code
    from ref.municipalities
    group by code
),
members as (
    select distinct programme, municipality_code
    from ref.programme_members
),
staged as (
    select
        pm.programme,
        cast(year(a.period_start) as integer) as year,
        sum(a.meetings) as meetings
    from staging.meeting_activity a
    join municipalities m
      on m.code = a.municipality_code
    join members pm
      on pm.municipality_code = m.today_code
    group by all
),
mart as (
    select programme, year, sum({column}) as meetings
    from {mart}
    group by all
)
select
    coalesce(s.programme, t.programme) as programme,
    coalesce(s.year, t.year) as year,
    cast(coalesce(t.meetings, 0) as bigint) as mart_meetings,
    cast(coalesce(s.meetings, 0) as bigint) as staging_meetings
from staged s
full join mart t
  on t.programme = s.programme and t.year = s.year
order by all
"""

# The staged source files behind failing mart rows (matched on whichever keys the rows carry).
FILES_BEHIND = """
select a.source_path, count(*) as n
from staging.meeting_activity a
join (select code, coalesce(successor_code, code) as today_code from ref.municipalities) m
  on m.code = a.municipality_code
join ref.programme_members pm
  on pm.municipality_code = m.today_code
join failing f
  on {conditions}
group by all
order by n desc
"""
KEY_SQL = {
    "programme": "pm.programme",
    "municipality_code": "m.today_code",
    "year": "cast(year(a.period_start) as integer)",
}


def files_behind(warehouse: Warehouse, findings) -> Counter:
    """Staged rows (by source file) that feed the failing mart rows."""
    keys = [k for f in findings for k in f.keys]
    failing = pd.DataFrame(keys).drop_duplicates()
    columns = [c for c in KEY_SQL if c in failing.columns]
    if failing.empty or not columns:
        return Counter()
    conditions = " and ".join(f"f.{c} = {KEY_SQL[c]}" for c in columns)
    with warehouse.read() as con:
        con.register("failing", failing[columns])
        rows = con.execute(FILES_BEHIND.format(conditions=conditions)).fetchall()
    return Counter({path: int(n) for path, n in rows})


def _add_up(context, warehouse, inputs, asset, mart: str, column: str) -> dg.AssetCheckResult:
    suite = totals_suite(mart)
    frame = frame_of(warehouse, STAGED_BY_PROGRAMME.format(mart=mart, column=column))
    findings = validate(frame, suite)
    files = files_behind(warehouse, findings) if findings else None
    return check_result(
        context, warehouse, inputs, asset, ADD_UP, findings, True, len(frame), 1, files
    )


def _specs(asset: dg.AssetKey, grain: str) -> list[dg.AssetCheckSpec]:
    return [
        *contract_specs(asset, f"one row per {grain}, percentages within bounds"),
        blocking_spec(
            ADD_UP,
            asset,
            "Blocking: per programme and year, the mart's meetings equal the staged meetings of "
            "the programme's municipalities (nothing lost, nothing counted twice).",
        ),
    ]


def _mart_results(context, warehouse, inputs, asset, suite, column: str):
    """A mart's suite (grain, bounds) and its total against staging, unless inputs are unchanged."""
    mart = ".".join(asset.path)

    def validate_now() -> Iterator[dg.AssetCheckResult]:
        frame = table_frame(warehouse, mart, suite)
        yield from suite_results(
            context,
            warehouse,
            inputs,
            asset,
            frame,
            suite,
            lambda findings: files_behind(warehouse, findings),
        )
        yield _add_up(context, warehouse, inputs, asset, mart, column)

    yield from unless_validated(context, warehouse, validate_now)


@dg.multi_asset_check(
    specs=_specs(VIRTUAL_MEETINGS, "programme, municipality, year and platform"),
    description="marts.virtual_meetings: grain, bounds and totals, run with Great Expectations.",
)
def virtual_meetings_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """One row per programme, municipality, year and platform; meetings add up to staging."""
    suite = virtual_meetings_suite(today())
    yield from _mart_results(context, warehouse, inputs, VIRTUAL_MEETINGS, suite, "meetings")


@dg.multi_asset_check(
    specs=_specs(PROGRESS, "programme, municipality and year"),
    description="marts.municipality_progress: grain, bounds and totals, run with Great "
    "Expectations.",
)
def municipality_progress_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """One row per programme, municipality and year; percentages that can exist; virtual meetings
    add up to staging."""
    suite = municipality_progress_suite(today())
    yield from _mart_results(context, warehouse, inputs, PROGRESS, suite, "virtual_meetings")

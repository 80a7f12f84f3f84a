"""Mart checks: one row per grain, percentages that can exist, totals that add up to staging."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import dagster as dg
import pandas as pd

from ..checks import CheckReport, SqlCheck, contract_specs, halves, quoted, today
from ..db import ident
from ..rule_sql import suite_findings
from ..settings import Inputs
from ..verdicts import unless_validated
from ..warehouse import Warehouse
from .expectations import municipality_progress_suite, virtual_meetings_suite

VIRTUAL_MEETINGS = dg.AssetKey(["marts", "virtual_meetings"])
PROGRESS = dg.AssetKey(["marts", "municipality_progress"])
ADD_UP = "meetings_add_up_to_staging"
TODAY_CODE = "select code, coalesce(successor_code, code) as today_code from ref.municipalities"


def staged_by_programme(mart: dg.AssetKey, column: str) -> str:
    """Per programme and year where the mart's meetings differ from the staged meetings of the
    programme's member municipalities (today's code), counted once per member."""
    return f"""
with municipalities as (
    select code, any_value(today_code) as today_code from ({TODAY_CODE}) group by code
),
members as (
    select distinct programme, municipality_code from ref.programme_members
),
staged as (
    select pm.programme, cast(year(a.period_start) as integer) as year, sum(a.meetings) as meetings
    from staging.meeting_activity a
    join municipalities m on m.code = a.municipality_code
    join members pm on pm.municipality_code = m.today_code
    group by all
),
mart as (
    select programme, year, sum({ident(column)}) as meetings from {quoted(mart)} group by all
),
compared as (
    select
        coalesce(s.programme, t.programme) as programme,
        coalesce(s.year, t.year) as year,
        cast(coalesce(t.meetings, 0) as bigint) as mart_meetings,
        cast(coalesce(s.meetings, 0) as bigint) as staging_meetings
    from staged s
    full join mart t on t.programme = s.programme and t.year = s.year
)
select * from compared where mart_meetings <> staging_meetings order by all
"""


# The staged rows behind failing mart rows, matched on whichever keys the rows carry.
KEY_SQL = {
    "programme": "pm.programme",
    "municipality_code": "m.today_code",
    "year": "cast(year(a.period_start) as integer)",
}


def files_behind(con, findings) -> Counter:
    """Staged rows (by source file) that feed the failing mart rows."""
    failing = pd.DataFrame([k for f in findings for k in f.keys]).drop_duplicates()
    columns = [c for c in KEY_SQL if c in failing.columns]
    if failing.empty or not columns:
        return Counter()
    on = " and ".join(f"f.{ident(c)} = {KEY_SQL[c]}" for c in columns)
    con.register("failing", failing[columns])
    rows = con.execute(
        f"""
        select a.source_path, count(*) as n
        from staging.meeting_activity a
        join ({TODAY_CODE}) m on m.code = a.municipality_code
        join ref.programme_members pm on pm.municipality_code = m.today_code
        join failing f on {on}
        group by all
        order by n desc
        """
    ).fetchall()
    con.unregister("failing")
    return Counter({path: int(n) for path, n in rows})


def totals_report(con, asset: dg.AssetKey, column: str) -> CheckReport:
    """The mart's meetings against staging's, per programme and year, over the whole table."""
    mart = ".".join(asset.path)
    says = f"meetings in {mart} add up to the staged meetings of the programme's municipalities"
    report = SqlCheck(ADD_UP, True, says, staged_by_programme(asset, column)).report(con, asset)
    return replace(report, files=files_behind(con, report.findings)) if report.findings else report


def mart_reports(suite, column: str):
    """A mart's suite (grain, bounds, in SQL over every row) and its total against staging."""

    def reports(con, checked: dg.AssetKey) -> Iterator[CheckReport]:
        findings, rows = suite_findings(con, quoted(checked), suite)
        yield from halves(checked, findings, rows, suite, lambda found: files_behind(con, found))
        yield totals_report(con, checked, column)

    return reports


def _specs(asset: dg.AssetKey, grain: str) -> list[dg.AssetCheckSpec]:
    reads = [dg.AssetKey(["staging", "meeting_activity"])]
    return [
        *contract_specs(asset, f"one row per {grain}, percentages within bounds"),
        dg.AssetCheckSpec(
            ADD_UP,
            asset=asset,
            blocking=True,
            additional_deps=reads,
            description="Blocking: per programme and year, the mart's meetings equal the staged "
            "meetings of the programme's municipalities (nothing lost, nothing counted twice).",
        ),
    ]


def mart_checks(asset: dg.AssetKey, grain: str, suite_of, column: str, says: str):
    """The checks of one mart: its suite (grain, bounds) and its meetings against staging."""

    @dg.multi_asset_check(
        specs=_specs(asset, grain),
        name=f"{asset.path[-1]}_checks",
        description=f"{'.'.join(asset.path)}: {says}; grain, bounds and totals, as SQL over "
        "every row.",
    )
    def checks(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
    ) -> Iterator[dg.AssetCheckResult]:
        reports = mart_reports(suite_of(today()), column)
        yield from unless_validated(context, warehouse, inputs, reports)

    return checks


# Found by load_asset_checks_from_modules (pipeline/definitions.py), as a list.
MART_CHECKS = [
    mart_checks(
        VIRTUAL_MEETINGS,
        "programme, municipality, year and platform",
        virtual_meetings_suite,
        "meetings",
        "one row per programme, municipality, year and platform; meetings add up to staging",
    ),
    mart_checks(
        PROGRESS,
        "programme, municipality and year",
        municipality_progress_suite,
        "virtual_meetings",
        "one row per programme, municipality and year; percentages that can exist; virtual "
        "meetings add up to staging",
    ),
]

"""Staging checks: the facts the marts add up, validated with Great Expectations first."""

from collections.abc import Iterator

import dagster as dg

from schemas import load_contracts

from ..checks import contract_specs, quoted, rows_of_files, suite_reports, today
from ..frames import reference_codes, sampled, table_frame
from ..settings import Inputs
from ..verdicts import unless_validated
from ..warehouse import Warehouse
from .expectations import meeting_activity_frame_sql, meeting_activity_suite, trips_suite

MEETINGS = dg.AssetKey(["staging", "meeting_activity"])
TRIPS = dg.AssetKey(["staging", "trips"])
MUNICIPALITIES = dg.AssetKey(["ref", "municipalities"])


def meeting_reports(con, asset: dg.AssetKey):
    """The meeting suite on the staged rows (a sample of the largest) and their derived figures."""
    suite = meeting_activity_suite(reference_codes(con), today())
    sql = sampled(con, meeting_activity_frame_sql(load_contracts()), asset)
    yield from suite_reports(asset, con.execute(sql).df(), suite)


def new_meeting_rows(con, asset: dg.AssetKey, paths: list[str]):
    """The meeting suite on every staged row of these new files, in SQL."""
    suite = meeting_activity_suite(reference_codes(con), today())
    yield from rows_of_files(con, asset, meeting_activity_frame_sql(load_contracts()), suite, paths)


def trip_reports(con, asset: dg.AssetKey):
    """The trips suite on the staged trips (a sample of the largest)."""
    suite = trips_suite(reference_codes(con), today())
    yield from suite_reports(asset, table_frame(con, asset, suite), suite)


def new_trip_rows(con, asset: dg.AssetKey, paths: list[str]):
    """The trips suite on every staged trip of these new files, in SQL."""
    suite = trips_suite(reference_codes(con), today())
    yield from rows_of_files(con, asset, f"select * from {quoted(asset)}", suite, paths)


@dg.multi_asset_check(
    specs=contract_specs(
        MEETINGS,
        "known municipality, dates in the window, no negative or absurd counts",
        (MUNICIPALITIES,),
    ),
    description="The staged meeting rows' expectation suite, run with Great Expectations.",
)
def meeting_activity_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """Every staged meeting row has a known municipality, a period in the plausible window and no
    negative or absurd count; a single call over 24 hours is a warning."""
    yield from unless_validated(context, warehouse, inputs, meeting_reports, new_meeting_rows)


@dg.multi_asset_check(
    specs=contract_specs(
        TRIPS, "known municipality, trip date in the window, no negative km", (MUNICIPALITIES,)
    ),
    description="The staged trips' expectation suite, run with Great Expectations.",
)
def trips_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """Every staged trip has a known municipality, a trip date in the plausible window, and no
    negative distance or cost."""
    yield from unless_validated(context, warehouse, inputs, trip_reports, new_trip_rows)

"""Staging checks: the facts the marts add up, validated with Great Expectations first."""

from collections.abc import Iterator

import dagster as dg

from schemas import load_contracts
from schemas.expectations import meeting_activity_frame_sql, meeting_activity_suite, trips_suite

from ..checks import (
    contract_specs,
    frame_of,
    reference_codes,
    suite_results,
    table_frame,
    today,
    unless_validated,
)
from ..settings import Inputs
from ..warehouse import Warehouse

MEETINGS = dg.AssetKey(["staging", "meeting_activity"])
TRIPS = dg.AssetKey(["staging", "trips"])
MUNICIPALITIES = dg.AssetKey(["ref", "municipalities"])


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

    def validate_now() -> Iterator[dg.AssetCheckResult]:
        suite = meeting_activity_suite(reference_codes(warehouse), today())
        frame = frame_of(
            warehouse, meeting_activity_frame_sql(load_contracts()), "staging.meeting_activity"
        )
        yield from suite_results(context, warehouse, inputs, MEETINGS, frame, suite)

    yield from unless_validated(context, warehouse, validate_now)


@dg.multi_asset_check(
    specs=contract_specs(TRIPS, "known municipality, trip date in the window, no negative km"),
    description="The staged trips' expectation suite, run with Great Expectations.",
)
def trips_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """Every staged trip has a known municipality, a trip date in the plausible window, and no
    negative distance or cost."""

    def validate_now() -> Iterator[dg.AssetCheckResult]:
        suite = trips_suite(reference_codes(warehouse), today())
        frame = table_frame(warehouse, "staging.trips", suite)
        yield from suite_results(context, warehouse, inputs, TRIPS, frame, suite)

    yield from unless_validated(context, warehouse, validate_now)

"""Staging layer: typed, deduplicated, municipality-attributed facts shared by every export kind."""

import dagster as dg

from schemas import load_contracts

from ..materialize import rebuild_if_changed
from ..raw.assets import RAW_KEYS
from ..warehouse import Warehouse
from .transform import meeting_activity_sql, trips_sql

CONTRACTS = load_contracts()
SETUP = "create schema if not exists staging;"


@dg.asset(
    key=["staging", "meeting_activity"],
    group_name="staging",
    deps=[RAW_KEYS[c.kind] for c in CONTRACTS if c.family == "meeting_activity"],
    kinds={"duckdb"},
)
def meeting_activity(warehouse: Warehouse) -> dg.MaterializeResult:
    """Virtual meetings from every platform on one grain: municipality, period, platform, meetings,
    participants and seconds. Rows that several overlapping exports share are counted once."""
    return rebuild_if_changed(
        warehouse, "staging.meeting_activity", ["raw"], meeting_activity_sql(CONTRACTS), SETUP
    )


@dg.asset(
    key=["staging", "trips"],
    group_name="staging",
    deps=[RAW_KEYS[c.kind] for c in CONTRACTS if c.family == "trips"],
    kinds={"duckdb"},
)
def trips(warehouse: Warehouse) -> dg.MaterializeResult:
    """Trips from travel and mileage claims in Swedish, Norwegian and Danish, with the distance,
    mode, cost in the municipality's currency and whether the trip was to a meeting."""
    return rebuild_if_changed(
        warehouse, "staging.trips", ["raw", "reference"], trips_sql(CONTRACTS), SETUP
    )

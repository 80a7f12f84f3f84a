"""Staging layer: typed, deduplicated, municipality-attributed facts shared by every export kind."""

import dagster as dg

from schemas import load_contracts

from ..fingerprint import code_fingerprint
from ..freshness import rebuild_if_changed, table_asset
from ..raw.assets import RAW_KEYS
from ..warehouse import Warehouse
from .transform import meeting_activity_sql, trips_sql

CONTRACTS = load_contracts()
CODE = code_fingerprint(__name__)
SETUP = "create schema if not exists staging;"


def staged(family: str, sql: str, reads: list[dg.AssetKey], description: str):
    """The staging table of one family of contracts, built by `sql` from their raw tables."""
    deps = [*(RAW_KEYS[c.kind] for c in CONTRACTS if c.family == family), *reads]

    @dg.asset(**table_asset(dg.AssetKey(["staging", family]), deps, CODE, description))
    def table(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        return rebuild_if_changed(context, warehouse, CODE, sql, SETUP)

    return table


meeting_activity = staged(
    "meeting_activity",
    meeting_activity_sql(CONTRACTS),
    [],
    "Virtual meetings from every platform on one grain: municipality, period, platform, meetings, "
    "participants and seconds. Rows that several overlapping exports share are counted once.",
)
trips = staged(
    "trips",
    trips_sql(CONTRACTS),
    [dg.AssetKey(["ref", "municipalities"])],
    "Trips from travel and mileage claims in Swedish, Norwegian and Danish, with the distance, "
    "mode, cost in the municipality's currency and whether the trip was to a meeting.",
)

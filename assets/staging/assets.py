"""Staging layer: typed, deduplicated, municipality-attributed facts shared by every export kind."""

import dagster as dg

from schemas import load_contracts

from ..db import table_exists
from ..fingerprint import built_from, code_fingerprint, record, recorded
from ..freshness import declared_inputs, table_asset, table_of, unchanged, versioned
from ..metadata import table_metadata
from ..raw.assets import RAW_KEYS
from ..warehouse import Warehouse
from .increment import stage
from .transform import meeting_activity_sql, trips_sql

CONTRACTS = load_contracts()
CODE = code_fingerprint(__name__)
SETUP = "create schema if not exists staging;"


def staged(family: str, build, reads: list[dg.AssetKey], description: str):
    """The staging table of one family of contracts, built by `build(contracts, only_new)`'s SQL
    from their raw tables: whole, or by adding the rows of new files (increment.py)."""
    contracts = tuple(c for c in CONTRACTS if c.family == family)
    deps = [*(RAW_KEYS[c.kind] for c in contracts), *reads]
    others = sorted(table_of(key) for key in reads)

    @dg.asset(**table_asset(dg.AssetKey(["staging", family]), deps, CODE, description))
    def table(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        name = table_of(context.asset_key)
        with warehouse.read() as con:
            value = built_from(con, declared_inputs(context), CODE)
            if recorded(con, name) == value and table_exists(con, "staging", family):
                return unchanged(con, context.asset_key)
            base = built_from(con, others, CODE)
        with warehouse.connect() as con:
            con.execute(SETUP)
            added = stage(con, name, contracts, lambda only_new: build(CONTRACTS, only_new), base)
            record(con, name, value)
            how = "whole" if added is None else f"added the rows of {len(added)} new file(s)"
            return versioned(table_metadata(con, name, built=how), value)

    return table


meeting_activity = staged(
    "meeting_activity",
    meeting_activity_sql,
    [],
    "Virtual meetings from every platform on one grain: municipality, period, platform, meetings, "
    "participants and seconds. Rows that several overlapping exports share are counted once.",
)
trips = staged(
    "trips",
    trips_sql,
    [dg.AssetKey(["ref", "municipalities"])],
    "Trips from travel and mileage claims in Swedish, Norwegian and Danish, with the distance, "
    "mode, cost in the municipality's currency and whether the trip was to a meeting.",
)

"""Staging layer: typed, deduplicated, municipality-attributed facts shared by every export kind."""

import dagster as dg

from schemas import load_contracts

from ..fingerprint import built_from, code_fingerprint
from ..freshness import build_unless_unchanged, table_asset, table_of
from ..raw.assets import RAW_KEYS
from ..warehouse import Warehouse
from .increment import stage
from .transform import meeting_activity_sql, trips_sql

CONTRACTS = load_contracts()
CODE = code_fingerprint(__name__)
SETUP = "create schema if not exists staging;"


def staged(family: str, sql, reads: list[dg.AssetKey], description: str):
    """The staging table of one family of contracts, built by `sql(contracts, only_new)`
    from their raw tables: whole, or by adding the rows of new files (increment.py)."""
    contracts = tuple(c for c in CONTRACTS if c.family == family)
    deps = [*(RAW_KEYS[c.kind] for c in contracts), *reads]
    others = sorted(table_of(key) for key in reads)

    @dg.asset(**table_asset(dg.AssetKey(["staging", family]), deps, CODE, description))
    def table(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        def build(con) -> str:
            con.execute(SETUP)
            base = built_from(con, others, CODE)
            name = table_of(context.asset_key)
            added = stage(con, name, contracts, lambda only_new: sql(CONTRACTS, only_new), base)
            return "whole" if added is None else f"added the rows of {len(added)} new file(s)"

        return build_unless_unchanged(context, warehouse, CODE, build)

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

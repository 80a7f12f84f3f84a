"""Marts: what analysts query — virtual meetings and progress against the programmes' targets."""

from pathlib import Path

import dagster as dg

from ..materialize import rebuild_if_changed
from ..warehouse import Warehouse

HERE = Path(__file__).parent
COMMON_SQL = (HERE / "common.sql").read_text(encoding="utf-8")
INPUTS = ["reference", "staging.meeting_activity", "staging.trips"]
REFERENCE = [dg.AssetKey(["ref", n]) for n in ("municipalities", "programme_members")]


def _sql(name: str) -> str:
    return (HERE / f"{name}.sql").read_text(encoding="utf-8")


@dg.asset(
    key=["marts", "virtual_meetings"],
    group_name="marts",
    deps=[dg.AssetKey(["staging", "meeting_activity"]), *REFERENCE],
    kinds={"duckdb"},
)
def virtual_meetings(warehouse: Warehouse) -> dg.MaterializeResult:
    """Virtual meetings and hours per programme, municipality (today's code), year and platform."""
    return rebuild_if_changed(
        warehouse, "marts.virtual_meetings", INPUTS, _sql("virtual_meetings"), COMMON_SQL
    )


@dg.asset(
    key=["marts", "municipality_progress"],
    group_name="marts",
    deps=[
        dg.AssetKey(["staging", "meeting_activity"]),
        dg.AssetKey(["staging", "trips"]),
        *REFERENCE,
        dg.AssetKey(["ref", "factors"]),
        dg.AssetKey(["ref", "targets"]),
        dg.AssetKey(["ref", "distances"]),
    ],
    kinds={"duckdb"},
)
def municipality_progress(warehouse: Warehouse) -> dg.MaterializeResult:
    """Each municipality's progress per year against its programme's stepped target: measured
    from travel claims, estimated from virtual meetings (low-central-high), with status."""
    return rebuild_if_changed(
        warehouse,
        "marts.municipality_progress",
        INPUTS,
        _sql("municipality_progress"),
        COMMON_SQL,
    )


@dg.asset(
    key=["marts", "programme_progress"],
    group_name="marts",
    deps=[dg.AssetKey(["marts", "municipality_progress"]), dg.AssetKey(["ref", "programmes"])],
    kinds={"duckdb"},
)
def programme_progress(warehouse: Warehouse) -> dg.MaterializeResult:
    """Programme totals per year, with targets in energy terms (Dalarna: 7,900 MWh in 2011)."""
    return rebuild_if_changed(
        warehouse,
        "marts.programme_progress",
        [*INPUTS, "marts.municipality_progress"],
        _sql("programme_progress"),
    )

"""Marts: what analysts query — virtual meetings and progress against the programmes' targets.

Each mart is one SQL file beside this module, run after common.sql; it is rebuilt when the
fingerprint of its declared deps or of its code changes (assets/freshness.py).
"""

from pathlib import Path

import dagster as dg

from ..fingerprint import code_fingerprint
from ..freshness import rebuild_if_changed
from ..warehouse import Warehouse

HERE = Path(__file__).parent
COMMON_SQL = (HERE / "common.sql").read_text(encoding="utf-8")
CODE = code_fingerprint(__name__)
# common.sql reads these in every mart.
REFERENCE = [
    dg.AssetKey(["ref", n]) for n in ("municipalities", "programme_members", "factors", "distances")
]
MEETINGS = dg.AssetKey(["staging", "meeting_activity"])
TRIPS = dg.AssetKey(["staging", "trips"])


def _key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def sql_mart(name: str, reads: list[dg.AssetKey], description: str) -> dg.AssetsDefinition:
    """The mart `marts.<name>`, built by `<name>.sql` from the tables it `reads` (its deps)."""
    sql = (HERE / f"{name}.sql").read_text(encoding="utf-8")

    @dg.asset(
        key=_key(name),
        group_name="marts",
        deps=[*reads, *REFERENCE],
        kinds={"duckdb"},
        code_version=CODE,
        description=description,
    )
    def mart(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        return rebuild_if_changed(context, warehouse, CODE, sql, COMMON_SQL)

    return mart


virtual_meetings = sql_mart(
    "virtual_meetings",
    [MEETINGS],
    "Virtual meetings and hours per programme, municipality (today's code), year and platform.",
)
eligible_meetings = sql_mart(
    "eligible_meetings",
    [MEETINGS],
    "Remote-person meetings that could have replaced a trip, per municipality, export code and "
    "year: no audio-only or one-to-one calls, video-room meetings counted once, declared "
    "replacements apart.",
)
measured_travel = sql_mart(
    "measured_travel",
    [TRIPS],
    "Trips to meetings from travel claims per municipality and year: count, km, car km and cost, "
    "the measured side that progress is judged on.",
)
substitution_rates = sql_mart(
    "substitution_rates",
    [
        _key("eligible_meetings"),
        _key("measured_travel"),
        dg.AssetKey(["ref", "programmes"]),
        dg.AssetKey(["ref", "calibration"]),
    ],
    "How many trips a virtual meeting replaced, per municipality: calibrated on its own measured "
    "decline, else its programme's, else the default band (flagged), with the years it rests on "
    "and its leave-one-year-out error.",
)
municipality_progress = sql_mart(
    "municipality_progress",
    [
        _key("eligible_meetings"),
        _key("measured_travel"),
        _key("substitution_rates"),
        dg.AssetKey(["ref", "targets"]),
        dg.AssetKey(["ref", "employees"]),
    ],
    "Each municipality's progress per year against its programme's stepped trip target: judged "
    "on travel claims where they exist, else on the calibrated estimate's band, with the status, "
    "the figure it judged and where the rate came from.",
)
programme_progress = sql_mart(
    "programme_progress",
    [_key("municipality_progress"), _key("measured_travel"), dg.AssetKey(["ref", "programmes"])],
    "Programme totals per year, with targets in energy terms (Dalarna: 7,900 MWh in 2011).",
)
municipality_progress_historical = sql_mart(
    "municipality_progress_historical",
    [_key("eligible_meetings"), _key("municipality_progress"), TRIPS],
    "Meetings, avoided trips and CO2 and measured trips under the codes the exports carried "
    "(Søgne 1018, Songdalen 1017, Granvin 1234 before the 2020 mergers), beside today's code; "
    "today's estimate is shared by each code's eligible meetings.",
)
data_quality_flags = sql_mart(
    "data_quality_flags",
    [MEETINGS, TRIPS, dg.AssetKey(["ref", "programmes"])],
    "Why a year's figure is weaker than another's, per programme, municipality and year: platform "
    "changes, months without exports, aggregate-only sources, factor method breaks.",
)
MARTS = [
    virtual_meetings,
    eligible_meetings,
    measured_travel,
    substitution_rates,
    municipality_progress,
    programme_progress,
    municipality_progress_historical,
    data_quality_flags,
]

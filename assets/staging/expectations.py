"""What the staging checks ask of the staged tables: the suites of staging.meeting_activity and
staging.trips, and the frame of meeting rows they validate."""

from __future__ import annotations

import datetime as dt

from schemas import Contract
from schemas.expectations import (
    DAY_S,
    Rule,
    Suite,
    attributed,
    between,
    filled_and_dated,
    not_null,
    strictly_below,
)

from ..db import lit

# No staged row can hold more meetings than this per day of its period (a whole tenant's Teams
# meetings on a busy day are in the thousands); more means a broken export or a unit error.
MAX_MEETINGS_PER_DAY = 10_000
MEETINGS = "staging.meeting_activity"


def call_level_kinds(contracts: tuple[Contract, ...]) -> tuple[str, ...]:
    """Export kinds whose staged rows are single calls or sessions (one meeting, no grouping)."""
    return tuple(
        c.kind
        for c in contracts
        if c.family == "meeting_activity"
        and c.staging.get("meetings") == "1"
        and not c.staging.get("group_by")
    )


def meeting_activity_suite(codes: frozenset[str], today: dt.date) -> Suite:
    """staging.meeting_activity as built by meeting_activity_frame_sql: what the marts sum."""
    ordered = Rule(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "period_end", "column_B": "period_start", "or_equal": True},
        True,
        "period_end is not before period_start",
    )
    per_day = f"meetings per day of the period are at most {MAX_MEETINGS_PER_DAY:,}"
    one_call = "a single call or session lasts less than 24 hours"
    rules = (
        *attributed(codes),
        *filled_and_dated("period_start", today),
        *filled_and_dated("period_end", today),
        ordered,
        *(between(c, 0, None, True) for c in ("meetings", "participants", "duration_s")),
        between("meetings_per_day", 0, MAX_MEETINGS_PER_DAY, True, per_day),
        strictly_below("call_duration_s", DAY_S, False, one_call),
        not_null("platform", blocking=False),
    )
    index = ("source_path", "export_kind", "municipality_code", "period_start", "meetings")
    return Suite(MEETINGS, rules, index)


def meeting_activity_frame_sql(contracts: tuple[Contract, ...]) -> str:
    """The staged meeting rows with the two derived figures the suite bounds."""
    kinds = ", ".join(lit(k) for k in call_level_kinds(contracts)) or "''"
    return f"""
        select
            source_path,
            export_kind,
            platform,
            municipality_code,
            period_start,
            period_end,
            meetings,
            participants,
            duration_s,
            meetings / (date_diff('day', period_start, period_end) + 1) as meetings_per_day,
            case when export_kind in ({kinds}) then duration_s end as call_duration_s
        from {MEETINGS}
    """


def trips_suite(codes: frozenset[str], today: dt.date) -> Suite:
    """staging.trips: known municipality, a trip date in the window, no negative km or cost."""
    rules = (
        *attributed(codes),
        *filled_and_dated("trip_date", today),
        *(between(c, 0, None, True) for c in ("distance_km", "cost")),
    )
    return Suite("staging.trips", rules, ("source_path", "municipality_code", "trip_date"))

"""What the mart checks ask of the marts: their grain and figures that can exist."""

from __future__ import annotations

import datetime as dt

from schemas.expectations import Suite, between, unique, years

NOT_NEGATIVE = ("meetings", "hours")


def _year(today: dt.date):
    first, last = years(today)
    return between("year", first, last, True, f"year lies between {first} and {last}")


def virtual_meetings_suite(today: dt.date) -> Suite:
    """marts.virtual_meetings: one row per programme, municipality, year and platform."""
    grain = ("programme", "municipality_code", "year", "platform")
    rules = (
        unique(grain, True, "one row per programme, municipality, year and platform"),
        _year(today),
        *(between(c, 0, None, True) for c in NOT_NEGATIVE),
    )
    return Suite("marts.virtual_meetings", rules, grain[:3])


def municipality_progress_suite(today: dt.date) -> Suite:
    """marts.municipality_progress: its grain, and percentages that can exist."""
    grain = ("programme", "municipality_code", "year")
    implausible = (
        "reduction_estimated_pct is at most 100 (more trips avoided than were made is an "
        "implausible estimate)"
    )
    rules = (
        unique(grain, True, "one row per programme, municipality and year"),
        _year(today),
        between("target_pct", 0, 100, True),
        # Fewer trips than none is impossible; more than double the baseline is possible.
        between("reduction_measured_pct", None, 100, True),
        between("reduction_measured_pct", -100, None, False),
        between("reduction_estimated_pct", 0, None, True),
        between("reduction_estimated_pct", None, 100, False, implausible),
        *(
            between(c, 0, None, True)
            for c in (
                "reduction_estimated_low_pct",
                "reduction_estimated_high_pct",
                "virtual_meetings",
            )
        ),
    )
    return Suite("marts.municipality_progress", rules, grain)

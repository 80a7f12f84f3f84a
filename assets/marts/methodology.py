"""The methodology as plain functions: meetings to avoided trips, km, CO2, energy, cost, status.

The marts' SQL applies the same formulas row by row; these functions are their readable reference
and the tests' oracles (DOMAIN.md, methodology).
"""

from __future__ import annotations


def avoided_trips(meetings: float, remote_participants: float, substitution_rate: float) -> float:
    """Trips a set of virtual meetings replaced: meetings x remote participants x substitution."""
    return meetings * remote_participants * substitution_rate


def avoided_km(trips: float, round_trip_km: float) -> float:
    return trips * round_trip_km


def co2_kg(km: float, grams_per_km: float) -> float:
    """CO2 of driving `km` at the year's fleet factor (g/km)."""
    return km * grams_per_km / 1000.0


def energy_mwh(km: float, kwh_per_km: float) -> float:
    return km * kwh_per_km / 1000.0


def target_energy_mwh(baseline_mwh: float, target_pct: float) -> float:
    """Dalarna's targets in energy terms: 20% of 7,900 MWh is 1,580 MWh."""
    return baseline_mwh * target_pct / 100.0


def reduction_pct(trips: float | None, baseline_trips: float | None) -> float | None:
    """Measured reduction against the baseline year, in percent; None without both figures."""
    if trips is None or not baseline_trips:
        return None
    return 100.0 * (1.0 - trips / baseline_trips)


def target_for(year: int, steps: list[tuple[int, float]]) -> float:
    """The stepped target that applies in `year` (0 before the first step)."""
    applicable = [pct for start, pct in steps if start <= year]
    return max(applicable) if applicable else 0.0


def status(
    year: int,
    baseline_year: int,
    reduction: float | None,
    steps: list[tuple[int, float]],
) -> str:
    """met, on track, behind, baseline, no target or no data: never a silent zero."""
    if not steps:
        return "no target"
    if year == baseline_year and reduction is not None:
        return "baseline"
    if reduction is None:
        return "no data"
    target = target_for(year, steps)
    if target > 0:
        return "met" if reduction >= target else "behind"
    later = sorted((start, pct) for start, pct in steps if start > year)
    start, pct = later[0]
    path = pct * (year - baseline_year) / max(1, start - baseline_year)
    return "on track" if reduction >= path else "behind"

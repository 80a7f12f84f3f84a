"""The methodology as plain functions: meetings to avoided trips, km, CO2, energy, cost, status.

The marts' SQL applies the same formulas row by row; these functions are their readable reference
and the tests' oracles (DOMAIN.md, methodology).
"""

from __future__ import annotations


def avoided_trips(meetings: float, remote_participants: float, substitution_rate: float) -> float:
    """Trips a set of virtual meetings replaced: meetings x remote participants x substitution."""
    return meetings * remote_participants * substitution_rate


def replaces_a_trip(media: str | None, one_to_one: bool | None) -> bool:
    """Zoom's published rules: audio-only calls and one-to-one internal calls replace no trip."""
    return not (media == "audio" or bool(one_to_one))


def remote_participants(participants: float | None, meetings: float, default: float) -> float:
    """Participants per meeting beyond the host; the factor's default when an export has none."""
    if participants is None or meetings <= 0:
        return default
    return max(participants / meetings - 1.0, 0.0)


def avoided_trips_band(
    meetings: float, remote: float, rates: tuple[float, float, float]
) -> tuple[float, float, float]:
    """Avoided trips at the low, central and high substitution rates: a band, not one number."""
    return tuple(avoided_trips(meetings, remote, rate) for rate in rates)


def cap_per_person_day(avoided_by_person_day: dict[tuple[str, str], float]) -> float:
    """Avoided trips with at most one car trip per person and day (Zoom's rule).

    Only usable where an export names the person (pseudonymised) and the day; aggregate sources
    (video-room months, the template, Teams counts) cannot be capped (docs/methodology.md).
    """
    return sum(min(1.0, trips) for trips in avoided_by_person_day.values())


def round_trip_km(
    from_code: str,
    to_code: str | None,
    distances: dict[tuple[str, str | None], float],
) -> float | None:
    """Town hall to town hall when both ends are known, else the municipality's default trip."""
    if to_code is not None and (from_code, to_code) in distances:
        return distances[(from_code, to_code)]
    if to_code is not None and (to_code, from_code) in distances:
        return distances[(to_code, from_code)]
    return distances.get((from_code, None))


def avoided_km(trips: float, round_trip_km: float) -> float:
    return trips * round_trip_km


def co2_kg(km: float, grams_per_km: float) -> float:
    """CO2 of driving `km` at the year's fleet factor (g/km)."""
    return km * grams_per_km / 1000.0


def energy_mwh(km: float, kwh_per_km: float) -> float:
    return km * kwh_per_km / 1000.0


def cost(km: float, mileage_rate: float, hours: float, hourly_cost: float) -> float:
    """Avoided cost: km at the year's mileage rate plus travel hours at the hourly cost."""
    return km * mileage_rate + hours * hourly_cost


def per_employee(value: float | None, employees: float | None) -> float | None:
    """A figure per employee (årsarbetare), as REMM and Miljöbarometern report them."""
    if value is None or not employees:
        return None
    return value / employees


def factor_versions(versions: dict[str, str | None]) -> str:
    """One version string when every factor used agrees, else a compact 'co2:2026-1,sub:...'."""
    distinct = {v for v in versions.values() if v is not None}
    if len(distinct) == 1:
        return distinct.pop()
    return ",".join(f"{k}:{v or 'none'}" for k, v in versions.items())


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


def next_milestone(year: int, steps: list[tuple[int, float]]) -> tuple[int, float] | None:
    """The next step still ahead of `year`; after the last step, the step in force."""
    if not steps:
        return None
    later = sorted((start, pct) for start, pct in steps if start > year)
    return later[0] if later else max(steps)


def gap_to_next_milestone(
    year: int, reduction: float | None, steps: list[tuple[int, float]]
) -> float | None:
    """Percentage points still to go to the next milestone (negative: already beyond it)."""
    milestone = next_milestone(year, steps)
    if milestone is None or reduction is None:
        return None
    return milestone[1] - reduction

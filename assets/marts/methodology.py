"""The progress model of docs/methodology.md as plain functions: the readable reference that the
tests hold the marts' SQL against (eligible_meetings, substitution_rates, municipality_progress).

Measured first; only meetings above the baseline-year level count; the substitution rate is
calibrated on the municipality's own measured decline (then its programme's, then a flagged
default); estimates are bounded by the trips that could have been made; declared replacements
count fully. None stands for SQL's NULL: no evidence, never a silent zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SOURCES = ("declared", "calibrated", "programme", "default")
STATUSES = (
    "baseline",
    "no target",
    "no data",
    "met",
    "on track",
    "behind",
    "met (estimated)",
    "behind (estimated)",
    "uncertain",
)


def replaces_a_trip(media: str | None, one_to_one: bool | None) -> bool:
    """Zoom's published rules: audio-only calls and one-to-one calls replace no trip."""
    return not (media == "audio" or bool(one_to_one))


def remote_person_meetings(
    meetings: float,
    participants: float | None,
    platform: str,
    default_remote: float,
    person_meetings: float | None = None,
) -> float:
    """Remote-person meetings of one staged row.

    A person-level row counts its person's own attended meetings. A video room's participants
    are sites, and each reporting room counts its own share of a meeting, (sites - 1) / sites, so
    a meeting between rooms of the programme is counted once over all its rooms. Otherwise every
    participant beyond the host; the factor's default without a participant count.
    """
    if person_meetings is not None:
        return person_meetings
    if participants is None or meetings <= 0:
        return meetings * default_remote
    per_meeting = participants / meetings
    remote = max(per_meeting - 1.0, 0.0)
    if platform == "video_room":
        return meetings * remote / max(per_meeting, 1.0)
    return meetings * remote


def rated(rows: Iterable[tuple[float, float | None]], rate: float) -> float:
    """Trips that rows of (remote-person meetings, cap) stand for at `rate`.

    The one rule for "at most one trip per person and day", the same as the SQL's `rated`
    macro: the cap (people x working days of the row) applies after the rate, min(1, sum of s)
    per person-day, i.e. min(rate x meetings, cap) per row; a row without a cap is not capped.
    """
    return sum(rate * e if cap is None else min(rate * e, cap) for e, cap in rows)


def additional(eligible: float | None, baseline_eligible: float | None) -> float | None:
    """Growth above the baseline-year level: meetings held then are inside the baseline trips."""
    if eligible is None:
        return None
    return max(eligible - (baseline_eligible or 0.0), 0.0)


@dataclass(frozen=True)
class Calibration:
    """A substitution rate with its band, the years it rests on and its out-of-sample error."""

    rate: float
    low: float
    high: float
    years: tuple[int, ...]
    loo_error_pp: float | None


def calibrate(
    baseline_trips: float,
    years: Sequence[tuple[int, float, float]],
) -> Calibration | None:
    """Calibrate on (year, trips, additional eligible meetings) of years with claims and exports.

    s = sum(max(T_b - T_c, 0)) / sum(dE_c), clipped to [0, 1]; the band spans the yearly ratios
    widened by the mean leave-one-year-out rate error (by s itself with one year: [0, 2s]). Its
    high end may pass 1: a video-room site can stand for several travellers (where the export
    knows its people, the person-day cap still holds).
    None when no year saw meetings grow. s credits the meetings with the whole decline: an upper
    bound on true substitution.
    """
    pairs = [(y, max(baseline_trips - t, 0.0), g) for y, t, g in years]
    total_decline = sum(d for _, d, _ in pairs)
    total_growth = sum(g for _, _, g in pairs)
    if total_growth <= 0:
        return None
    rate = min(total_decline / total_growth, 1.0)
    ratios = [d / g for _, d, g in pairs if g > 0]
    rate_errors, errors_pp = [], []
    for _, decline, growth in pairs:
        rest = total_growth - growth
        if rest <= 0:
            continue
        without = min((total_decline - decline) / rest, 1.0)
        errors_pp.append(100.0 * abs(without * growth - decline) / baseline_trips)
        if growth > 0:
            rate_errors.append(abs(without - decline / growth))
    widen = sum(rate_errors) / len(rate_errors) if rate_errors else rate
    return Calibration(
        rate=rate,
        low=max(min(min(ratios), rate) - widen, 0.0),
        high=max(max(ratios), rate) + widen,
        years=tuple(sorted(y for y, _, _ in pairs)),
        loo_error_pp=sum(errors_pp) / len(errors_pp) if errors_pp else None,
    )


def choose_rate(
    own: Calibration | None,
    programme: Calibration | None,
    default: tuple[float, float, float],
) -> tuple[tuple[float, float, float], str]:
    """(low, central, high) and its source: the municipality's own, its programme's, the default."""
    for calibration, source in ((own, "calibrated"), (programme, "programme")):
        if calibration is not None:
            return (calibration.low, calibration.rate, calibration.high), source
    return default, "default"


def avoided_trips(
    rate: float, growth: float | None, declared: float | None, is_baseline_year: bool
) -> float | None:
    """A = s x dE + D: 0 in the baseline year, None in a year without an export."""
    if growth is None:
        return None
    if is_baseline_year:
        return 0.0
    return rate * growth + (declared or 0.0)


def at_most(value: float | None, bound: float | None) -> float | None:
    """A bound that keeps None as None (DuckDB's least() would turn None into the bound)."""
    if value is None:
        return None
    return value if bound is None else min(value, bound)


def estimated_reduction_pct(avoided: float | None, baseline_trips: float | None) -> float | None:
    """100 x min(A, T_b) / T_b, within [0, 100]; None without an export or a baseline."""
    if avoided is None or not baseline_trips:
        return None
    return 100.0 * at_most(avoided, baseline_trips) / baseline_trips


def reduction_pct(trips: float | None, baseline_trips: float | None) -> float | None:
    """Measured reduction against the baseline year, in percent; None without both figures."""
    if trips is None or not baseline_trips:
        return None
    return 100.0 * (1.0 - trips / baseline_trips)


def target_for(year: int, steps: list[tuple[int, float]]) -> float:
    """The stepped target that applies in `year` (0 before the first step)."""
    applicable = [pct for start, pct in steps if start <= year]
    return max(applicable) if applicable else 0.0


def year_target(year: int, baseline_year: int, steps: list[tuple[int, float]]) -> float | None:
    """The step in force, or before the first step the straight line towards it."""
    target = target_for(year, steps)
    if target > 0:
        return target
    later = sorted((start, pct) for start, pct in steps if start > year)
    if not later:
        return None
    start, pct = later[0]
    return pct * (year - baseline_year) / max(1, start - baseline_year)


def status(
    year: int,
    baseline_year: int,
    steps: list[tuple[int, float]],
    measured: float | None,
    estimate: tuple[float, float, float] | None,
    has_export: bool,
    source: str = "calibrated",
    capped: bool = False,
    has_claims: bool = False,
) -> str:
    """The status vocabulary of docs/methodology.md: judged on the measured reduction where claims
    exist; else met (estimated) only if the band's low end reaches the target, behind (estimated)
    only if its high end misses it, uncertain otherwise, with a default rate or a binding bound.
    No data means neither claims nor exports: claims without a baseline year to measure against
    are data, but no figure (uncertain)."""
    if year == baseline_year:
        return "baseline"
    if not steps:
        return "no target"
    if measured is None and not has_claims and not has_export:
        return "no data"
    target = year_target(year, baseline_year, steps)
    if measured is not None:
        if target_for(year, steps) > 0:
            return "met" if measured >= target else "behind"
        return "on track" if measured >= target else "behind"
    if estimate is None or source == "default" or capped:
        return "uncertain"
    low, _, high = estimate
    if low >= target:
        return "met (estimated)"
    if high < target:
        return "behind (estimated)"
    return "uncertain"


def judged_pct(
    status_: str, measured: float | None, estimate: tuple[float, float, float] | None
) -> float | None:
    """The figure the status judged: measured, the band's low or high end, or its centre."""
    if status_ in ("met", "behind", "on track", "baseline"):
        return measured
    if estimate is None:
        return None
    low, central, high = estimate
    return {"met (estimated)": low, "behind (estimated)": high, "uncertain": central}.get(status_)


def fleet_and_activity_effect(
    reference_km: float, reference_g_per_km: float, km: float, g_per_km: float
) -> tuple[float, float]:
    """The measured CO2 change of meeting travel (percent of the reference year's) split into a
    fleet effect (g/km) and an activity effect (km); the two add up to the whole change."""
    reference = reference_km * reference_g_per_km
    return (
        100.0 * km * (g_per_km - reference_g_per_km) / reference,
        100.0 * (km - reference_km) / reference_km,
    )


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


def co2_kg(km: float, grams_per_km: float) -> float:
    """CO2 of driving `km` at the year's fleet factor (g/km)."""
    return km * grams_per_km / 1000.0


def energy_mwh(km: float, kwh_per_km: float) -> float:
    return km * kwh_per_km / 1000.0


def per_employee(value: float | None, employees: float | None) -> float | None:
    """A figure per employee (årsarbetare), as REMM and Miljöbarometern report them."""
    if value is None or not employees:
        return None
    return value / employees


def target_energy_mwh(baseline_mwh: float, target_pct: float) -> float:
    """Dalarna's targets in energy terms: 20% of 7,900 MWh is 1,580 MWh."""
    return baseline_mwh * target_pct / 100.0


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

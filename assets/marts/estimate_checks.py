"""Checks that keep the headline figure defensible: estimates that can exist, bands in order, no
silent zero, a status that follows from its figures. Blocking ones stop publication."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import dagster as dg
import pandas as pd

from schemas.expectations import SAMPLE_ROWS, Finding, Rule, plain

from ..checks import CheckReport, SqlCheck, count_rows
from ..db import ident, lit
from ..settings import Inputs
from ..verdicts import unless_validated
from ..warehouse import Warehouse
from . import methodology
from .assets import MARTS

PROGRESS = dg.AssetKey(["marts", "municipality_progress"])


def _progress_rows(what: str) -> str:
    return f"select programme, municipality_code, year, {what} from marts.municipality_progress"


def _rows(condition: str, what: str = "*") -> str:
    return f"{_progress_rows(what)} where {condition}"


BAND_ORDER = " or ".join(
    f"{low} > {central} or {central} > {high}"
    for low, central, high in (
        ("avoided_trips_low", "avoided_trips", "avoided_trips_high"),
        ("reduction_estimated_low_pct", "reduction_estimated_pct", "reduction_estimated_high_pct"),
        ("co2_avoided_low_kg", "co2_avoided_kg", "co2_avoided_high_kg"),
        ("substitution_rate_low", "substitution_rate", "substitution_rate_high"),
    )
)
ESTIMATES = (
    "reduction_estimated_low_pct",
    "reduction_estimated_pct",
    "reduction_estimated_high_pct",
)
# Rows of physical factors whose value runs on unchanged for twenty years or more.
CONSTANT_FACTORS = """
select factor, country, year_from, year_to, value
from ref.factors
where factor in ('co2_g_per_km', 'energy_kwh_per_km', 'mileage_rate_per_km')
  and year_to - year_from >= 20
"""

RISING_CO2 = """
select factor, country, method, year_from, value, previous
from (
    select *, lag(value) over (partition by country, method order by year_from) as previous
    from ref.factors
    where factor = 'co2_g_per_km'
)
where value > previous
"""

KM_OUTSIDE_CLAIMS = """
with claims as (
    select c.today_code, min(t.distance_km) as shortest, max(t.distance_km) as longest
    from staging.trips t
    join (select code, coalesce(successor_code, code) as today_code from ref.municipalities) c
      on c.code = t.municipality_code
    where t.is_meeting
    group by c.today_code
)
select p.programme, p.municipality_code, p.year, p.km_per_trip_used, c.shortest, c.longest
from marts.municipality_progress p
join claims c
  on c.today_code = p.municipality_code
where p.km_per_trip_used not between c.shortest and c.longest
"""

CHECKS = (
    SqlCheck(
        "estimates_within_0_and_100_pct",
        True,
        "every estimated reduction (low, central, high) lies within 0-100 %",
        _rows(" or ".join(f"{c} not between 0 and 100" for c in ESTIMATES)),
    ),
    SqlCheck(
        "avoided_trips_within_the_bound",
        True,
        "avoided trips are at most the baseline trips unless the row is flagged estimate_capped",
        _rows("avoided_trips > baseline_trips and not estimate_capped"),
    ),
    SqlCheck(
        "bands_in_order",
        True,
        "low <= central <= high for avoided trips, estimated reduction, CO2 and the rate",
        _rows(BAND_ORDER),
    ),
    SqlCheck(
        "zero_estimate_in_the_baseline_year",
        True,
        "the baseline year avoids no trips: its estimate is 0 (or NULL without evidence)",
        _rows("year = baseline_year and (avoided_trips <> 0 or reduction_estimated_pct <> 0)"),
    ),
    SqlCheck(
        "no_silent_zero",
        True,
        "a year without an export has NULL, never 0, as its estimate, km and CO2",
        _rows(
            "virtual_meetings is null and (avoided_trips is not null or avoided_km is not null "
            "or co2_avoided_kg is not null or reduction_estimated_pct is not null)"
        ),
    ),
    SqlCheck(
        "counterfactual_at_least_the_trips",
        True,
        "the counterfactual trips (trips + avoided) are at least the trips made",
        _rows("counterfactual_trips < trips"),
    ),
    SqlCheck(
        "substitution_rate_within_0_and_1",
        True,
        "the substitution rate and its low end lie within [0, 1], its high end is not negative "
        "(it may pass 1: a video-room site can stand for several travellers)",
        _rows(
            "substitution_rate not between 0 and 1 or substitution_rate_low not between 0 and 1 "
            "or substitution_rate_high < 0"
        ),
    ),
    SqlCheck(
        "estimate_reconciles_with_the_claims",
        False,
        "where claims and exports overlap, the measured reduction lies within the estimated band "
        "(outside it, the meetings cannot account for the measured change)",
        _rows(
            "reduction_measured_pct is not null and reduction_estimated_pct is not null "
            "and year <> baseline_year and reduction_measured_pct "
            "not between reduction_estimated_low_pct and reduction_estimated_high_pct",
            "reduction_measured_pct, reduction_estimated_low_pct, reduction_estimated_high_pct",
        ),
    ),
    SqlCheck(
        "co2_factors_plausible",
        False,
        "g CO2/km lies within 50-250 and kWh/km within 0.1-1.0 (data/reference/factors.csv)",
        "select factor, country, year_from, value from ref.factors "
        "where (factor = 'co2_g_per_km' and value not between 50 and 250) "
        "or (factor = 'energy_kwh_per_km' and value not between 0.1 and 1.0)",
    ),
    SqlCheck(
        "co2_factors_not_rising_within_a_method",
        False,
        "a country's g CO2/km does not rise from one year to the next within one method",
        RISING_CO2,
    ),
    SqlCheck(
        "no_factor_constant_for_a_decade",
        False,
        "no g/km, kWh/km or mileage rate is one value for twenty years or more",
        CONSTANT_FACTORS,
    ),
    SqlCheck(
        "km_per_trip_within_the_claims_range",
        False,
        "the km per avoided trip lies within the municipality's own meeting claims' range",
        KM_OUTSIDE_CLAIMS,
    ),
)


def _no_nan_sql(con) -> str:
    """Every double column of every mart, tested for NaN and infinity."""
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type in ('DOUBLE', 'FLOAT') order by all"
    ).fetchall()
    parts = [
        f"select {lit(table)} as mart, {lit(column)} as column_name, count(*) as rows "
        f"from marts.{ident(table)} where isnan({ident(column)}) or isinf({ident(column)}) "
        "having count(*) > 0"
        for table, column in columns
    ]
    return "\nunion all\n".join(parts) or "select 1 where false"


def _steps(con) -> dict[str, list[tuple[int, float]]]:
    rows = con.execute(
        "select programme, from_year, reduction_pct from ref.targets where metric = 'trips'"
    ).fetchall()
    steps: dict[str, list[tuple[int, float]]] = {}
    for programme, year, pct in rows:
        steps.setdefault(programme, []).append((year, pct))
    return steps


def status_mismatches(con) -> list[dict]:
    """Rows whose status differs from methodology.status over the row's own figures."""
    steps = _steps(con)
    frame = con.execute(
        _progress_rows(
            "baseline_year, status, reduction_measured_pct, "
            "reduction_estimated_low_pct, reduction_estimated_pct, "
            "reduction_estimated_high_pct, virtual_meetings, substitution_source, "
            "estimate_capped, trips"
        )
    ).df()
    wrong = []
    for row in frame.itertuples(index=False):
        estimate = (
            None
            if _missing(row.reduction_estimated_pct)
            else (
                row.reduction_estimated_low_pct,
                row.reduction_estimated_pct,
                row.reduction_estimated_high_pct,
            )
        )
        expected = methodology.status(
            int(row.year),
            int(row.baseline_year),
            steps.get(row.programme, []),
            None if _missing(row.reduction_measured_pct) else row.reduction_measured_pct,
            estimate,
            not _missing(row.virtual_meetings),
            row.substitution_source,
            bool(row.estimate_capped),
            has_claims=not _missing(row.trips),
        )
        if expected != row.status:
            wrong.append({**{k: plain(v) for k, v in row._asdict().items()}, "expected": expected})
    return wrong


def _missing(value) -> bool:
    return bool(pd.isna(value))


STATUS = "status_follows_from_its_figures"
STATUS_SAYS = "each status equals the status rule (assets/marts/methodology.py) over its figures"
# Its SQL is written when it runs, from the marts' numeric columns.
NO_NAN = SqlCheck(
    "no_nan_or_infinity_in_any_mart",
    True,
    "no mart holds NaN or infinity in any numeric column",
    "",
)


def not_downstream(key: dg.AssetKey) -> list[dg.AssetKey]:
    """The other marts that do not read `key` (those that do are built after its checks)."""
    after = {key}
    for mart in MARTS:  # in build order
        if set(mart.asset_deps[mart.key]) & after:
            after.add(mart.key)
    return [mart.key for mart in MARTS if mart.key not in after]


def status_report(con) -> CheckReport:
    wrong = status_mismatches(con)
    rule = Rule("python", {}, True, STATUS_SAYS)
    findings = (Finding(rule, len(wrong), wrong[:SAMPLE_ROWS], Counter()),) if wrong else ()
    return CheckReport(PROGRESS, STATUS, True, findings, count_rows(con, PROGRESS))


def estimate_reports(con, asset: dg.AssetKey) -> Iterator[CheckReport]:
    """Every SQL check over the whole table, NaN in any mart, and the status rule."""
    yield from (check.report(con, asset) for check in CHECKS)
    yield replace(NO_NAN, sql=_no_nan_sql(con)).report(con, asset)
    yield status_report(con)


@dg.multi_asset_check(
    specs=[
        *(c.spec(PROGRESS) for c in CHECKS),
        NO_NAN.spec(PROGRESS, not_downstream(PROGRESS)),
        dg.AssetCheckSpec(
            STATUS,
            asset=PROGRESS,
            blocking=True,
            description="Blocking: each status follows from its own figures by the status rule.",
        ),
    ],
    description="marts.municipality_progress: estimates that can exist, honest bands and status.",
)
def estimate_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """Estimates within 0-100 %, bands in order, no silent zero, a status that follows from its
    figures; warnings for estimates that do not reconcile with claims and implausible factors."""
    yield from unless_validated(context, warehouse, inputs, estimate_reports)

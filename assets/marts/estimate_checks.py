"""Checks that keep the headline figure defensible: estimates that can exist, bands in order, no
silent zero, a status that follows from its figures. Blocking ones stop publication."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg

from schemas.expectations import SAMPLE_ROWS, Finding, Rule, plain

from ..checks import check_result, sql_result
from ..settings import Inputs
from ..warehouse import Warehouse
from . import methodology

PROGRESS = dg.AssetKey(["marts", "municipality_progress"])
PROGRESS_ROWS = "select programme, municipality_code, year, {what} from marts.municipality_progress"


@dataclass(frozen=True)
class SqlCheck:
    """One assertion as SQL that returns the rows breaking it."""

    name: str
    blocking: bool
    says: str
    sql: str


def _rows(condition: str, what: str = "*") -> str:
    return PROGRESS_ROWS.format(what=what) + f" where {condition}"


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
STATUS_CHECK = "status_follows_from_its_figures"


def _no_nan_sql(warehouse: Warehouse) -> str:
    """Every double column of every mart, tested for NaN and infinity."""
    with warehouse.read() as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type in ('DOUBLE', 'FLOAT') order by all"
        ).fetchall()
    parts = [
        f"select '{table}' as mart, '{column}' as column_name, count(*) as rows "
        f'from marts."{table}" where isnan("{column}") or isinf("{column}") having count(*) > 0'
        for table, column in columns
    ]
    return "\nunion all\n".join(parts) or "select 1 where false"


def _steps(warehouse: Warehouse) -> dict[str, list[tuple[int, float]]]:
    with warehouse.read() as con:
        rows = con.execute(
            "select programme, from_year, reduction_pct from ref.targets where metric = 'trips'"
        ).fetchall()
    steps: dict[str, list[tuple[int, float]]] = {}
    for programme, year, pct in rows:
        steps.setdefault(programme, []).append((year, pct))
    return steps


def status_mismatches(warehouse: Warehouse) -> list[dict]:
    """Rows whose status differs from methodology.status over the row's own figures."""
    steps = _steps(warehouse)
    with warehouse.read() as con:
        frame = con.execute(
            PROGRESS_ROWS.format(
                what="baseline_year, status, reduction_measured_pct, "
                "reduction_estimated_low_pct, reduction_estimated_pct, "
                "reduction_estimated_high_pct, virtual_meetings, substitution_source, "
                "estimate_capped"
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
        )
        if expected != row.status:
            wrong.append({**{k: plain(v) for k, v in row._asdict().items()}, "expected": expected})
    return wrong


def _missing(value) -> bool:
    return value is None or value != value


def _status_result(context, warehouse: Warehouse, inputs: Inputs) -> dg.AssetCheckResult:
    wrong = status_mismatches(warehouse)
    says = "each status equals the status rule (assets/marts/methodology.py) over its figures"
    findings = (
        [Finding(Rule("python", {}, True, says), len(wrong), wrong[:SAMPLE_ROWS], Counter())]
        if wrong
        else []
    )
    with warehouse.read() as con:
        [[rows]] = con.execute("select count(*) from marts.municipality_progress").fetchall()
    return check_result(context, warehouse, inputs, PROGRESS, STATUS_CHECK, findings, True, rows, 1)


NO_NAN = SqlCheck(
    "no_nan_or_infinity_in_any_mart",
    True,
    "no mart holds NaN or infinity in any numeric column",
    "",
)


def _spec(check: SqlCheck) -> dg.AssetCheckSpec:
    prefix = "Blocking" if check.blocking else "Warning"
    return dg.AssetCheckSpec(
        check.name, asset=PROGRESS, blocking=check.blocking, description=f"{prefix}: {check.says}."
    )


@dg.multi_asset_check(
    specs=[
        *(_spec(c) for c in (*CHECKS, NO_NAN)),
        dg.AssetCheckSpec(
            STATUS_CHECK,
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
    for check in CHECKS:
        yield sql_result(
            context, warehouse, inputs, PROGRESS, check.name, check.sql, check.says, check.blocking
        )
    yield sql_result(
        context,
        warehouse,
        inputs,
        PROGRESS,
        NO_NAN.name,
        _no_nan_sql(warehouse),
        NO_NAN.says,
        True,
    )
    yield _status_result(context, warehouse, inputs)

"""A3: travel and mileage claim plans and writers per municipality (SE, NO, DK)."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from samples.common import by_year, csv_text, fmt_fixed, rng_for, save_xlsx, workday, write_text


@dataclass(frozen=True)
class Trip:
    """One claim line: an employee's trip on a day."""

    emp: int
    unit: str
    date: dt.date
    origin: str
    dest: str
    purpose: str
    km_tenths: int
    mode: str
    amount_cents: int


@dataclass(frozen=True)
class TravelPlan:
    """What to generate for one group of employees of one municipality."""

    key: str
    meetings: dict[int, int]
    others: dict[str, tuple[int, int]]
    destinations: dict[str, tuple[tuple[str, int, int], ...]]  # purpose -> (dest, km, weight)
    modes: dict[str, tuple[tuple[str, int], ...]]
    units: tuple[str, ...]
    origins: tuple[str, ...]
    emp_range: tuple[int, int]
    staff: int
    meeting_purpose: str
    rate: Callable[[str, int, int, random.Random], int]  # (mode, year, km/10, rng) -> cents


def staff_pool(rng: random.Random, plan: TravelPlan) -> list[tuple[int, str, str]]:
    """Employees as (number, unit, home office)."""
    numbers = sorted(rng.sample(range(*plan.emp_range), plan.staff))
    return [(n, rng.choice(plan.units), rng.choice(plan.origins)) for n in numbers]


def one_trip(rng: random.Random, plan: TravelPlan, staff: list, year: int, purpose: str) -> Trip:
    """Draw one trip for ``purpose`` in ``year``."""
    emp, unit, origin = rng.choice(staff)
    dests = plan.destinations[purpose]
    dest, one_way, _ = rng.choices(dests, weights=[w for *_, w in dests])[0]
    km_tenths = 2 * one_way * 10 * rng.randint(95, 110) // 100
    modes = plan.modes[purpose]
    mode = rng.choices([m for m, _ in modes], weights=[w for _, w in modes])[0]
    amount = plan.rate(mode, year, km_tenths, rng)
    return Trip(emp, unit, workday(rng, year), origin, dest, purpose, km_tenths, mode, amount)


def plan_trips(plan: TravelPlan) -> list[Trip]:
    """All trips of a plan, meeting counts exact per year, sorted by date and employee."""
    rng = rng_for(f"travel:{plan.key}")
    staff = staff_pool(rng, plan)
    trips = []
    for year, n_meetings in sorted(plan.meetings.items()):
        trips += [one_trip(rng, plan, staff, year, plan.meeting_purpose) for _ in range(n_meetings)]
        for purpose, (lo, hi) in plan.others.items():
            trips += [one_trip(rng, plan, staff, year, purpose) for _ in range(rng.randint(lo, hi))]
    return sorted(trips, key=lambda t: (t.date, t.emp, t.dest, t.purpose))


def round_to(cents: int, step: int) -> int:
    """Round a positive amount in cents half-up to a multiple of ``step``."""
    return (cents + step // 2) // step * step


def mileage(km_tenths: int, ore_per_km: int) -> int:
    """km (tenths) times a rate in öre/øre per km, rounded half-up to whole öre."""
    return (km_tenths * ore_per_km + 5) // 10


def rate_sweden(mode: str, year: int, km_tenths: int, rng: random.Random) -> int:
    """Swedish claim amounts: 18.50 kr/mil (25 kr/mil from 2023); tickets; 0 for service cars."""
    if mode == "Egen bil":
        return mileage(km_tenths, 250 if year >= 2023 else 185)
    if mode == "Tåg":
        return round_to(4500 + km_tenths * rng.randint(10, 14), 100)
    if mode == "Buss":
        return round_to(3000 + km_tenths * rng.randint(7, 9), 100)
    return 0


NO_RATES = {
    2011: 390, 2012: 405, 2013: 410, 2014: 410, 2015: 410, 2016: 410, 2017: 410, 2018: 403,
    2019: 403, 2020: 403, 2021: 403,
}  # fmt: skip


def rate_norway(mode: str, year: int, km_tenths: int, rng: random.Random) -> int:
    """Norwegian claim amounts (state mileage rate per year; tickets; 0 for service cars)."""
    if mode == "Privatbil":
        return mileage(km_tenths, NO_RATES[year])
    if mode == "Tog":
        return round_to(9000 + km_tenths * rng.randint(9, 12), 100)
    if mode == "Buss":
        return round_to(4500 + km_tenths * rng.randint(8, 10), 100)
    return 0


DK_RATES = {2011: 382, 2012: 380, 2013: 373, 2014: 370, 2015: 370, 2016: 363}


def rate_denmark(mode: str, year: int, km_tenths: int, rng: random.Random) -> int:
    """Danish claim amounts (statens takst per year for own car; DSB tickets)."""
    if mode == "Egen bil":
        return mileage(km_tenths, DK_RATES[year])
    return round_to(5000 + km_tenths * rng.randint(9, 12), 50)


PER_PURPOSE = ("others", "destinations", "modes")
RATES = {"sweden": rate_sweden, "norway": rate_norway, "denmark": rate_denmark}


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def load_plans() -> dict[str, TravelPlan]:
    """The plans of travel_plans.toml (beside this module), by key, typed as TravelPlan."""
    text = Path(__file__).with_name("travel_plans.toml").read_text(encoding="utf-8")
    plans = {}
    for key, plan in tomllib.loads(text).items():
        by_purpose = {f: {k: _tuples(v) for k, v in plan[f].items()} for f in PER_PURPOSE}
        plans[key] = TravelPlan(
            key=key,
            meetings={int(year): n for year, n in plan["meetings"].items()},
            **by_purpose,
            **{f: _tuples(plan[f]) for f in ("units", "origins", "emp_range")},
            staff=plan["staff"],
            meeting_purpose=plan["meeting_purpose"],
            rate=RATES[plan["rate"]],
        )
    return plans


PLANS = load_plans()
FALUN_PLAN = PLANS["falun"]
BORLANGE_PLAN = PLANS["borlange"]
KRISTIANSAND_PLAN = PLANS["kristiansand"]
KRISTIANSAND_MERGED_PLAN = PLANS["kristiansand-merged"]
ODSHERRED_PLAN = PLANS["odsherred"]


def travel_summary(trips: list[Trip], plan: TravelPlan, code: str, currency: str) -> dict:
    """Expected figures for one travel file."""
    purpose = plan.meeting_purpose
    meets = [t for t in trips if t.purpose == purpose]
    km, amount = Counter(), Counter()
    for t in meets:
        km[t.date.year] += t.km_tenths
        amount[t.date.year] += t.amount_cents
    return {
        "rows": len(trips),
        "bad_rows": [],
        "municipality_code": code,
        "currency": currency,
        "meeting_purpose": purpose,
        "purposes": dict(sorted(Counter(t.purpose for t in trips).items())),
        "rows_per_year": by_year(Counter(t.date.year for t in trips)),
        "meeting_trips_per_year": by_year(Counter(t.date.year for t in meets)),
        "meeting_km_per_year": {str(y): km[y] / 10 for y in sorted(km)},
        "meeting_amount_per_year": {str(y): amount[y] / 100 for y in sorted(amount)},
    }


SV_TRAVEL_HEADER = (
    "Anställningsnr", "Förvaltning", "Resdatum", "Från", "Till", "Ändamål", "Antal km",
    "Färdmedel", "Belopp (kr)",
)  # fmt: skip


def write_falun(path: Path) -> dict:
    """A3 Swedish: cp1252, ';', CRLF, title block with the code, decimal comma."""
    trips = plan_trips(FALUN_PLAN)
    body = [
        (t.emp, t.unit, t.date.isoformat(), t.origin, t.dest, t.purpose,
         fmt_fixed(t.km_tenths, 1), t.mode, fmt_fixed(t.amount_cents, 2))
        for t in trips
    ]  # fmt: skip
    text = "Kommun: Falun (2080)\r\n\r\n" + csv_text([SV_TRAVEL_HEADER, *body], ";", "\r\n")
    write_text(path, text, "cp1252")
    summary = travel_summary(trips, FALUN_PLAN, "2080", "SEK")
    summary["first_data_line"] = 4
    return summary


def write_borlange(path: Path) -> dict:
    """A3 Swedish as .xlsx: a Kommun column instead of a title block, real date cells."""
    trips = plan_trips(BORLANGE_PLAN)
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Reseräkningar"
    header = list(SV_TRAVEL_HEADER)
    header.insert(1, "Kommun")
    sheet.append(header)
    for t in trips:
        sheet.append(
            [
                t.emp,
                "Borlänge kommun",
                t.unit,
                t.date,
                t.origin,
                t.dest,
                t.purpose,
                t.km_tenths / 10,
                t.mode,
                t.amount_cents / 100,
            ]
        )
        sheet.cell(sheet.max_row, 4).number_format = "yyyy-mm-dd"
        sheet.cell(sheet.max_row, 10).number_format = "#,##0.00"
    save_xlsx(wb, path)
    summary = travel_summary(trips, BORLANGE_PLAN, "2081", "SEK")
    summary.update(sheet="Reseräkningar", first_data_line=2)
    return summary


NO_TRAVEL_HEADER = (
    "Ansattnr", "Kommune", "Enhet", "Reisedato", "Fra", "Til", "Formål", "Km", "Transportmiddel",
    "Beløp (NOK)",
)  # fmt: skip


def write_kristiansand(path: Path) -> dict:
    """A3 Norwegian: UTF-8, ';', dd.mm.yyyy, a Kommune column; merged staff from 2020."""
    core, merged = plan_trips(KRISTIANSAND_PLAN), plan_trips(KRISTIANSAND_MERGED_PLAN)
    trips = sorted(core + merged, key=lambda t: (t.date, t.emp, t.dest, t.purpose))
    body = [
        (t.emp, "Kristiansand kommune", t.unit, f"{t.date:%d.%m.%Y}", t.origin, t.dest,
         t.purpose, fmt_fixed(t.km_tenths, 1), t.mode, fmt_fixed(t.amount_cents, 2))
        for t in trips
    ]  # fmt: skip
    write_text(path, csv_text([NO_TRAVEL_HEADER, *body], ";"))
    summary = travel_summary(trips, KRISTIANSAND_PLAN, "1001", "NOK")
    summary["municipality_code"] = {"until_2019": "1001", "from_2020": "4204"}
    merged_meets = Counter(t.date.year for t in merged if t.purpose == "Møte")
    summary["meeting_trips_former_sogne_songdalen_staff"] = by_year(merged_meets)
    summary["former_sogne_songdalen_staff_origins"] = list(KRISTIANSAND_MERGED_PLAN.origins)
    summary["first_data_line"] = 2
    return summary


DK_TRAVEL_HEADER = (
    "Medarbejdernr", "Afdeling", "Rejsedato", "Fra", "Til", "Formål", "Km", "Transportmiddel",
    "Beløb (DKK)",
)  # fmt: skip


def write_odsherred(path: Path) -> dict:
    """A3 Danish: UTF-8, ';', CRLF, dd-mm-yyyy, '.' thousands in amounts, title line."""
    trips = plan_trips(ODSHERRED_PLAN)
    body = [
        (t.emp, t.unit, f"{t.date:%d-%m-%Y}", t.origin, t.dest, t.purpose,
         fmt_fixed(t.km_tenths, 1), t.mode, fmt_fixed(t.amount_cents, 2, thousands="."))
        for t in trips
    ]  # fmt: skip
    text = "Kommune: Odsherred (306)\r\n" + csv_text([DK_TRAVEL_HEADER, *body], ";", "\r\n")
    write_text(path, text)
    summary = travel_summary(trips, ODSHERRED_PLAN, "306", "DKK")
    summary["rows_with_thousands_separator"] = sum(t.amount_cents >= 100_000 for t in trips)
    summary["first_data_line"] = 3
    return summary

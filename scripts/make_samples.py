"""Generate resfritt's bundled sample exports, their reference data and the expected figures.

Writes realistic (but invented) vendor and payroll exports into ``data/raw/`` (the pipeline's
drop folder), the room reference table ``data/reference/rooms.csv``, a short
``data/raw/README.md`` and ``tests/expected_samples.json`` with the exact figures the
pipeline must reproduce from these files.

The layouts follow ``FORMATS.md`` (A1-A4, 1a, 1c, 2a, 2c) and the municipalities follow
``DOMAIN.md``. Everything is deterministic: each file has its own ``random.Random`` seeded
from a fixed string, and the zip/xlsx containers get fixed timestamps, so two runs produce
byte-identical files. All dates and times in the files are local times, except the Teams PSTN
export, whose ``Start/End Time`` are UTC as in the vendor format.

Only the standard library and openpyxl are used. Run::

    .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import io
import json
import random
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
REFERENCE = ROOT / "data" / "reference"
EXPECTED = ROOT / "tests" / "expected_samples.json"

SEED = "resfritt-samples-v1"
FIXED_ZIP_TIME = (2024, 4, 2, 8, 0, 0)
FIXED_XLSX_TIME = dt.datetime(2024, 4, 2, 8, 0, 0)
MONTH_WEIGHTS = (9, 10, 11, 10, 10, 8, 2, 7, 11, 11, 11, 6)


def rng_for(name: str) -> random.Random:
    """Return a generator seeded from the fixed seed and ``name`` (stable across runs)."""
    return random.Random(f"{SEED}:{name}")


# --------------------------------------------------------------------------------------------
# Reference data: municipalities and video rooms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    """A Dalarna municipality as it appears in the exports."""

    code: str
    name: str
    genitive: str
    domain: str
    weight: int  # roughly the population in hundreds; drives the sample volumes


DALARNA = (
    Municipality("2080", "Falun", "Falu kommun", "falun.se", 590),
    Municipality("2081", "Borlänge", "Borlänge kommun", "borlange.se", 520),
    Municipality("2082", "Säter", "Säters kommun", "sater.se", 110),
    Municipality("2083", "Hedemora", "Hedemora kommun", "hedemora.se", 152),
    Municipality("2084", "Avesta", "Avesta kommun", "avesta.se", 230),
    Municipality("2085", "Ludvika", "Ludvika kommun", "ludvika.se", 262),
    Municipality("2061", "Smedjebacken", "Smedjebackens kommun", "smedjebacken.se", 108),
    Municipality("2029", "Leksand", "Leksands kommun", "leksand.se", 155),
    Municipality("2031", "Rättvik", "Rättviks kommun", "rattvik.se", 108),
    Municipality("2062", "Mora", "Mora kommun", "mora.se", 203),
    Municipality("2034", "Orsa", "Orsa kommun", "orsa.se", 69),
    Municipality("2039", "Älvdalen", "Älvdalens kommun", "alvdalen.se", 70),
    Municipality("2023", "Malung-Sälen", "Malung-Sälens kommun", "malung-salen.se", 100),
    Municipality("2021", "Vansbro", "Vansbro kommun", "vansbro.se", 67),
    Municipality("2026", "Gagnef", "Gagnefs kommun", "gagnef.se", 101),
)
BY_CODE = {m.code: m for m in DALARNA}

# Rooms per municipality with a relative booking weight. Gagnef's room carries the town
# Djurås, not the municipality name, so it can only be mapped through rooms.csv.
ROOMS: dict[str, tuple[tuple[str, int], ...]] = {
    "2080": (
        ("Falun Stadshuset VR1", 5),
        ("Falun Stadshuset VR2", 3),
        ("Falun Kristinegymnasiet", 2),
    ),
    "2081": (
        ("Borlänge Rådhuset Stora", 5),
        ("Borlänge Rådhuset Lilla", 3),
        ("Borlänge Hushagsgymnasiet", 2),
    ),
    "2082": (("Säter Kommunhuset", 1),),
    "2083": (("Hedemora Stadshuset", 1),),
    "2084": (("Avesta Kommunhuset", 3), ("Avesta Lärcentrum", 1)),
    "2085": (("Ludvika Stadshuset Storsalen", 3), ("Ludvika Stadshuset Lilla", 2)),
    "2061": (("Smedjebacken Kommunhuset", 1),),
    "2029": (("Leksand Kommunhuset", 3), ("Leksand Kulturhuset", 1)),
    "2031": (("Rättvik Kommunhuset", 1),),
    "2062": (("Mora Kommunhuset", 3), ("Mora Gymnasium", 1)),
    "2034": (("Orsa Kommunhuset", 1),),
    "2039": (("Älvdalen Kommunhuset", 1),),
    "2023": (("Malung Kommunhuset", 1),),
    "2021": (("Vansbro Kommunhuset", 1),),
    "2026": (("Djurås Kommunhuset", 1),),
}

# Rooms and years booked for long sessions (in 5-minute steps, [lo, hi)): in 2020 Falun's main
# room hosted day-long remote sessions, so some months exceed 99 hours in a single data row.
LONG_BOOKINGS = {("Falun Stadshuset VR1", 2020): (24, 61)}

# Video meetings per year across Dalarna; 2014 is the seed oracle (1,174 meetings).
VIDEO_TOTALS = {
    2011: 312, 2012: 568, 2013: 861, 2014: 1174, 2015: 1436, 2016: 1702, 2017: 1985,
    2018: 2260, 2019: 2537, 2020: 3480, 2021: 3815, 2022: 3390, 2023: 3265, 2024: 3190,
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over integer ``weights`` exactly (largest remainder, ties by index)."""
    wsum = sum(weights)
    base = [total * w // wsum for w in weights]
    rems = [total * w % wsum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-rems[i], i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def jitter(rng: random.Random, weights: Iterable[int], lo: int = 80, hi: int = 120) -> list[int]:
    """Multiply each weight by a random integer percentage in ``[lo, hi]``."""
    return [w * rng.randint(lo, hi) for w in weights]


def easter(year: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    sunday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * sunday) // 451
    month, day = divmod(h + sunday - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def is_holiday(day: dt.date) -> bool:
    """Weekday holidays in the Nordic samples (fixed dates, Maundy Thursday to Easter Monday)."""
    if (day.month, day.day) in {(1, 1), (5, 1), (12, 24), (12, 25), (12, 26), (12, 31)}:
        return True
    return (day - easter(day.year)).days in (-3, -2, 1)


def workday(rng: random.Random, year: int, month: int | None = None) -> dt.date:
    """Draw a Monday-Friday non-holiday date (month drawn with a seasonal weight if not given)."""
    if month is None:
        month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    last = calendar.monthrange(year, month)[1]
    while True:
        day = dt.date(year, month, rng.randint(1, last))
        if day.weekday() < 5 and not is_holiday(day):
            return day


def group(n: int, sep: str) -> str:
    """Format an integer with a thousands separator (``1174`` -> ``1 174``)."""
    return f"{n:,}".replace(",", sep)


def hmm(minutes: int, sep: str = "") -> str:
    """Format minutes as ``h:mm`` (hours unbounded, optionally grouped)."""
    return f"{group(minutes // 60, sep)}:{minutes % 60:02d}"


def fmt_fixed(units: int, places: int, comma: bool = True, thousands: str = "") -> str:
    """Format an integer count of 10**-places units as a decimal string."""
    scale = 10**places
    whole, frac = divmod(units, scale)
    text = f"{group(whole, thousands)}{',' if comma else '.'}{frac:0{places}d}"
    return text


def iso_duration(seconds: int) -> str:
    """Format seconds as an ISO-8601 duration the way the Graph reports do (``PT1H2M3S``)."""
    if seconds == 0:
        return "PT0S"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    units = ((hours, "H"), (minutes, "M"), (secs, "S"))
    return "PT" + "".join(f"{value}{unit}" for value, unit in units if value)


def ms_time(moment: dt.datetime) -> str:
    """Format a datetime like SQL Server does in an SSMS export (millisecond precision)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def fold(text: str) -> str:
    """Fold Nordic letters to ASCII for e-mail local parts (``Åsa Öberg`` -> ``asa.oberg``)."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "é": "e"})
    return text.lower().translate(table).replace(" ", ".")


def new_uuid(rng: random.Random) -> str:
    """Return a random-looking but seeded UUID4 string."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def csv_text(rows: Iterable[Sequence[object]], delimiter: str = ",", newline: str = "\n") -> str:
    """Render rows with the csv module (minimal quoting)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def write_text(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> None:
    """Write ``text`` in ``encoding``, optionally with a UTF-8 byte-order mark."""
    data = text.encode(encoding)
    path.write_bytes(codecs.BOM_UTF8 + data if bom else data)


def fixed_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """Build a zip with fixed timestamps and attributes so that it is byte-reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buf.getvalue()


def save_xlsx(workbook: Workbook, path: Path) -> None:
    """Save a workbook with fixed document properties and zip timestamps."""
    workbook.properties.creator = "resfritt sample generator"
    workbook.properties.created = FIXED_XLSX_TIME
    buf = io.BytesIO()
    workbook.save(buf)  # openpyxl stamps "modified" with the wall clock; undo that below
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    pattern = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    entries = []
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as archive:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = pattern.sub(rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entries.append((info.filename, data))
    path.write_bytes(fixed_zip(entries))


def by_year(counter: Counter) -> dict[str, int]:
    """Turn a Counter keyed by year into a JSON-friendly, sorted dict."""
    return {str(k): counter[k] for k in sorted(counter)}


# --------------------------------------------------------------------------------------------
# A1: Telia Videomöte statistics
# --------------------------------------------------------------------------------------------

A1_HEADER_SV = (
    "Månad", "Organisation", "Rum", "Antal möten", "Total mötestid (tim:min)", "Snitt deltagare",
)  # fmt: skip
A1_HEADER_EN = (
    "Month", "Organisation", "Room", "Meetings", "Total duration (h:mm)", "Avg participants",
)  # fmt: skip


@dataclass(frozen=True)
class VideoRow:
    """One room and month of video-room statistics."""

    month: str
    code: str
    room: str
    meetings: int
    minutes: int
    avg_tenths: int


def video_year(year: int) -> list[VideoRow]:
    """Distribute the year's video meetings over municipalities, rooms and months."""
    rng = rng_for(f"video:{year}")
    muni_counts = allocate(VIDEO_TOTALS[year], jitter(rng, [m.weight for m in DALARNA]))
    rows = []
    for muni, muni_count in zip(DALARNA, muni_counts, strict=True):
        rooms = ROOMS[muni.code]
        room_counts = allocate(muni_count, jitter(rng, [w for _, w in rooms], 70, 130))
        for (room, _), room_count in zip(rooms, room_counts, strict=True):
            months = allocate(room_count, jitter(rng, MONTH_WEIGHTS, 60, 140))
            for month, n in enumerate(months, start=1):
                if n:
                    lo, hi = LONG_BOOKINGS.get((room, year), (6, 25))
                    minutes = sum(rng.randrange(lo, hi) * 5 for _ in range(n))
                    avg = rng.randint(20, 75)
                    rows.append(VideoRow(f"{year}-{month:02d}", muni.code, room, n, minutes, avg))
    order = {m.code: i for i, m in enumerate(DALARNA)}
    return sorted(rows, key=lambda r: (r.month, order[r.code]))


def video_rows(years: Sequence[int]) -> list[VideoRow]:
    """All video rows for ``years`` in file order."""
    rows = [row for year in years for row in video_year(year)]
    if 2020 in years:
        assert max(r.minutes for r in rows) >= 100 * 60, "want a data row above 99 hours"
    return rows


def title_block(start: str, end: str) -> list[str]:
    """The A1 title block (three lines and a blank line)."""
    return ["Telia Videomöte - statistik", "Kund: IT-Dalarna", f"Period: {start} - {end}", ""]


def write_telia_2011_2013(path: Path) -> dict:
    """A1 as re-saved by Swedish Excel: cp1252, ';', CRLF, decimal comma, totals row."""
    rows = video_rows(range(2011, 2014))
    lines = title_block("2011-01-01", "2013-12-31")
    body = [
        (r.month, BY_CODE[r.code].genitive, r.room, r.meetings, hmm(r.minutes),
         fmt_fixed(r.avg_tenths, 1))
        for r in rows
    ]  # fmt: skip
    total_n, total_min = sum(r.meetings for r in rows), sum(r.minutes for r in rows)
    total = ("Summa", "", "", group(total_n, " "), hmm(total_min, " "), "")
    text = "\r\n".join(lines) + "\r\n" + csv_text([A1_HEADER_SV, *body, total], ";", "\r\n")
    write_text(path, text, "cp1252")
    return video_summary(rows, first_data_line=6, totals=(total_n, total_min))


def write_telia_2014(path: Path) -> dict:
    """A1 as .xlsx: sheet 'Statistik' with title block, numeric counts, Summa row; plus 'Info'."""
    rows = video_rows([2014])
    assert {r.code for r in rows} == set(BY_CODE), "every municipality needs 2014 meetings"
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Statistik"
    for line in title_block("2014-01-01", "2014-12-31"):
        sheet.append([line or None])
    sheet.append(list(A1_HEADER_SV))
    for r in rows:
        avg = r.avg_tenths / 10
        sheet.append([r.month, BY_CODE[r.code].genitive, r.room, r.meetings, hmm(r.minutes), avg])
    total_n, total_min = sum(r.meetings for r in rows), sum(r.minutes for r in rows)
    sheet.append(["Summa", None, None, total_n, hmm(total_min, " "), None])
    sheet.cell(sheet.max_row, 4).number_format = "#,##0"
    for column, width in zip("ABCDEF", (10, 24, 30, 12, 24, 16), strict=True):
        sheet.column_dimensions[column].width = width
    info = wb.create_sheet("Info")
    for line in (
        "Statistiken är hämtad ur Telia Företagsportalen, tjänst Videomöte.",
        "Ett möte räknas per bokat rum och tillfälle (flerpartsmöten räknas per rum).",
        "Mötestid anges i timmar:minuter. Snitt deltagare avser deltagare per rum.",
        "Uttaget gjordes 2015-01-08 av IT-Dalarna.",
    ):
        info.append([line])
    save_xlsx(wb, path)
    return video_summary(rows, first_data_line=6, totals=(total_n, total_min), sheet="Statistik")


def write_telia_2015_2024(path: Path) -> dict:
    """English A1 variant: UTF-8 BOM, ',', codes instead of names, decimal point, Total row."""
    rows = video_rows(range(2015, 2025))
    body = [
        (r.month, r.code, r.room, r.meetings, hmm(r.minutes), fmt_fixed(r.avg_tenths, 1, False))
        for r in rows
    ]
    total_n, total_min = sum(r.meetings for r in rows), sum(r.minutes for r in rows)
    total = ("Total", "", "", total_n, hmm(total_min), "")
    write_text(path, csv_text([A1_HEADER_EN, *body, total]), bom=True)
    return video_summary(rows, first_data_line=2, totals=(total_n, total_min))


def video_summary(
    rows: list[VideoRow], first_data_line: int, totals: tuple[int, int], sheet: str | None = None
) -> dict:
    """Expected figures for one A1 file."""
    per_code: dict[str, Counter] = defaultdict(Counter)
    minutes: Counter = Counter()
    for r in rows:
        year = int(r.month[:4])
        per_code[r.code][year] += r.meetings
        minutes[year] += r.minutes
    summary = {
        "rows": len(rows),
        "bad_rows": [],
        "first_data_line": first_data_line,
        "totals_line": first_data_line + len(rows),
        "totals_row": {"meetings": totals[0], "duration_minutes": totals[1]},
        "rooms": len({r.room for r in rows}),
        "meetings_per_year": by_year(sum(per_code.values(), Counter())),
        "duration_minutes_per_year": by_year(minutes),
        "meetings_per_code_per_year": {c: by_year(per_code[c]) for c in sorted(per_code)},
    }
    if sheet:
        summary["sheet"] = sheet
    return summary


def write_rooms(path: Path) -> int:
    """data/reference/rooms.csv: every room with its municipality and validity."""
    rows = [("room", "municipality_code", "valid_from", "valid_to")]
    for muni in DALARNA:
        rows += [(room, muni.code, "2010-01-01", "9999-12-31") for room, _ in ROOMS[muni.code]]
    write_text(path, csv_text(rows))
    return len(rows) - 1


# --------------------------------------------------------------------------------------------
# A2: Telia Telemöte Webb conference list
# --------------------------------------------------------------------------------------------

SV_FIRST = (
    "Anna", "Erik", "Karin", "Lars", "Maria", "Johan", "Eva", "Anders", "Kristina", "Per",
    "Lena", "Mikael", "Sara", "Magnus", "Emma", "Jonas", "Helena", "Fredrik", "Åsa", "Björn",
    "Ingrid", "Göran", "Märta", "Sofia", "Olof", "Linnea",
)  # fmt: skip
SV_LAST = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Lindqvist", "Berg", "Holm", "Ek", "Sund", "Öberg", "Åkesson", "Hedlund",
    "Dahl", "Mattsson", "Nyström", "Björk", "Wikström",
)  # fmt: skip
A2_BAD_LENGTH_INDEX = 36  # 0-based data row with Längd (min) = "4x"
A2_BAD_HOST_INDEX = 111  # 0-based data row with an unattributable host
A2_BAD_HOST = "someone@unknown-org.example"


def telemote_hosts(rng: random.Random) -> list[tuple[str, str]]:
    """A pool of (host e-mail, municipality code), weighted by municipality size."""
    hosts = []
    for muni in DALARNA:
        for _ in range(1 + muni.weight // 150):
            first, last = rng.choice(SV_FIRST), rng.choice(SV_LAST)
            local = f"{fold(first)}.{fold(last)}"
            if rng.random() < 0.15:
                local = f"{first}.{last}".translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))
            hosts.append((f"{local}@{muni.domain}", muni.code))
    return hosts


def write_telemote_2016(path: Path) -> dict:
    """A2: ';'-separated UTF-8 conference list for 2016 with two planted bad rows."""
    rng = rng_for("telemote:2016")
    hosts = telemote_hosts(rng)
    weights = [BY_CODE[code].weight for _, code in hosts]
    clock = [(workday(rng, 2016), rng.randint(8, 15), rng.choice((0, 15, 30))) for _ in range(150)]
    starts = sorted(dt.datetime.combine(day, dt.time(h, m)) for day, h, m in clock)
    header = ("Konferens-ID", "Starttid", "Sluttid", "Längd (min)", "Antal deltagare", "Värd")
    body, conf_id, valid = [], 40_118_000, []
    for i, start in enumerate(starts):
        conf_id += rng.randint(3, 400)
        length = rng.randint(12, 118)
        host, code = rng.choices(hosts, weights=weights)[0]
        people = rng.randint(2, 14)
        length_text = "4x" if i == A2_BAD_LENGTH_INDEX else str(length)
        if i == A2_BAD_HOST_INDEX:
            host, code = A2_BAD_HOST, None
        end = start + dt.timedelta(minutes=length)
        body.append(
            (conf_id, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", length_text, people, host)
        )
        if i not in (A2_BAD_LENGTH_INDEX, A2_BAD_HOST_INDEX):
            valid.append((code, length, people))
    write_text(path, csv_text([header, *body], ";"))
    return telemote_summary(body, valid)


def telemote_summary(body: list[tuple], valid: list[tuple[str, int, int]]) -> dict:
    """Expected figures for the A2 sample (valid rows only)."""
    confs, minutes, people = Counter(), Counter(), Counter()
    for code, length, n in valid:
        confs[code] += 1
        minutes[code] += length
        people[code] += n
    bad = [
        {"line": A2_BAD_LENGTH_INDEX + 2, "column": "Längd (min)", "value": "4x",
         "reason": "not a number", "konferens_id": body[A2_BAD_LENGTH_INDEX][0]},
        {"line": A2_BAD_HOST_INDEX + 2, "column": "Värd", "value": A2_BAD_HOST,
         "reason": "host domain maps to no municipality",
         "konferens_id": body[A2_BAD_HOST_INDEX][0]},
    ]  # fmt: skip
    return {
        "rows": len(body),
        "bad_rows": bad,
        "valid_rows": len(valid),
        "conferences_per_code": dict(sorted(confs.items())),
        "minutes_per_code": dict(sorted(minutes.items())),
        "participants_per_code": dict(sorted(people.items())),
        "valid_minutes_total": sum(minutes.values()),
    }


# --------------------------------------------------------------------------------------------
# A3: travel and mileage claims
# --------------------------------------------------------------------------------------------


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
    extra: dict = field(default_factory=dict)


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


FALUN_PLAN = TravelPlan(
    key="falun",
    meetings={
        2011: 1000, 2012: 960, 2013: 920, 2014: 850, 2015: 780, 2016: 760, 2017: 720,
        2018: 690, 2019: 650, 2020: 420, 2021: 450, 2022: 520, 2023: 560, 2024: 580,
    },
    others={"Kurs": (40, 60), "Hembesök": (25, 45), "Konferens": (8, 16)},
    destinations={
        "Möte": (
            ("Borlänge", 25, 30), ("Säter", 40, 6), ("Hedemora", 55, 6), ("Avesta", 80, 5),
            ("Ludvika", 70, 7), ("Smedjebacken", 60, 4), ("Leksand", 50, 7), ("Rättvik", 47, 6),
            ("Mora", 95, 8), ("Orsa", 110, 2), ("Djurås", 40, 4), ("Vansbro", 110, 2),
            ("Malung", 150, 2), ("Älvdalen", 130, 2), ("Stockholm", 225, 6), ("Uppsala", 170, 2),
            ("Gävle", 90, 3),
        ),
        "Kurs": (
            ("Stockholm", 225, 40), ("Uppsala", 170, 15), ("Borlänge", 25, 20), ("Gävle", 90, 10),
            ("Västerås", 110, 10), ("Mora", 95, 5),
        ),
        "Konferens": (
            ("Stockholm", 225, 50), ("Göteborg", 470, 8), ("Uppsala", 170, 10),
            ("Sälen", 190, 10), ("Örebro", 170, 10),
        ),
        "Hembesök": (
            ("Bjursås", 20, 3), ("Sundborn", 15, 3), ("Svärdsjö", 30, 3), ("Grycksbo", 10, 3),
            ("Enviken", 40, 2), ("Vika", 12, 2), ("Aspeboda", 12, 2), ("Sågmyra", 22, 2),
            ("Toftbyn", 18, 2),
        ),
    },
    modes={
        "Möte": (("Egen bil", 50), ("Tjänstebil", 30), ("Tåg", 8), ("Buss", 12)),
        "Kurs": (("Tåg", 45), ("Egen bil", 30), ("Buss", 10), ("Tjänstebil", 15)),
        "Konferens": (("Tåg", 60), ("Egen bil", 25), ("Buss", 15)),
        "Hembesök": (("Tjänstebil", 60), ("Egen bil", 40)),
    },
    units=(
        "Kommunledningsförvaltningen", "Barn- och utbildningsförvaltningen",
        "Omsorgsförvaltningen", "Kultur- och fritidsförvaltningen", "Miljöförvaltningen",
        "Samhällsbyggnadsförvaltningen",
    ),
    origins=("Falun",),
    emp_range=(10000, 29999),
    staff=260,
    meeting_purpose="Möte",
    rate=rate_sweden,
)  # fmt: skip

BORLANGE_PLAN = TravelPlan(
    key="borlange",
    meetings={2011: 600, 2012: 585, 2013: 560, 2014: 530, 2015: 500, 2016: 485},
    others={"Kurs": (15, 25), "Hembesök": (15, 30), "Konferens": (3, 8)},
    destinations={
        "Möte": (
            ("Falun", 25, 30), ("Säter", 25, 6), ("Ludvika", 50, 8), ("Smedjebacken", 35, 5),
            ("Djurås", 15, 4), ("Leksand", 55, 5), ("Hedemora", 45, 5), ("Avesta", 75, 4),
            ("Mora", 95, 4), ("Rättvik", 65, 3), ("Stockholm", 220, 5),
        ),
        "Kurs": (("Stockholm", 220, 40), ("Falun", 25, 25), ("Västerås", 105, 15)),
        "Konferens": (("Stockholm", 220, 60), ("Sälen", 200, 20), ("Örebro", 160, 20)),
        "Hembesök": (
            ("Torsång", 12, 3), ("Ornäs", 10, 3), ("Idkerberget", 20, 2),
            ("Halvarsgårdarna", 10, 2), ("Repbäcken", 9, 2),
        ),
    },
    modes=FALUN_PLAN.modes,
    units=(
        "Kommunledning", "Bildningsförvaltningen", "Omsorgsförvaltningen",
        "Samhällsbyggnadsförvaltningen", "Kultur och fritid",
    ),
    origins=("Borlänge",),
    emp_range=(40000, 59999),
    staff=180,
    meeting_purpose="Möte",
    rate=rate_sweden,
)  # fmt: skip

KRISTIANSAND_PLAN = TravelPlan(
    key="kristiansand",
    meetings={
        2011: 400, 2012: 388, 2013: 371, 2014: 356, 2015: 338, 2016: 322, 2017: 305,
        2018: 291, 2019: 276, 2020: 168, 2021: 190,
    },
    others={"Kurs": (30, 45), "Hjemmebesøk": (30, 50)},
    destinations={
        "Møte": (
            ("Vennesla", 20, 12), ("Lillesand", 30, 8), ("Birkenes", 42, 5), ("Iveland", 48, 4),
            ("Søgne", 20, 7), ("Nodeland", 18, 6), ("Arendal", 70, 6), ("Mandal", 42, 4),
            ("Grimstad", 48, 4), ("Evje", 80, 2), ("Oslo", 320, 1),
        ),
        "Kurs": (
            ("Oslo", 320, 30), ("Arendal", 70, 20), ("Stavanger", 240, 10), ("Grimstad", 48, 10),
        ),
        "Hjemmebesøk": (
            ("Lund", 4, 3), ("Vågsbygd", 7, 3), ("Hånes", 9, 2), ("Tveit", 15, 2),
            ("Randesund", 10, 2), ("Justvik", 8, 2),
        ),
    },
    modes={
        "Møte": (("Privatbil", 55), ("Tjenestebil", 25), ("Buss", 15), ("Tog", 5)),
        "Kurs": (("Tog", 35), ("Privatbil", 40), ("Buss", 25)),
        "Hjemmebesøk": (("Tjenestebil", 55), ("Privatbil", 45)),
    },
    units=(
        "Rådmannens stab", "Oppvekst", "Helse og sosial", "Teknisk", "Kultur", "IT-avdelingen",
    ),
    origins=("Kristiansand",),
    emp_range=(10000, 39999),
    staff=200,
    meeting_purpose="Møte",
    rate=rate_norway,
)  # fmt: skip

# Former Søgne (Tangvall) and Songdalen (Nodeland) staff, employed by the merged Kristiansand
# from 2020-01-01; their rows carry "Kristiansand kommune" like everyone else's.
KRISTIANSAND_MERGED_PLAN = TravelPlan(
    key="kristiansand-merged",
    meetings={2020: 42, 2021: 48},
    others={"Hjemmebesøk": (8, 14)},
    destinations={
        "Møte": (
            ("Kristiansand", 20, 12), ("Mandal", 25, 3), ("Vennesla", 35, 3), ("Lillesand", 50, 2),
        ),
        "Hjemmebesøk": (("Lunde", 6, 2), ("Høllen", 8, 2), ("Finsland", 18, 1)),
    },
    modes=KRISTIANSAND_PLAN.modes,
    units=("Oppvekst", "Helse og mestring"),
    origins=("Tangvall", "Nodeland"),
    emp_range=(60000, 79999),
    staff=40,
    meeting_purpose="Møte",
    rate=rate_norway,
)  # fmt: skip

ODSHERRED_PLAN = TravelPlan(
    key="odsherred",
    meetings={2011: 300, 2012: 285, 2013: 262, 2014: 240, 2015: 222, 2016: 210},
    others={"Kursus": (25, 40)},
    destinations={
        "Møde": (
            ("Holbæk", 35, 12), ("Sorø", 75, 6), ("Roskilde", 65, 5), ("København", 95, 6),
            ("Nykøbing Sj.", 10, 8), ("Asnæs", 15, 6), ("Vig", 12, 4), ("Kalundborg", 50, 3),
            ("Odense", 170, 2), ("Vejle", 250, 1),
        ),
        "Kursus": (
            ("København", 95, 20), ("Odense", 170, 10), ("Aarhus", 300, 5), ("Roskilde", 65, 10),
            ("Vejle", 250, 5),
        ),
    },
    modes={"Møde": (("Egen bil", 85), ("Tog", 15)), "Kursus": (("Egen bil", 60), ("Tog", 40))},
    units=(
        "Administration", "Borgerservice", "Dagtilbud", "Skole", "Ældre og Sundhed",
        "Teknik og Miljø", "IT",
    ),
    origins=("Højby", "Nykøbing Sj.", "Asnæs"),
    emp_range=(1000, 9999),
    staff=120,
    meeting_purpose="Møde",
    rate=rate_denmark,
)  # fmt: skip


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


# --------------------------------------------------------------------------------------------
# 2c: Lync / Skype for Business SessionDetails join exports
# --------------------------------------------------------------------------------------------

LYNC_HEADER = (
    "SessionIdTime", "SessionIdSeq", "FromUri", "ToUri", "InviteTime", "ResponseCode",
    "SessionEndTime", "MediaTypes",
)  # fmt: skip
NO_FIRST = (
    "Ola", "Kari", "Ingrid", "Tor", "Marit", "Lars", "Hilde", "Øyvind", "Siri", "Bjørn",
    "Sigrid", "Espen", "Anne", "Håkon", "Trine", "Geir", "Solveig", "Knut", "Randi", "Eirik",
)  # fmt: skip
NO_LAST = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Egeland", "Aasen", "Haugland", "Tveit", "Lie", "Dale", "Vik", "Bakke", "Moen", "Lunde",
    "Brekke", "Seim", "Lid", "Hylle", "Rokne", "Flatebø", "Gjerme",
)  # fmt: skip
KNUTEPUNKT_DOMAINS = (
    ("kristiansand.kommune.no", 10), ("vennesla.kommune.no", 4), ("sogne.kommune.no", 3),
    ("songdalen.kommune.no", 3), ("lillesand.kommune.no", 3), ("birkenes.kommune.no", 2),
    ("iveland.kommune.no", 2),
)  # fmt: skip
IT_ORGANISER = "tor.egeland@kristiansand.kommune.no"
IT_CONFERENCE = "sip:it-utvalget@kristiansand.kommune.no;gruu;opaque=app:conf:focus:id:F7K2Q9XB"
IT_DATES = ("2013-01-23", "2013-03-13", "2013-05-22", "2013-09-11", "2013-10-23", "2013-12-04")
MEDIA_DURATION = {1: (60, 1200), 8: (300, 3600), 16: (120, 2700), 48: (300, 3600)}
BAD_END_TIME = "2013-13-45 99:00:00"


@dataclass(frozen=True)
class Session:
    """One SessionDetails row (end is None for a failed invite)."""

    start: dt.datetime
    seq: int
    from_uri: str
    to_uri: str
    invite_ms: int
    code: int
    end: dt.datetime | str | None
    media: int

    def row(self) -> tuple:
        invite = self.start + dt.timedelta(milliseconds=self.invite_ms)
        end = self.end if isinstance(self.end, str) else ms_time(self.end) if self.end else "NULL"
        return (
            ms_time(self.start),
            self.seq,
            self.from_uri,
            self.to_uri,
            ms_time(invite),
            self.code,
            end,
            self.media,
        )

    def duration_ms(self) -> int:
        """SessionEndTime - InviteTime in ms (0 for failed or malformed sessions)."""
        if not isinstance(self.end, dt.datetime):
            return 0
        invite = self.start + dt.timedelta(milliseconds=self.invite_ms)
        return (self.end - invite) // dt.timedelta(milliseconds=1)


def sip_users(rng: random.Random, domains: Sequence[tuple[str, int]]) -> list[str]:
    """A pool of user URIs (no sip: prefix, as in the Users table join)."""
    users = set()
    for domain, count in domains:
        while sum(u.endswith("@" + domain) for u in users) < count:
            users.add(f"{fold(rng.choice(NO_FIRST))}.{fold(rng.choice(NO_LAST))}@{domain}")
    return sorted(users)


def office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A random local time between 08:00 and 15:59 with milliseconds."""
    clock = dt.time(rng.randint(8, 15), rng.randint(0, 59), rng.randint(0, 59))
    return dt.datetime.combine(day, clock) + dt.timedelta(milliseconds=rng.randint(0, 999))


def peer_session(rng: random.Random, users: list[str], day: dt.date, phone_prefix: str) -> Session:
    """An ordinary peer-to-peer session (some to phone numbers, some busy)."""
    start = office_time(rng, day)
    media = rng.choices((1, 16, 48, 8), weights=(40, 30, 18, 12))[0]
    caller = rng.choice(users)
    callee = rng.choice([u for u in users if u != caller])
    if media == 16 and rng.random() < 0.2:
        callee = f"{phone_prefix}{rng.randint(100000, 999999)}"
    invite_ms = rng.randint(0, 4)
    if media != 1 and rng.random() < 0.12:
        return Session(start, 1, caller, callee, invite_ms, 486, None, media)
    lo, hi = MEDIA_DURATION[media]
    end = start + dt.timedelta(milliseconds=invite_ms + rng.randint(lo * 1000, hi * 1000))
    return Session(start, 1, caller, callee, invite_ms, 200, end, media)


def same_ms_twins(rng: random.Random, sessions: list[Session], users: list[str], n: int) -> list:
    """Sessions that start in the same millisecond as another one (SessionIdSeq = 2)."""
    twins = []
    for base in rng.sample(sessions, n):
        caller, callee = rng.sample(users, 2)
        end = base.start + dt.timedelta(seconds=rng.randint(60, 900))
        twins.append(Session(base.start, 2, caller, callee, 3, 200, end, 1))
    return twins


def it_committee(rng: random.Random) -> list[Session]:
    """The six IT-utvalget conferences of 2013: audio+video, about half an hour each."""
    sessions = []
    for day in IT_DATES:
        start = dt.datetime.fromisoformat(f"{day} 09:0{rng.randint(0, 4)}:{rng.randint(10, 59)}")
        start += dt.timedelta(milliseconds=rng.randint(0, 999))
        end = start + dt.timedelta(milliseconds=rng.randint(1_680_000, 1_980_000))
        sessions.append(Session(start, 1, IT_ORGANISER, IT_CONFERENCE, 0, 200, end, 48))
    return sessions


def write_lync_knutepunkt(path: Path) -> dict:
    """2c for Knutepunkt Sørlandet 2013: 6 committee conferences, ~200 p2p, 1 malformed row."""
    rng = rng_for("lync:knutepunkt:2013")
    users = sip_users(rng, KNUTEPUNKT_DOMAINS)
    peers = [peer_session(rng, users, workday(rng, 2013), "+4738") for _ in range(197)]
    peers += same_ms_twins(rng, peers, users, 3)
    committee = it_committee(rng)
    broken = peer_session(rng, users, dt.date(2013, 6, 18), "+4738")
    broken = Session(broken.start, 1, broken.from_uri, broken.to_uri, 1, 200, BAD_END_TIME, 16)
    sessions = sorted([*peers, *committee, broken], key=lambda s: (s.start, s.seq))
    write_text(path, csv_text([LYNC_HEADER, *(s.row() for s in sessions)], ",", "\r\n"))
    line = sessions.index(broken) + 2
    summary = session_summary(sessions, exclude=[broken])
    summary["bad_rows"] = [
        {
            "line": line,
            "column": "SessionEndTime",
            "value": BAD_END_TIME,
            "reason": "invalid datetime (month 13, day 45, hour 99)",
        }
    ]
    total_ms = sum(s.duration_ms() for s in committee)
    summary["it_utvalget"] = {
        "organiser": IT_ORGANISER,
        "conference_uri": IT_CONFERENCE,
        "sessions": len(committee),
        "dates": list(IT_DATES),
        "media_types": 48,
        "duration_ms_each": [s.duration_ms() for s in committee],
        "total_duration_ms": total_ms,
        "total_duration_seconds": total_ms / 1000,
        "duration_definition": "SessionEndTime - InviteTime (InviteTime = SessionIdTime here)",
    }
    summary["peer_to_peer_sessions"] = len(peers)
    return summary


def session_summary(sessions: list[Session], exclude: Sequence[Session] = ()) -> dict:
    """Expected figures for a SessionDetails file (malformed rows excluded from figures)."""
    good = [s for s in sessions if s not in exclude]
    return {
        "rows": len(sessions),
        "bad_rows": [],
        "valid_rows": len(good),
        "rows_per_year": by_year(Counter(s.start.year for s in good)),
        "media_types": {str(k): v for k, v in sorted(Counter(s.media for s in good).items())},
        "response_codes": {str(k): v for k, v in sorted(Counter(s.code for s in good).items())},
        "null_end_times": sum(s.end is None for s in good),
        "same_ms_seq2_rows": sum(s.seq == 2 for s in good),
        "total_duration_ms": sum(s.duration_ms() for s in good),
    }


def voss_conference(rng: random.Random, users: list[str], day: dt.date) -> list[Session]:
    """One Skype for Business meeting: the organiser and 1-4 others join the focus."""
    organiser = rng.choice(users)
    conf_id = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    uri = f"sip:{organiser};gruu;opaque=app:conf:focus:id:{conf_id}"
    start = office_time(rng, day).replace(minute=rng.choice((0, 30)))
    end = start + dt.timedelta(minutes=rng.randint(20, 90), milliseconds=rng.randint(0, 999))
    joins = [organiser, *rng.sample([u for u in users if u != organiser], rng.randint(1, 4))]
    media = rng.choice((16, 48, 24))
    rows = []
    for i, who in enumerate(joins):
        delay = dt.timedelta(seconds=i * rng.randint(5, 120), milliseconds=rng.randint(0, 999))
        joined = start + delay
        left = end - dt.timedelta(seconds=rng.randint(0, 60))
        rows.append(Session(joined, 1, who, uri, rng.randint(0, 4), 200, left, media))
    return rows


def write_sfb_voss(path: Path) -> dict:
    """2c for Voss 2017-2019 (Skype for Business): UTF-8 BOM, CRLF, p2p and conference joins."""
    rng = rng_for("sfb:voss")
    users = sip_users(rng, (("voss.kommune.no", 28),))
    sessions, conferences = [], Counter()
    for year, peers, confs in ((2017, 80, 7), (2018, 72, 8), (2019, 64, 9)):
        sessions += [peer_session(rng, users, workday(rng, year), "+4756") for _ in range(peers)]
        for _ in range(confs):
            sessions += voss_conference(rng, users, workday(rng, year))
            conferences[year] += 1
    sessions = sorted(sessions, key=lambda s: (s.start, s.seq, s.from_uri))
    write_text(path, csv_text([LYNC_HEADER, *(s.row() for s in sessions)], ",", "\r\n"), bom=True)
    summary = session_summary(sessions)
    joins = [s for s in sessions if "app:conf:focus" in s.to_uri]
    summary["conference_joins_per_year"] = by_year(Counter(s.start.year for s in joins))
    summary["conferences_per_year"] = by_year(conferences)
    summary["distinct_users"] = len({s.from_uri for s in sessions})
    return summary


# --------------------------------------------------------------------------------------------
# 1a / 1c: Microsoft 365 Teams usage reports
# --------------------------------------------------------------------------------------------

TEAMS_DETAIL_HEADER = (
    "Report Refresh Date", "Tenant Display Name", "Shared Channel Tenant Display Names",
    "User Id", "User Principal Name", "Last Activity Date", "Is Deleted", "Deleted Date",
    "Assigned Products", "Team Chat Message Count", "Private Chat Message Count", "Call Count",
    "Meeting Count", "Post Messages", "Reply Messages", "Urgent Messages",
    "Meetings Organized Count", "Meetings Attended Count", "Ad Hoc Meetings Organized Count",
    "Ad Hoc Meetings Attended Count", "Scheduled One-time Meetings Organized Count",
    "Scheduled One-time Meetings Attended Count", "Scheduled Recurring Meetings Organized Count",
    "Scheduled Recurring Meetings Attended Count", "Audio Duration", "Video Duration",
    "Screen Share Duration", "Audio Duration In Seconds", "Video Duration In Seconds",
    "Screen Share Duration In Seconds", "Has Other Action", "Is Licensed", "Report Period",
)  # fmt: skip
PRODUCTS = (
    "MICROSOFT 365 E3", "MICROSOFT 365 F3", "OFFICE 365 E1",
    "MICROSOFT 365 E3+MICROSOFT TEAMS PHONE STANDARD", "MICROSOFT 365 E5",
)  # fmt: skip


@dataclass(frozen=True)
class TeamsUser:
    """A Voss herad user (shared by the Teams report and the PSTN export)."""

    upn: str
    name: str
    object_id: str
    number: str


def voss_users(n: int = 40) -> list[TeamsUser]:
    """Deterministic Voss herad users with UPNs, display names, ids and phone numbers."""
    rng = rng_for("teams:voss:users")
    users, seen = [], set()
    while len(users) < n:
        first, last = rng.choice(NO_FIRST), rng.choice(NO_LAST)
        upn = f"{fold(first)}.{fold(last)}@voss.herad.no"
        if upn not in seen:
            seen.add(upn)
            number = f"+4756{rng.randint(510000, 539999)}"
            users.append(TeamsUser(upn, f"{first} {last}", new_uuid(rng), number))
    return users


def split_count(rng: random.Random, total: int) -> tuple[int, int, int]:
    """Break a meeting count into ad hoc / one-time / recurring, leaving some unclassified."""
    classified = total - (rng.randint(0, 1) if total else 0)
    adhoc = rng.randint(0, classified)
    once = rng.randint(0, classified - adhoc)
    return adhoc, once, classified - adhoc - once


def active_user_row(rng: random.Random, user: TeamsUser) -> list:
    """Counts for a licensed, active user over the 30-day period."""
    attended = rng.randint(0, 40)
    organised = rng.randint(0, min(attended, 15))
    calls = rng.randint(0, 25)
    audio = attended * rng.randint(600, 3600) + calls * rng.randint(60, 600)
    video = audio * rng.randint(0, 70) // 100
    screen = audio * rng.randint(0, 25) // 100
    team_chat = rng.randint(0, 60)
    posts = rng.randint(0, team_chat // 3)
    replies = rng.randint(0, team_chat - posts)
    org, att = split_count(rng, organised), split_count(rng, attended)
    last = dt.date(2024, 3, rng.randint(4, 29))
    return [
        last.isoformat(), "False", "", rng.choice(PRODUCTS), team_chat, rng.randint(0, 400),
        calls, attended, posts, replies, rng.randint(0, 2), organised, attended,
        org[0], att[0], org[1], att[1], org[2], att[2],
        iso_duration(audio), iso_duration(video), iso_duration(screen), audio, video, screen,
        rng.choice(("Yes", "No")), "Yes",
    ]  # fmt: skip


def idle_user_row(rng: random.Random, deleted: bool) -> list:
    """Counts for an inactive (still licensed) or a deleted user."""
    last = "" if deleted else dt.date(2024, 2, rng.randint(1, 28)).isoformat()
    deleted_on = dt.date(2024, 3, rng.randint(2, 20)).isoformat() if deleted else ""
    products = "" if deleted else rng.choice(PRODUCTS)
    return [
        last,
        str(deleted),
        deleted_on,
        products,
        *[0] * 15,
        "PT0S",
        "PT0S",
        "PT0S",
        0,
        0,
        0,
        "No",
        "No" if deleted else "Yes",
    ]


def write_teams_user_activity(path: Path) -> dict:
    """1a for Voss herad, March 2024: 40 users, UTF-8 BOM, CRLF, 33 columns."""
    rng = rng_for("teams:voss:activity")
    rows = []
    for i, user in enumerate(voss_users()):
        if i in (17, 33):
            values = idle_user_row(rng, deleted=True)
        elif i in (8, 26):
            values = idle_user_row(rng, deleted=False)
        else:
            values = active_user_row(rng, user)
        rows.append(["2024-03-31", "Voss herad", "", user.object_id, user.upn, *values, 30])
    assert all(len(r) == len(TEAMS_DETAIL_HEADER) == 33 for r in rows)
    write_text(path, csv_text([TEAMS_DETAIL_HEADER, *rows], ",", "\r\n"), bom=True)
    col = {name: i for i, name in enumerate(TEAMS_DETAIL_HEADER)}

    def total(name: str) -> int:
        return sum(r[col[name]] for r in rows)

    return {
        "rows": len(rows),
        "bad_rows": [],
        "columns": len(TEAMS_DETAIL_HEADER),
        "tenant": "Voss herad",
        "report_refresh_date": "2024-03-31",
        "report_period": 30,
        "deleted_users": sum(r[col["Is Deleted"]] == "True" for r in rows),
        "licensed_users": sum(r[col["Is Licensed"]] == "Yes" for r in rows),
        "meeting_count": total("Meeting Count"),
        "meetings_organized": total("Meetings Organized Count"),
        "meetings_attended": total("Meetings Attended Count"),
        "call_count": total("Call Count"),
        "audio_seconds": total("Audio Duration In Seconds"),
        "video_seconds": total("Video Duration In Seconds"),
        "screen_share_seconds": total("Screen Share Duration In Seconds"),
    }


TEAMS_COUNTS_HEADER = (
    "Report Refresh Date", "Report Date", "Team Chat Messages", "Private Chat Messages", "Calls",
    "Meetings", "Meetings Organized Count", "Meetings Attended Count", "Audio Duration",
    "Video Duration", "Screen Share Duration", "Post Messages", "Reply Messages", "Report Period",
)  # fmt: skip


def activity_day(rng: random.Random, day: dt.date) -> tuple[list, tuple[int, ...]]:
    """One day of tenant-wide counts; weekends and holidays have no meetings, empty durations."""
    if day.weekday() >= 5 or is_holiday(day):
        chats = (rng.randint(0, 4), rng.randint(0, 12))
        row = [day.isoformat(), *chats, 0, 0, 0, 0, "", "", "", 0, 0]
        return row, (0, 0, 0, 0, 0, 0)
    calls, meetings = rng.randint(10, 40), rng.randint(30, 90)
    organised = rng.randint(8, 25)
    audio = meetings * rng.randint(1800, 3000) + calls * rng.randint(120, 300)
    video = audio * rng.randint(20, 40) // 100
    screen = audio * rng.randint(5, 15) // 100
    row = [
        day.isoformat(), rng.randint(20, 90), rng.randint(300, 900), calls, meetings, organised,
        meetings, iso_duration(audio), iso_duration(video), iso_duration(screen),
        rng.randint(3, 12), rng.randint(5, 20),
    ]  # fmt: skip
    return row, (calls, meetings, organised, audio, video, screen)


def write_teams_activity_counts(path: Path) -> dict:
    """1c for Odsherred: 28 daily rows (newest first) though the period says 30."""
    rng = rng_for("teams:odsherred:counts")
    days = [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(28)]
    rows, sums = [], [0] * 6
    for day in days:
        row, figures = activity_day(rng, day)
        rows.append(["2024-03-29", *row, 30])
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
    rows.reverse()
    write_text(path, csv_text([TEAMS_COUNTS_HEADER, *rows]), bom=True)
    return {
        "rows": len(rows),
        "bad_rows": [],
        "report_refresh_date": "2024-03-29",
        "report_period": 30,
        "first_report_date": "2024-03-01",
        "last_report_date": "2024-03-28",
        "zero_days": sum(r[5] == 0 for r in rows),
        "calls": sums[0],
        "meetings": sums[1],
        "meetings_organized": sums[2],
        "meetings_attended": sums[1],
        "audio_seconds": sums[3],
        "video_seconds": sums[4],
        "screen_share_seconds": sums[5],
    }


# --------------------------------------------------------------------------------------------
# 2a: Teams PSTN usage export (zip)
# --------------------------------------------------------------------------------------------

PSTN_HEADER = (
    "UsageId", "Call ID", "Conference ID", "User Location", "AAD ObjectId", "UPN",
    "User Display Name", "Caller ID", "Call Type", "Number Type", "Domestic/International",
    "Destination Dialed", "Destination Number", "Start Time", "End Time", "Duration Seconds",
    "Connection Fee", "Charge", "Currency", "Capability",
)  # fmt: skip
DK_FIRST = ("Mette", "Lars", "Jens", "Hanne", "Søren", "Pia", "Anders", "Kirsten", "Henrik", "Lone")
DK_LAST = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Christensen", "Sørensen", "Rasmussen")
CALL_TYPES = (
    ("user_out", 42), ("user_in", 32), ("conf_in", 9), ("conf_out", 3),
    ("user_out_transfer", 5), ("user_out_forwarding", 5), ("user_out_conf", 4),
)  # fmt: skip


@dataclass(frozen=True)
class Tenant:
    """Country settings for PSTN rows."""

    location: str
    currency: str
    country: str
    prefix: str
    rate_cents: int  # per started minute for outbound domestic calls


NORWAY = Tenant("NO", "NOK", "Norway", "+4756", 19)
DENMARK = Tenant("DK", "DKK", "Denmark", "+4559", 12)


def odsherred_users(n: int = 10) -> list[TeamsUser]:
    """Odsherred users; every third display name is 'Last, First' (needs RFC-4180 quoting)."""
    rng = rng_for("pstn:odsherred:users")
    users, seen = [], set()
    while len(users) < n:
        first, last = rng.choice(DK_FIRST), rng.choice(DK_LAST)
        upn = f"{fold(first)}.{fold(last)}@odsherred.dk"
        if upn not in seen:
            seen.add(upn)
            name = f"{last}, {first}" if len(users) % 3 == 0 else f"{first} {last}"
            users.append(TeamsUser(upn, name, new_uuid(rng), f"+4559{rng.randint(660000, 669999)}"))
    return users


def pstn_time(moment: dt.datetime, fraction: str) -> str:
    """ISO-8601 UTC with 7 fractional digits or none."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{fraction}Z" if fraction else f"{base}Z"


def pstn_row(rng: random.Random, user: TeamsUser | None, tenant: Tenant, call_type: str) -> list:
    """One PSTN usage row; ``user`` None gives a bot (ucap_in) row with empty user fields."""
    day = workday(rng, 2024, 3)
    clock = dt.time(rng.randint(6, 14), rng.randint(0, 59), rng.randint(0, 59))
    start = dt.datetime.combine(day, clock)
    seconds = rng.randint(8, 1800) if call_type != "conf_in" else rng.randint(600, 3600)
    end = start + dt.timedelta(seconds=seconds)
    fraction = f"{rng.randint(0, 9_999_999):07d}" if rng.random() < 0.7 else ""
    external = f"{tenant.prefix}{rng.randint(100000, 999999)}"
    own = user.number if user else f"{tenant.prefix}000100"
    outbound = call_type.startswith(("user_out", "conf_out"))
    caller, dialled = (own, external) if outbound else (external, own)
    charge = -(-seconds // 60) * tenant.rate_cents if outbound else 0
    number_type = "TollFree" if call_type == "conf_in" and rng.random() < 0.5 else "Subscriber"
    if call_type == "conf_in" and number_type == "TollFree":
        charge = -(-seconds // 60) * 5
    capability = {"conf_in": "MCOMEETADD", "conf_out": "MCOMEETADD", "ucap_in": "MCOCAP"}
    ip = f"10.{rng.randint(0, 9)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    return [
        new_uuid(rng), f"{rng.randint(10**9, 2 * 10**9)}_{rng.randint(10**8, 10**9)}@{ip}",
        rng.randint(100_000_000, 999_999_999) if call_type.startswith("conf") else "",
        tenant.location, user.object_id if user else "", user.upn if user else "",
        user.name if user else "", caller, call_type, number_type, "Domestic", tenant.country,
        dialled, pstn_time(start, fraction), pstn_time(end, fraction), seconds, "0.00",
        fmt_fixed(charge, 2, comma=False), tenant.currency,
        capability.get(call_type, "MCOPSTN1" if tenant is NORWAY else "MCOPSTN2"),
    ]  # fmt: skip


def pstn_rows() -> list[list]:
    """117 user rows (Voss and Odsherred) plus 3 ucap_in rows, sorted by start time."""
    rng = rng_for("pstn:2024-03")
    voss = voss_users()[:15]
    dk = odsherred_users()
    kinds, weights = zip(*CALL_TYPES, strict=True)
    rows = []
    for i in range(117):
        user, tenant = (rng.choice(voss), NORWAY) if i % 2 == 0 else (rng.choice(dk), DENMARK)
        rows.append(pstn_row(rng, user, tenant, rng.choices(kinds, weights=weights)[0]))
    rows += [pstn_row(rng, None, t, "ucap_in") for t in (NORWAY, DENMARK, NORWAY)]
    return sorted(rows, key=lambda r: (r[13], r[0]))


def write_pstn_zip(path: Path) -> dict:
    """2a: Calls.Export.{id}.zip with PSTN.calls.{date}.csv (RFC-4180) and parameters.json."""
    rows = pstn_rows()
    csv_bytes = csv_text([PSTN_HEADER, *rows], ",", "\r\n").encode("utf-8")
    parameters = {
        "ReportName": "PSTN and Direct Routing usage",
        "ReportType": "PSTN",
        "StartDate": "2024-03-01T00:00:00Z",
        "EndDate": "2024-03-31T23:59:59Z",
        "TimeZone": "UTC",
        "ExportId": "7f3a2c",
        "ExportedAt": "2024-04-02T06:00:00Z",
    }
    params = (json.dumps(parameters, indent=2) + "\n").encode("utf-8")
    inner = "PSTN.calls.2024-03-31.csv"
    path.write_bytes(fixed_zip([(inner, csv_bytes), ("parameters.json", params)]))
    return pstn_summary(rows, inner)


def pstn_summary(rows: list[list], inner: str) -> dict:
    """Expected figures for the PSTN export."""
    col = {name: i for i, name in enumerate(PSTN_HEADER)}
    seconds, charges = Counter(), Counter()
    for r in rows:
        domain = r[col["UPN"]].split("@")[1] if r[col["UPN"]] else ""
        seconds[domain] += r[col["Duration Seconds"]]
        charges[r[col["Currency"]]] += round(float(r[col["Charge"]]) * 100)
    return {
        "rows": len(rows),
        "bad_rows": [],
        "members": [inner, "parameters.json"],
        "csv_member": inner,
        "call_types": dict(sorted(Counter(r[col["Call Type"]] for r in rows).items())),
        "rows_without_upn": sum(not r[col["UPN"]] for r in rows),
        "currencies": dict(sorted(Counter(r[col["Currency"]] for r in rows).items())),
        "duration_seconds_total": sum(seconds.values()),
        "duration_seconds_by_upn_domain": {k or "(none)": v for k, v in sorted(seconds.items())},
        "charge_by_currency": {k: v / 100 for k, v in sorted(charges.items())},
        "quoted_display_names": sum("," in str(r[col["User Display Name"]]) for r in rows),
    }


# --------------------------------------------------------------------------------------------
# A4: resfritt's own summary template
# --------------------------------------------------------------------------------------------

TEMPLATE_HEADER = (
    "Kommunkod", "Period från", "Period till", "Plattform", "Antal möten", "Antal deltagare",
    "Total tid (min)",
)  # fmt: skip
TEMPLATE_ROWS = (
    ("306", 2011, "lync", 120, 402, 5_160),
    ("306", 2012, "lync", 480, 1_630, 21_600),
    ("306", 2013, "lync", 1_150, 3_910, 50_600),
    ("306", 2014, "lync", 1_600, 5_440, 68_800),
    ("306", 2015, "lync", 1_900, 6_270, 79_800),
    ("1001", 2012, "lync", 2_450, 7_840, 98_000),
)


def write_template(path: Path) -> dict:
    """A4: sheet 'Data', codes as text, real date cells, one row per code, year and platform."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Data"
    sheet.append(list(TEMPLATE_HEADER))
    for code, year, platform, meetings, people, minutes in TEMPLATE_ROWS:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        sheet.append([code, start, end, platform, meetings, people, minutes])
        for column in (2, 3):
            sheet.cell(sheet.max_row, column).number_format = "yyyy-mm-dd"
    save_xlsx(wb, path)
    figures: dict[str, dict[str, int]] = defaultdict(dict)
    for code, year, _, meetings, _, _ in TEMPLATE_ROWS:
        figures[code][str(year)] = meetings
    return {
        "rows": len(TEMPLATE_ROWS),
        "bad_rows": [],
        "sheet": "Data",
        "meetings_per_code_per_year": dict(figures),
        "participants_total": sum(r[4] for r in TEMPLATE_ROWS),
        "minutes_total": sum(r[5] for r in TEMPLATE_ROWS),
    }


DECLARATION_HEADER = (
    "Kommunenummer", "Periode fra", "Periode til", "Plattform", "Antall møter",
    "Antall deltakere", "Total tid (minutter)", "Erstattede reiser", "Km tur-retur per reise",
)  # fmt: skip
# Knutepunkt's IT-utvalget (seed 000): six meetings in 2013 of the host and six IT leaders who no
# longer drove 60 km to Kristiansand: 6 x 6 = 36 declared trips of 60 km (2,160 km).
DECLARATION_ROW = ("1001", "01.01.2013", "31.12.2013", "lync", 6, 42, 180, 36, 60)


def write_declaration(path: Path) -> dict:
    """A4 as CSV, in Norwegian: a template row that declares the trips its meetings replaced."""
    lines = [";".join(DECLARATION_HEADER), ";".join(str(v) for v in DECLARATION_ROW)]
    write_text(path, "\r\n".join(lines) + "\r\n")
    trips, km = DECLARATION_ROW[7], DECLARATION_ROW[8]
    return {
        "rows": 1,
        "bad_rows": [],
        "declared_trips": trips,
        "declared_km": trips * km,
    }


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------

WRITERS = (
    ("telia_videomote_2011-2013.csv", write_telia_2011_2013),
    ("telia_videomote_2014.xlsx", write_telia_2014),
    ("telia_videomote_2015-2024.csv", write_telia_2015_2024),
    ("telia_telemote_webb_2016.csv", write_telemote_2016),
    ("resor_falun_2011-2024.csv", write_falun),
    ("resor_borlange_2011-2016.xlsx", write_borlange),
    ("reiser_kristiansand_2011-2021.csv", write_kristiansand),
    ("rejser_odsherred_2011-2016.csv", write_odsherred),
    ("lync_sessiondetails_knutepunkt_2013.csv", write_lync_knutepunkt),
    ("sfb_sessiondetails_voss_2017-2019.csv", write_sfb_voss),
    ("teams_user_activity_voss_2024-03.csv", write_teams_user_activity),
    ("odsherred/teams_activity_counts_odsherred_2024.csv", write_teams_activity_counts),
    ("Calls.Export.7f3a2c.zip", write_pstn_zip),
    ("resfritt_mal_odsherred_2011-2015.xlsx", write_template),
    ("resfritt_mal_knutepunkt_2013.csv", write_declaration),
)

README_ROWS = {
    "telia_videomote_2011-2013.csv": ("A1 video rooms", "Windows-1252", "`;`",
        "title block + blank line, CRLF, decimal comma, `h:mm`, genitive names, "
        "`Summa` row with space thousands"),
    "telia_videomote_2014.xlsx": ("A1 video rooms", "xlsx", "-",
        "sheet `Statistik` (title rows 1-4, header row 5), numeric counts, `Summa` row, "
        "second sheet `Info`"),
    "telia_videomote_2015-2024.csv": ("A1 video rooms (English)", "UTF-8 BOM", "`,`",
        "LF, no title block, municipality code as organisation, decimal point, `Total` row, "
        "some rows above 99 hours"),
    "telia_telemote_webb_2016.csv": ("A2 web conferences", "UTF-8", "`;`",
        "LF, host e-mail domain gives the municipality; 2 bad rows (lines {bad})"),
    "resor_falun_2011-2024.csv": ("A3 travel (SE)", "Windows-1252", "`;`",
        "`Kommun: Falun (2080)` + blank line, CRLF, decimal comma, ISO dates"),
    "resor_borlange_2011-2016.xlsx": ("A3 travel (SE)", "xlsx", "-",
        "sheet `Reseräkningar`, `Kommun` column, real date cells, numeric km/amounts"),
    "reiser_kristiansand_2011-2021.csv": ("A3 travel (NO)", "UTF-8", "`;`",
        "LF, `dd.mm.yyyy`, decimal comma, `Kommune` column; ex-Søgne/Songdalen staff from 2020"),
    "rejser_odsherred_2011-2016.csv": ("A3 travel (DK)", "UTF-8", "`;`",
        "title line (no blank), CRLF, `dd-mm-yyyy`, amounts like `1.234,50`"),
    "lync_sessiondetails_knutepunkt_2013.csv": ("2c Lync CDR", "UTF-8", "`,`",
        "CRLF, `NULL` end times, SessionIdSeq 2, 6 IT-utvalget conferences; "
        "1 bad row (line {bad})"),
    "sfb_sessiondetails_voss_2017-2019.csv": ("2c Skype for Business CDR", "UTF-8 BOM", "`,`",
        "CRLF, p2p sessions and conference joins, `NULL` end times"),
    "teams_user_activity_voss_2024-03.csv": ("1a Teams user detail", "UTF-8 BOM", "`,`",
        "CRLF, 33 columns, ISO durations + seconds, deleted and idle users"),
    "odsherred/teams_activity_counts_odsherred_2024.csv": (
        "1c Teams daily counts", "UTF-8 BOM", "`,`",
        "LF, newest first, empty durations on zero days, period 30 but 28 rows, no tenant"),
    "Calls.Export.7f3a2c.zip": ("2a Teams PSTN", "zip / UTF-8", "`,`",
        "RFC-4180 CSV (CRLF, quoted `Last, First` names) + parameters.json, UTC times, "
        "NOK and DKK, 3 `ucap_in` rows without user"),
    "resfritt_mal_odsherred_2011-2015.xlsx": ("A4 resfritt template", "xlsx", "-",
        "sheet `Data`, codes as text, real date cells"),
    "resfritt_mal_knutepunkt_2013.csv": ("A4 resfritt template (NO)", "UTF-8", "`;`",
        "CRLF, `dd.mm.yyyy`, declares IT-utvalget's 36 replaced trips of 60 km"),
}  # fmt: skip


def write_readme(path: Path, files: dict[str, dict]) -> None:
    """data/raw/README.md: one table row per bundled file."""
    lines = [
        "# Bundled sample exports",
        "",
        "Invented but realistic exports generated by `scripts/make_samples.py` (deterministic;",
        "do not edit by hand, re-run the script). Expected figures: `tests/expected_samples.json`.",
        "Layouts: `FORMATS.md`. Rooms map to municipalities through `data/reference/rooms.csv`.",
        "",
        "| File | Kind | Encoding | Separator | Quirks | Rows |",
        "|---|---|---|---|---|---|",
    ]
    for name, info in files.items():
        kind, encoding, sep, quirks = README_ROWS[name]
        quirks = quirks.replace("{bad}", ", ".join(str(b["line"]) for b in info["bad_rows"]))
        lines.append(f"| `{name}` | {kind} | {encoding} | {sep} | {quirks} | {info['rows']} |")
    lines += ["", "`Rows` counts data rows only (no title, header, blank or totals lines).", ""]
    write_text(path, "\n".join(lines))


def combined_figures(files: dict[str, dict]) -> dict:
    """Cross-file figures: video meetings and meeting trips per municipality and year."""
    video: dict[str, Counter] = defaultdict(Counter)
    for name in (
        "telia_videomote_2011-2013.csv",
        "telia_videomote_2014.xlsx",
        "telia_videomote_2015-2024.csv",
    ):
        for code, years in files[name]["meetings_per_code_per_year"].items():
            video[code].update({int(y): n for y, n in years.items()})
    travel: dict[str, dict[str, int]] = {}
    for name in (
        "resor_falun_2011-2024.csv",
        "resor_borlange_2011-2016.xlsx",
        "rejser_odsherred_2011-2016.csv",
    ):
        travel[files[name]["municipality_code"]] = files[name]["meeting_trips_per_year"]
    norway = files["reiser_kristiansand_2011-2021.csv"]["meeting_trips_per_year"]
    travel["1001"] = {y: n for y, n in norway.items() if int(y) <= 2019}
    travel["4204"] = {y: n for y, n in norway.items() if int(y) >= 2020}
    totals = sum(video.values(), Counter())
    return {
        "video_meetings_per_code_per_year": {c: by_year(video[c]) for c in sorted(video)},
        "video_meetings_per_year": by_year(totals),
        "travel_meeting_trips_per_code_per_year": dict(sorted(travel.items())),
        "oracles": {
            "dalarna_video_meetings_2014": totals[2014],
            "dalarna_municipalities_with_video_2014": sum(1 for c in video if video[c][2014]),
            "falun_meeting_trips_2011": travel["2080"]["2011"],
            "falun_meeting_trips_2015": travel["2080"]["2015"],
            "falun_measured_reduction_2015": round(
                1 - travel["2080"]["2015"] / travel["2080"]["2011"], 4
            ),
            "knutepunkt_it_utvalget_sessions_2013": files[
                "lync_sessiondetails_knutepunkt_2013.csv"
            ]["it_utvalget"]["sessions"],
        },
    }


def main() -> None:
    """Write every sample file, the room reference, the README and the expected figures."""
    RAW.mkdir(parents=True, exist_ok=True)
    REFERENCE.mkdir(parents=True, exist_ok=True)
    EXPECTED.parent.mkdir(parents=True, exist_ok=True)
    (RAW / "odsherred").mkdir(exist_ok=True)
    files = {name: writer(RAW / name) for name, writer in WRITERS}
    rooms = write_rooms(REFERENCE / "rooms.csv")
    write_readme(RAW / "README.md", files)
    expected = {
        "generator": "scripts/make_samples.py",
        "seed": SEED,
        "notes": [
            "Line numbers are 1-based physical lines (xlsx: sheet row numbers).",
            "Years are JSON strings; km and amounts are exact decimals rendered as numbers.",
            "Travel 'meeting' means the file's meeting purpose (Möte/Møte/Møde).",
            "Kristiansand trips are keyed 1001 until 2019 and 4204 from 2020.",
        ],
        "reference": {"rooms.csv": {"rows": rooms}},
        "files": files,
        **combined_figures(files),
    }
    write_text(EXPECTED, json.dumps(expected, ensure_ascii=False, indent=2) + "\n")
    total = sum((RAW / name).stat().st_size for name in files)
    print(f"wrote {len(files)} files to {RAW} ({total / 1e6:.2f} MB), expected -> {EXPECTED}")


if __name__ == "__main__":
    main()

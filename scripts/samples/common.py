"""Shared helpers for the sample generator: seeded RNG, formatting, containers, municipalities."""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import io
import random
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

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

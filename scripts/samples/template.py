"""A4: resfritt's own summary template and declaration files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook

from samples.common import save_xlsx, write_text

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

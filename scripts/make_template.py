"""Write resfritt's own Excel template, ``data/templates/resfritt_mall.xlsx``
(docs/vendor-formats.md A4).

The header row is drawn from ``schemas/resfritt_template.toml`` (each column's first alias, the
Swedish name), so the template and the contract cannot drift apart. The workbook has a data sheet
with the header, drop-down validation on ``Plattform`` (the contract's allowed values), whole
numbers and dates checked by Excel, and an instructions sheet. The output is byte-identical on
every run (fixed document properties and zip timestamps). Run::

    .venv/bin/python scripts/make_template.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_samples import save_xlsx  # noqa: E402  (fixed timestamps, shared with the samples)

from schemas import contract_for  # noqa: E402

TARGET = ROOT / "data" / "templates" / "resfritt_mall.xlsx"
DATA_SHEET = "Data"
INSTRUCTIONS_SHEET = "Instruktioner"
DATA_ROWS = 1000  # rows that carry the validations
INSTRUCTIONS = (
    "resfritt – mall för sammanfattande mötesstatistik",
    "",
    "Använd mallen när kommunen bara har summerade siffror (t.ex. '1 174 möten 2014').",
    "Fyll i en rad per kommun, period och plattform på bladet 'Data'. Ändra inte rubrikraden.",
    "",
    "Kommunkod: kommunens kod (SCB, SSB eller Danmarks Statistik), t.ex. 2080, 0926 eller 306.",
    "  Skriv koden som text så att inledande nollor behålls; namnet ('Falu kommun') går också.",
    "Period från / Period till: första och sista dagen i perioden, ÅÅÅÅ-MM-DD.",
    "Plattform: välj i listan (videorum, webbmöte, telefoni, Lync, Skype, Teams, Zoom, ...).",
    "Antal möten: hela möten under perioden. Antal deltagare: summan av deltagare (frivillig).",
    "Total tid (min): sammanlagd mötestid i minuter (frivillig).",
    "",
    "Lägg den ifyllda filen i data/raw/. Rader som inte går att läsa hamnar i ops.quarantine",
    "med rad, kolumn och orsak; inga rader tas bort i tysthet.",
    "",
    "English: one row per municipality, period and platform; keep the header row as it is.",
    "Norsk/dansk: én rad per kommune, periode og plattform; ikke endre overskriftsraden.",
)


def header() -> list[str]:
    """The template's header cells: the first alias of every contract column."""
    return [column.aliases[0] for column in contract_for("resfritt_template").columns]


def build_template() -> Workbook:
    """The workbook: a data sheet with validations and an instructions sheet."""
    contract = contract_for("resfritt_template")
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    data.append(header())
    for index, column in enumerate(contract.columns, start=1):
        letter = get_column_letter(index)
        data.cell(1, index).font = Font(bold=True)
        data.column_dimensions[letter].width = max(14, len(column.aliases[0]) + 4)
        cells = f"{letter}2:{letter}{DATA_ROWS + 1}"
        if column.name == "municipality":
            for row in range(2, DATA_ROWS + 2):
                data.cell(row, index).number_format = "@"
        elif column.allowed:
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(column.allowed) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Plattform",
                error="Välj en plattform ur listan.",
            )
            rule.add(cells)
            data.add_data_validation(rule)
        elif column.type == "date":
            rule = DataValidation(type="date", operator="greaterThan", formula1="1")
            rule.error = "Skriv ett datum, ÅÅÅÅ-MM-DD."
            rule.add(cells)
            data.add_data_validation(rule)
            for row in range(2, DATA_ROWS + 2):
                data.cell(row, index).number_format = "yyyy-mm-dd"
        elif column.type in ("integer", "duration"):
            rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
            rule.error = "Skriv ett heltal, 0 eller mer."
            rule.add(cells)
            data.add_data_validation(rule)
    data.freeze_panes = "A2"
    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    for line in INSTRUCTIONS:
        notes.append([line])
    notes["A1"].font = Font(bold=True)
    notes.column_dimensions["A"].width = 100
    return book


def write_template(path: Path = TARGET) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_xlsx(build_template(), path)
    return path


if __name__ == "__main__":
    print(write_template().relative_to(ROOT))

"""Editable reference CSV files (municipalities, programmes, targets, factors) into ref.* tables."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..db import ident, lit


@dataclass(frozen=True)
class RefColumn:
    """One column of a reference file: its type, whether every row needs a value, its range."""

    type: str = "varchar"  # varchar | integer | double | date | boolean
    required: bool = False
    min: float | None = None
    max: float | None = None


TEXT, KEY = RefColumn(), RefColumn(required=True)
DAY = RefColumn("date", required=True)
YEAR = RefColumn("integer", required=True, min=1000, max=9999)


@dataclass(frozen=True)
class ReferenceTable:
    """One CSV file in the reference folder and the typed table it becomes. Its columns are
    found by their header names (in any order; other columns are ignored) and checked, with
    every value, before a run uses the file."""

    name: str
    description: str
    columns: dict[str, RefColumn]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


# One entry per reference file: a new file or column is one more entry or key here.
REFERENCE_TABLES = (
    ReferenceTable(
        "municipalities",
        "Municipalities with their codes, validity periods, successors after mergers, e-mail/SIP "
        "domains and the names exports use for them.",
        {
            "code": KEY,
            "name": KEY,
            "country": KEY,
            "valid_from": DAY,
            "valid_to": DAY,
            "successor_code": TEXT,
            "domains": TEXT,
            "aliases": TEXT,
            "currency": TEXT,
            "source": TEXT,
        },
    ),
    ReferenceTable(
        "rooms",
        "Video rooms and the municipality each belongs to, for exports that name only the room.",
        {"room": KEY, "municipality_code": KEY, "valid_from": DAY, "valid_to": DAY},
    ),
    ReferenceTable(
        "programmes",
        "Programmes (Vi möts resfritt, Knutepunkt Sørlandet, ...) with their baseline year.",
        {
            "programme": KEY,
            "name": KEY,
            "baseline_year": YEAR,
            "country": KEY,
            "baseline_energy_mwh": RefColumn("double", min=0),
            "source": TEXT,
        },
    ),
    ReferenceTable(
        "programme_members",
        "Which municipality (today's code) belongs to which programme.",
        {"programme": KEY, "municipality_code": KEY},
    ),
    ReferenceTable(
        "targets",
        "Stepped targets: from this year on, the metric (trips to meetings, energy, road CO2) is "
        "to be this much lower than in the baseline year; scope says what the target covers.",
        {
            "programme": KEY,
            "from_year": YEAR,
            "reduction_pct": RefColumn("double", required=True, min=0, max=100),
            "metric": KEY,
            "scope": TEXT,
            "source": TEXT,
        },
    ),
    ReferenceTable(
        "factors",
        "Emission, energy, cost and substitution factors per country and year, with unit and "
        "source.",
        {
            "factor": KEY,
            "country": KEY,
            "year_from": YEAR,
            "year_to": YEAR,
            "value": RefColumn("double", required=True),
            "unit": TEXT,
            "source": TEXT,
            "version": TEXT,
            "method": TEXT,
        },
    ),
    ReferenceTable(
        "distances",
        "Round-trip distances town hall to town hall between programme municipalities (to_code "
        "empty = a municipality's default trip to a meeting), with validity years and version.",
        {
            "from_code": KEY,
            "to_code": TEXT,
            "round_trip_km": RefColumn("double", required=True, min=0),
            "year_from": YEAR,
            "year_to": YEAR,
            "source": TEXT,
            "version": TEXT,
        },
    ),
    ReferenceTable(
        "calibration",
        "Years kept out of (calibrate = false) the calibration of a municipality's substitution "
        "rate, and why (pandemic, platform change); municipality_code * means every municipality.",
        {
            "municipality_code": KEY,
            "year_from": YEAR,
            "year_to": YEAR,
            "calibrate": RefColumn("boolean", required=True),
            "reason": KEY,
            "source": TEXT,
        },
    ),
    ReferenceTable(
        "employees",
        "Employees (full-time equivalents) per municipality (today's code) and year, for figures "
        "per employee as REMM and Miljöbarometern report them.",
        {
            "municipality_code": KEY,
            "year": YEAR,
            "employees": RefColumn("double", required=True, min=0),
            "unit": TEXT,
            "source": TEXT,
            "version": TEXT,
        },
    ),
)

VALUE_PATTERNS = {
    "integer": (re.compile(r"[+-]?\d+"), "a whole number"),
    "double": (re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"), "a number (1234.5)"),
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), "a date (2015-01-31)"),
    "boolean": (re.compile(r"true|false", re.IGNORECASE), "true or false"),
}


class ReferenceError(ValueError):
    """A reference CSV is missing or malformed; the message names the file and what to fix."""


def check_reference(folder: Path, tables: tuple[ReferenceTable, ...] = REFERENCE_TABLES) -> None:
    """Check every reference file (header, cells, types, ranges) before any is loaded."""
    for table in tables:
        read_reference_header(folder / table.file_name, table)
        _check_rows(folder / table.file_name, table)


def read_reference_header(path: Path, table: ReferenceTable) -> list[str]:
    """The file's header names, after checking each declared column is there exactly once."""
    if not path.exists():
        raise ReferenceError(f"{path}: reference file missing; restore it from git or create it")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    for name in table.columns:
        if name not in header:
            raise ReferenceError(
                f'{path}, line 1 (the header): column "{name}" is missing (the header has '
                f"{', '.join(header) or 'no columns'}); add it: columns are found by name, "
                "in any order"
            )
        if header.count(name) > 1:
            raise ReferenceError(
                f'{path}, line 1 (the header): column "{name}" appears twice; keep one'
            )
    return header


def _check_rows(path: Path, table: ReferenceTable) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        positions = {name: header.index(name) for name in table.columns}
        start = 2
        for cells in reader:
            if any(c.strip() for c in cells):
                _check_row(path, start, cells, len(header), positions, table)
            start = reader.line_num + 1


def _check_row(path, line: int, cells, width: int, positions, table: ReferenceTable) -> None:
    if len(cells) != width:
        raise ReferenceError(
            f"{path}, line {line}: {len(cells)} cells but the header has {width}; look for a "
            "comma that should be inside quotes, or a missing cell"
        )
    for name, column in table.columns.items():
        problem = _cell_problem(cells[positions[name]], column)
        if problem:
            value = cells[positions[name]]
            raise ReferenceError(
                f'{path}, line {line}, column "{name}": {value!r} {problem}; correct that cell '
                "(no export file needs changing)"
            )


def _cell_problem(value: str, column: RefColumn) -> str | None:
    """Why a cell does not fit its column, in words, or None."""
    if value == "":
        return "is empty, but this column needs a value" if column.required else None
    if column.type == "varchar":
        return None
    pattern, words = VALUE_PATTERNS[column.type]
    if not pattern.fullmatch(value):
        return f"is not {words}"
    if column.type == "boolean":
        return None
    if column.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"is not {words}"
        return None
    number = float(value)
    if column.min is not None and number < column.min:
        return f"is below the minimum {column.min:g}"
    if column.max is not None and number > column.max:
        return f"is above the maximum {column.max:g}"
    return None


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path, table: ReferenceTable) -> int:
    """Replace ref.<name> with the CSV's declared columns, found by header name and typed;
    errors name the file, line, column and value."""
    path = folder / table.file_name
    header = read_reference_header(path, table)
    _check_rows(path, table)
    # DuckDB takes no parameters in `columns`: the header names are quoted literals
    as_text = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in header) + "}"
    typed = ", ".join(
        f"cast({ident(name)} as {column.type}) as {ident(name)}"
        for name, column in table.columns.items()
    )
    con.execute("create schema if not exists ref")
    try:
        con.execute(
            f"""
            create or replace table ref.{table.name} as
            select {typed}
            from read_csv(?, header = true, columns = {as_text}, auto_detect = false,
                          quote = '"', escape = '"', delim = ',')
            """,
            [str(path)],
        )
    except duckdb.Error as err:
        raise ReferenceError(f"{path}: {str(err).splitlines()[0]}") from err
    return con.execute(f"select count(*) from ref.{table.name}").fetchall()[0][0]


MUNICIPALITY_KEYS_SQL = """
create or replace table ref.municipality_keys as
with municipalities as (
    select code, name, valid_from, valid_to, domains, aliases
    from ref.municipalities
),
keys as (
    select 'code' as key_type, rf_code(code) as key, code, valid_from, valid_to
    from municipalities
    union
    select 'name', rf_name(name), code, valid_from, valid_to
    from municipalities
    union
    select 'name', rf_name(unnest(string_split(aliases, '|'))), code, valid_from, valid_to
    from municipalities
    where aliases is not null
    union
    select 'domain', lower(trim(unnest(string_split(domains, '|')))), code, valid_from, valid_to
    from municipalities
    where domains is not null
    union
    select 'room', lower(trim(room)), municipality_code, valid_from, valid_to
    from ref.rooms
)
select distinct key_type, key, code, valid_from, valid_to
from keys
where key is not null and key <> ''
"""

OVERLAPPING_KEYS_SQL = """
select a.key_type, a.key, a.code, b.code as other_code
from ref.municipality_keys a
join ref.municipality_keys b
  on a.key_type = b.key_type and a.key = b.key and a.code < b.code
 and a.valid_from <= b.valid_to and b.valid_from <= a.valid_to
order by all
"""


def build_municipality_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Every way an export names a municipality (code, name, alias, domain, room) -> its code."""
    con.execute(MUNICIPALITY_KEYS_SQL)
    clashes = con.execute(OVERLAPPING_KEYS_SQL).fetchall()
    if clashes:
        listed = "; ".join(f"{t} {k!r} -> {a} and {b}" for t, k, a, b in clashes[:5])
        raise ReferenceError(
            "data/reference: one name, domain or room points to two municipalities in the same "
            f"period ({listed}); give them non-overlapping valid_from/valid_to"
        )
    return con.execute("select count(*) from ref.municipality_keys").fetchall()[0][0]

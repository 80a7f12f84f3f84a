"""Editable reference CSV files (municipalities, programmes, targets, factors) into ref.* tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class ReferenceTable:
    """One CSV file in the reference folder and the typed table it becomes."""

    name: str
    description: str
    columns: dict[str, str]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


REFERENCE_TABLES = (
    ReferenceTable(
        "municipalities",
        "Municipalities with their codes, validity periods, successors after mergers, e-mail/SIP "
        "domains and the names exports use for them.",
        {
            "code": "varchar",
            "name": "varchar",
            "country": "varchar",
            "valid_from": "date",
            "valid_to": "date",
            "successor_code": "varchar",
            "domains": "varchar",
            "aliases": "varchar",
            "currency": "varchar",
            "source": "varchar",
        },
    ),
    ReferenceTable(
        "rooms",
        "Video rooms and the municipality each belongs to, for exports that name only the room.",
        {
            "room": "varchar",
            "municipality_code": "varchar",
            "valid_from": "date",
            "valid_to": "date",
        },
    ),
    ReferenceTable(
        "programmes",
        "Programmes (Vi möts resfritt, Knutepunkt Sørlandet, ...) with their baseline year.",
        {
            "programme": "varchar",
            "name": "varchar",
            "baseline_year": "integer",
            "country": "varchar",
            "baseline_energy_mwh": "double",
            "source": "varchar",
        },
    ),
    ReferenceTable(
        "programme_members",
        "Which municipality (today's code) belongs to which programme.",
        {"programme": "varchar", "municipality_code": "varchar"},
    ),
    ReferenceTable(
        "targets",
        "Stepped targets: from this year on, the metric (trips to meetings, energy, road CO2) is "
        "to be this much lower than in the baseline year; scope says what the target covers.",
        {
            "programme": "varchar",
            "from_year": "integer",
            "reduction_pct": "double",
            "metric": "varchar",
            "scope": "varchar",
            "source": "varchar",
        },
    ),
    ReferenceTable(
        "factors",
        "Emission, energy, cost and substitution factors per country and year, with unit and "
        "source.",
        {
            "factor": "varchar",
            "country": "varchar",
            "year_from": "integer",
            "year_to": "integer",
            "value": "double",
            "unit": "varchar",
            "source": "varchar",
            "version": "varchar",
            "method": "varchar",
        },
    ),
    ReferenceTable(
        "distances",
        "Round-trip distances town hall to town hall between programme municipalities (to_code "
        "empty = a municipality's default trip to a meeting), with validity years and version.",
        {
            "from_code": "varchar",
            "to_code": "varchar",
            "round_trip_km": "double",
            "year_from": "integer",
            "year_to": "integer",
            "source": "varchar",
            "version": "varchar",
        },
    ),
    ReferenceTable(
        "calibration",
        "Years kept out of (calibrate = false) the calibration of a municipality's substitution "
        "rate, and why (pandemic, platform change); municipality_code * means every municipality.",
        {
            "municipality_code": "varchar",
            "year_from": "integer",
            "year_to": "integer",
            "calibrate": "boolean",
            "reason": "varchar",
            "source": "varchar",
        },
    ),
    ReferenceTable(
        "employees",
        "Employees (full-time equivalents) per municipality (today's code) and year, for figures "
        "per employee as REMM and Miljöbarometern report them.",
        {
            "municipality_code": "varchar",
            "year": "integer",
            "employees": "double",
            "unit": "varchar",
            "source": "varchar",
            "version": "varchar",
        },
    ),
)


class ReferenceError(ValueError):
    """A reference CSV is missing or malformed; the message names the file and what to fix."""


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path, table: ReferenceTable) -> int:
    """Replace ref.<name> with the CSV's rows, typed; errors name the file, line and column."""
    path = folder / table.file_name
    if not path.exists():
        raise ReferenceError(f"{path}: reference file missing; restore it from git or create it")
    columns = "{" + ", ".join(f"'{n}': '{t}'" for n, t in table.columns.items()) + "}"
    con.execute("create schema if not exists ref")
    try:
        con.execute(
            f"""
            create or replace table ref.{table.name} as
            select * from read_csv(?, header = true, columns = {columns}, auto_detect = false,
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

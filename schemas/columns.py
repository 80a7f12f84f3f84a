"""What each warehouse column means: raw tables from their export contracts, every other table
(and the loader's own raw columns, listed as table `raw.*`) from columns.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from . import CONTRACT_DIR, Column, contract_for

COLUMNS_CSV = CONTRACT_DIR / "columns.csv"
LOADER_COLUMNS = "raw.*"
PII_WORDS = {
    "email": "e-mail address",
    "name": "name",
    "phone": "phone number",
    "id": "identifier",
}


@dataclass(frozen=True)
class ColumnDoc:
    """One row of columns.csv: a column of a table, its DuckDB type as built and its meaning."""

    table: str
    column: str
    type: str
    description: str


@cache
def documented_columns() -> dict[str, dict[str, ColumnDoc]]:
    """columns.csv as {table: {column: ColumnDoc}}, in the file's order."""
    tables: dict[str, dict[str, ColumnDoc]] = {}
    with COLUMNS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            doc = ColumnDoc(row["table"], row["column"], row["type"], row["description"])
            tables.setdefault(doc.table, {})[doc.column] = doc
    return tables


def contract_column_description(column: Column) -> str:
    """The contract's description of a raw column, else one made from what it declares."""
    if column.description:
        return column.description
    if not column.keep:
        return (
            "Never read (keep = false in the contract: the figures do not need it); always empty."
        )
    if column.sql and not column.aliases:
        return f"Derived at load: {column.sql}."
    headers = ", ".join(f'"{a}"' for a in column.aliases[:4]) or f'"{column.name}"'
    text = f"As exported under {headers}"
    if len(column.aliases) > 4:
        text += f" (and {len(column.aliases) - 4} more)"
    text += f"; {column.type}"
    if column.unit:
        text += f" in {column.unit}"
    if column.allowed:
        text += ", one of " + ", ".join(column.allowed)
    if column.pii:
        text += f"; the {PII_WORDS[column.pii]} is pseudonymised (keyed hash)"
    return text + "."


def column_descriptions(table: str) -> dict[str, str]:
    """{column: description} for a warehouse table named `schema.table`."""
    schema, name = table.split(".", 1)
    documented = documented_columns()
    if schema != "raw":
        return {c: doc.description for c, doc in documented.get(table, {}).items()}
    contract = contract_for(name)
    described = {c: doc.description for c, doc in documented[LOADER_COLUMNS].items()}
    for column in (*contract.columns, *contract.derived.values()):
        described[column.name] = contract_column_description(column)
    return described

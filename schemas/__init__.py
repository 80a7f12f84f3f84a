"""Data contracts: one TOML file per export kind, shared by the reader, the checks and the docs."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import duckdb

CONTRACT_DIR = Path(__file__).parent
COLUMN_TYPES = {"text", "integer", "decimal", "date", "timestamp", "month", "duration", "boolean"}
FAMILIES = {"meeting_activity", "trips"}
PII_KINDS = {"email", "name", "phone", "id"}


def normalise_header(text: str) -> str:
    """Fold a header cell for matching: no BOM, case, accents kept, spaces collapsed, no colon."""
    text = unicodedata.normalize("NFC", text.replace("\ufeff", "")).strip().strip('"').strip()
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    return text.rstrip(":").strip().casefold()


@dataclass(frozen=True)
class Column:
    """One canonical column of a contract and the headers it is known by."""

    name: str
    aliases: tuple[str, ...]
    type: str
    required: bool = False
    unit: str | None = None
    formats: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] = ()
    pii: str | None = None
    keep: bool = True
    compress: bool = True  # false for random identifiers (GUIDs): see docs/benchmark.md
    empty_means: str | None = None
    description: str = ""
    sql: str | None = None
    block: str | None = None  # the part of a wide row it belongs to (meeting, participant)

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(normalise_header(a) for a in (self.name, *self.aliases))


@dataclass(frozen=True)
class Attribution:
    """Where a row's municipality is found: a column, read as a key of one type."""

    column: str
    by: str  # code | name | domain | room


@dataclass(frozen=True)
class StatedTotal:
    """A figure the report states about itself (a meeting's participants or length), checked
    against what its rows add up to: per group, the stated and the counted value as SQL."""

    name: str
    per: str
    stated: str
    counted: str
    tolerance: float = 0.0


@dataclass(frozen=True)
class Contract:
    """The declared layout of one export kind."""

    kind: str
    title: str
    family: str
    platform: str | None
    columns: tuple[Column, ...]
    attribution: tuple[Attribution, ...]
    attribution_date: str | None
    natural_key: tuple[str, ...]
    staging: dict[str, str]
    where: str | None = None
    totals_column: str | None = None
    table_ends_at_blank: bool = False
    guests_take_meeting_municipality: bool = False
    null_literals: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    stated_totals: tuple[StatedTotal, ...] = ()
    # figures a title block states for the whole table ("Attended participants\t8"): the
    # figure's name (participants, duration_s) -> the labels it goes by
    title_figures: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    derived: dict[str, Column] = field(default_factory=dict, compare=False)
    vendor: str = ""
    reference: str = ""
    path: Path = field(default=Path(), compare=False)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.kind}: no column {name!r}")

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @cached_property
    def in_block_order(self) -> tuple[Column, ...]:
        """The columns block by block, in the order the blocks stand in a row: a header that
        appears twice goes first to the earlier block's column."""
        return tuple(
            sorted(self.columns, key=lambda c: self.blocks.index(c.block) if c.block else 0)
        )


class ContractError(ValueError):
    """A contract file is inconsistent; the message names the file and the field."""


def _column(name: str, spec: dict, where: str) -> Column:
    kind = spec.get("type", "text")
    if kind not in COLUMN_TYPES:
        raise ContractError(f"{where}: column {name!r} has unknown type {kind!r}")
    pii = spec.get("pii")
    if pii is not None and pii not in PII_KINDS:
        raise ContractError(f"{where}: column {name!r} has unknown pii kind {pii!r}")
    return Column(
        name=name,
        aliases=tuple(spec.get("aliases", ())),
        type=kind,
        required=bool(spec.get("required", False)),
        unit=spec.get("unit"),
        formats=tuple(spec.get("formats", ())),
        min=spec.get("min"),
        max=spec.get("max"),
        allowed=tuple(spec.get("allowed", ())),
        pii=pii,
        keep=bool(spec.get("keep", True)),
        compress=bool(spec.get("compress", True)),
        empty_means=spec.get("empty_means"),
        description=spec.get("description", ""),
        sql=spec.get("sql"),
        block=spec.get("block"),
    )


# How each kind of SQL fragment a contract may hold is wrapped to be parsed on its own.
FRAGMENT_SHAPES = {
    "where": "select 1 from r where {}",
    "group_by": "select 1 from r group by {}",
}


def check_sql_fragment(where: str, key: str, fragment: object) -> None:
    """Parse (not run) one SQL fragment of a contract, so a typo stops start-up with the
    contract's file and key instead of a run half-way."""
    if not isinstance(fragment, str) or not fragment.strip():
        raise ContractError(f"{where}: {key} must be a non-empty SQL text")
    shape = FRAGMENT_SHAPES.get(key.split()[-1], "select {} from r")
    try:
        statements = duckdb.extract_statements(shape.format(fragment))
    except duckdb.Error as err:
        detail = str(err).splitlines()[0]
        raise ContractError(f"{where}: {key} is not valid SQL ({detail}): {fragment}") from err
    if len(statements) != 1:
        raise ContractError(f"{where}: {key} holds more than one SQL statement: {fragment}")


def _check_fragments(where: str, raw: dict) -> None:
    for key, fragment in raw.get("staging", {}).items():
        check_sql_fragment(where, f"[staging] {key}", fragment)
    if raw.get("where") is not None:
        check_sql_fragment(where, "where", raw["where"])
    for section in ("columns", "derived"):
        for name, spec in raw.get(section, {}).items():
            if spec.get("sql") is not None:
                check_sql_fragment(where, f"[{section}.{name}] sql", spec["sql"])
    for name, spec in raw.get("stated", {}).items():
        for key in ("per", "stated", "counted"):
            check_sql_fragment(where, f"[stated.{name}] {key}", spec.get(key))


TITLE_FIGURES = ("participants", "duration_s", "period_start")


def _title_figures(raw: dict, where: str) -> dict[str, tuple[str, ...]]:
    figures = raw.get("stated_in_title", {})
    for name in figures:
        if name not in TITLE_FIGURES or name not in raw.get("staging", {}):
            raise ContractError(
                f"{where}: [stated_in_title] {name} must be one of {list(TITLE_FIGURES)} and staged"
            )
    return {name: tuple(labels) for name, labels in figures.items()}


def _stated_totals(raw: dict, where: str) -> tuple[StatedTotal, ...]:
    totals = []
    for name, spec in raw.get("stated", {}).items():
        unknown = set(spec) - {"per", "stated", "counted", "tolerance"}
        if unknown:
            raise ContractError(f"{where}: [stated.{name}] has unknown keys {sorted(unknown)}")
        totals.append(
            StatedTotal(
                name,
                spec["per"],
                spec["stated"],
                spec["counted"],
                float(spec.get("tolerance", 0.0)),
            )
        )
    return tuple(totals)


def parse_contract(path: Path) -> Contract:
    """Read and check one contract file."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    where = path.name
    _check_fragments(where, raw)
    columns = tuple(_column(n, s, where) for n, s in raw.get("columns", {}).items())
    names = {c.name for c in columns}
    family = raw.get("family", "")
    if family not in FAMILIES:
        raise ContractError(f"{where}: family must be one of {sorted(FAMILIES)}")
    blocks = tuple(raw.get("blocks", ()))
    for column in columns:
        if column.block is not None and column.block not in blocks:
            raise ContractError(
                f"{where}: column {column.name!r} is in block {column.block!r}, "
                f"not one of blocks = {list(blocks)}"
            )
    attribution = tuple(Attribution(**a) for a in raw.get("attribution", ()))
    for ref in [*raw.get("natural_key", ()), *(a.column for a in attribution)]:
        if ref not in names:
            raise ContractError(f"{where}: {ref!r} is not a declared column")
    return Contract(
        kind=raw["kind"],
        title=raw["title"],
        family=family,
        platform=raw.get("platform"),
        columns=columns,
        attribution=attribution,
        attribution_date=raw.get("attribution_date"),
        natural_key=tuple(raw.get("natural_key", ())),
        staging=dict(raw.get("staging", {})),
        where=raw.get("where"),
        totals_column=raw.get("totals_column"),
        table_ends_at_blank=bool(raw.get("table_ends_at_blank", False)),
        guests_take_meeting_municipality=bool(raw.get("guests_take_meeting_municipality", False)),
        null_literals=tuple(raw.get("null_literals", ())),
        blocks=blocks,
        stated_totals=_stated_totals(raw, where),
        title_figures=_title_figures(raw, where),
        derived={n: _column(n, s, where) for n, s in raw.get("derived", {}).items()},
        vendor=raw.get("vendor", ""),
        reference=raw.get("reference", ""),
        path=path,
    )


@cache
def load_contracts(directory: Path = CONTRACT_DIR) -> tuple[Contract, ...]:
    """Every contract in the folder, sorted by kind."""
    contracts = tuple(parse_contract(p) for p in sorted(directory.glob("*.toml")))
    kinds = [c.kind for c in contracts]
    if len(set(kinds)) != len(kinds):
        raise ContractError(f"{directory}: two contracts share a kind")
    return tuple(sorted(contracts, key=lambda c: c.kind))


def contract_for(kind: str) -> Contract:
    """The contract of one export kind."""
    for contract in load_contracts():
        if contract.kind == kind:
            return contract
    raise KeyError(kind)

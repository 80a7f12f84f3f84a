"""Recognise an export's kind from its header row, whatever language, delimiter or title block."""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas import Contract, normalise_header

from .sources import DELIMITERS, Source, excel_rows, split_line, text_lines

HEADER_SEARCH_ROWS = 60
HINT_PATTERN = re.compile(
    r"^\W*(kommun|kommune|municipality|organisation|organisasjon|organization|kund|tenant"
    r"|customer)\b\s*:?\s*(?P<value>.+)$",
    re.IGNORECASE,
)
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True)
class Layout:
    """Where a recognised table sits in its source and which cell holds which contract column."""

    source: Source
    contract: Contract
    header_line: int
    delimiter: str | None
    positions: dict[str, int]
    width: int
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Miss:
    """A source that matches no contract, with the nearest one and what it lacked."""

    source: Source
    closest: str | None
    missing: tuple[str, ...]

    @property
    def message(self) -> str:
        if self.closest is None:
            return "no header row found that matches any export contract in schemas/"
        missing = ", ".join(self.missing)
        return (
            f"matches no export contract; closest is {self.closest!r}, which lacks the columns "
            f"{missing}. Check the header row, or add its column names as aliases in "
            f"schemas/{self.closest}.toml"
        )


def _positions(cells: list[str], contract: Contract) -> dict[str, int]:
    folded = [normalise_header(c) for c in cells]
    found: dict[str, int] = {}
    for column in contract.columns:
        for index, cell in enumerate(folded):
            if cell and cell in column.keys and index not in found.values():
                found[column.name] = index
                break
    return found


def _score(cells: list[str], contract: Contract) -> tuple[bool, int, dict[str, int]]:
    found = _positions(cells, contract)
    complete = all(c.name in found for c in contract.required) and len(found) >= 2
    return complete, len(found), found


def _candidate_rows(source: Source) -> list[tuple[str | None, int, list[str]]]:
    if source.kind == "excel":
        return [(None, n, cells) for n, cells in excel_rows(source, limit=HEADER_SEARCH_ROWS)]
    lines = list(text_lines(source, limit=HEADER_SEARCH_ROWS))
    split = [(d, n, split_line(line, d)) for d in DELIMITERS for n, line in lines if d in line]
    return split + [(None, n, [line]) for n, line in lines]


def _hints(rows: list[tuple[str | None, int, list[str]]], header_line: int) -> tuple[str, ...]:
    """Title-block lines above the header that name the organisation ("Kommun: Falun (2080)"),
    then e-mail addresses there (the host in Zoom's meeting block), whose domain may name it."""
    hints, addresses = [], []
    for _, number, cells in rows:
        if number >= header_line:
            continue
        text = " ".join(c.strip() for c in cells if c.strip())
        match = HINT_PATTERN.match(text)
        if match:
            hints.append(match.group("value").strip())
        addresses += [m.group(0) for m in EMAIL_PATTERN.finditer(text)]
    return tuple(dict.fromkeys([*hints, *addresses]))


def recognise(source: Source, contracts: tuple[Contract, ...]) -> Layout | Miss:
    """Find the header row and the contract it fits best; report the nearest miss otherwise."""
    rows = _candidate_rows(source)
    best: tuple[tuple, Layout] | None = None
    nearest: tuple[float, str, tuple[str, ...]] | None = None
    for delimiter, number, cells in rows:
        if delimiter is None and source.kind == "text":
            continue
        for contract in contracts:
            complete, matched, found = _score(cells, contract)
            if complete:
                rank = (matched, -number, len(contract.columns))
                if best is None or rank > best[0]:
                    layout = Layout(source, contract, number, delimiter, found, len(cells), ())
                    best = (rank, layout)
            elif matched:
                share = matched / max(1, len(contract.columns))
                missing = tuple(
                    f'{c.name} ("{c.aliases[0]}")' if c.aliases else c.name
                    for c in contract.required
                    if c.name not in found
                )
                if nearest is None or share > nearest[0]:
                    nearest = (share, contract.kind, missing)
    if best is None:
        if nearest is None:
            return Miss(source, None, ())
        return Miss(source, nearest[1], nearest[2])
    layout = best[1]
    hint_rows = [r for r in rows if r[0] in (layout.delimiter, None)]
    return Layout(
        layout.source,
        layout.contract,
        layout.header_line,
        layout.delimiter,
        layout.positions,
        layout.width,
        _hints(hint_rows, layout.header_line),
    )

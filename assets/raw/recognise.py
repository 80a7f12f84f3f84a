"""Recognise an export's kind from its header row, whatever language, delimiter or title block."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from schemas import Column, Contract, normalise_header

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
    stated: tuple[tuple[str, str, int], ...] = ()  # (figure, value as written, line) above it


@dataclass(frozen=True)
class Resemblance:
    """A header row in an unknown language whose values have the shape of a contract's columns."""

    contract: Contract
    header_line: int
    headers: dict[str, str]  # contract column -> the header cell above values of its shape

    @property
    def sentence(self) -> str:
        words = ", ".join(f'"{cell}" as an alias of {name}' for name, cell in self.headers.items())
        return (
            f"Its header row (line {self.header_line}) is in words no contract knows, but its "
            f"values look like a {self.contract.title} ({self.contract.kind}): if so, add "
            f"{words} in schemas/{self.contract.kind}.toml"
        )


@dataclass(frozen=True)
class Miss:
    """A source that matches no contract, with the nearest one and what it lacked."""

    source: Source
    closest: str | None
    missing: tuple[str, ...]
    resembles: Resemblance | None = None

    @property
    def message(self) -> str:
        shape = f" {self.resembles.sentence}" if self.resembles else ""
        if self.closest is None:
            return "no header row found that matches any export contract in schemas/." + shape
        missing = ", ".join(self.missing)
        return (
            f"matches no export contract; closest is {self.closest!r}, which lacks the columns "
            f"{missing}. Check the header row, or add its column names as aliases in "
            f"schemas/{self.closest}.toml." + shape
        )


def _positions(folded: list[str], contract: Contract) -> dict[str, int]:
    """Which cell of a folded header row holds which column. A header that appears twice
    (Zoom's "User Email" of the host and of the participant) goes by position, block by block:
    the earlier block's column takes the first cell."""
    found: dict[str, int] = {}
    for column in contract.in_block_order:
        for index, cell in enumerate(folded):
            if cell and cell in column.keys and index not in found.values():
                found[column.name] = index
                break
    return found


def ambiguous_headers(folded: list[str], found: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Columns whose header appears again in a cell no column took: the contract cannot tell
    which of them is its own (never first-wins). Column name -> the 1-based cell numbers."""
    taken = set(found.values())
    doubts = {}
    for name, index in found.items():
        same = [i for i, cell in enumerate(folded) if cell == folded[index]]
        if any(i not in taken for i in same):
            doubts[name] = tuple(i + 1 for i in same)
    return doubts


def _score(
    folded: list[str], contract: Contract
) -> tuple[bool, int, dict[str, int], dict[str, tuple[int, ...]]]:
    """Whether a folded header row holds the contract's required columns, how many columns it
    holds, where, and which of them are ambiguous (such a row is not complete)."""
    found = _positions(folded, contract)
    doubts = ambiguous_headers(folded, found)
    complete = not doubts and all(c.name in found for c in contract.required) and len(found) >= 2
    return complete, len(found), found, doubts


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


def title_figures(
    rows: list[tuple[str | None, int, list[str]]], header_line: int, contract: Contract
) -> tuple[tuple[str, str, int], ...]:
    """Figures the title block states for the table below it: a label and its value on one line
    ("Attended participants<TAB>8"), or a label in a row over a row of values (Zoom's meeting
    block). (figure, value as written, line of the value)."""
    labels = {
        normalise_header(label): figure
        for figure, words in contract.title_figures.items()
        for label in words
    }
    above = [(n, c) for _, n, c in rows if n < header_line and any(x.strip() for x in c)]
    found: dict[str, tuple[str, str, int]] = {}
    for position, (number, cells) in enumerate(above):
        folded = [normalise_header(c) for c in cells]
        below = above[position + 1] if position + 1 < len(above) else None
        # a row of labels over a row of values as wide (a table of one), else label: value
        table = below is not None and len(cells) > 2 and len(below[1]) == len(cells)
        for index, cell in enumerate(folded):
            figure = labels.get(cell)
            if figure is None or figure in found:
                continue
            value = below[1][index] if table else (cells + [""])[index + 1]
            if value.strip():
                found[figure] = (figure, value.strip(), below[0] if table else number)
    return tuple(found.values())


def recognise(source: Source, contracts: tuple[Contract, ...]) -> Layout | Miss:
    """Find the header row and the contract it fits best; report the nearest miss otherwise."""
    rows = _candidate_rows(source)
    best: tuple[tuple, Layout] | None = None
    nearest: tuple[float, str, tuple[str, ...]] | None = None
    for delimiter, number, cells in rows:
        if delimiter is None and source.kind == "text":
            continue
        folded = [normalise_header(c) for c in cells]  # once per row, not per contract
        for contract in contracts:
            complete, matched, found, doubts = _score(folded, contract)
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
                ) + tuple(
                    f'{name} (its header "{cells[found[name]].strip()}" stands in cells '
                    f"{' and '.join(map(str, cells_at))}: which one is its own is unknown)"
                    for name, cells_at in doubts.items()
                )
                if nearest is None or share > nearest[0]:
                    nearest = (share, contract.kind, missing)
    if best is None:
        resembles = resemblance(rows, contracts)
        if nearest is None:
            return Miss(source, None, (), resembles)
        return Miss(source, nearest[1], nearest[2], resembles)
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
        title_figures(
            [r for r in rows if r[0] == layout.delimiter], layout.header_line, layout.contract
        ),
    )


SHAPE_SAMPLE_ROWS = 10
NUMBER = re.compile(r"-?\d+([.,]\d+)?")
DURATION = re.compile(r"\d+([.,]\d+)?|\d+:\d{1,2}(:\d{1,2})?|PT[\dHMS.]+|(\d+\s*[hms]\w*\s*)+")
BOOLEAN_WORDS = frozenset(
    [
        "true",
        "false",
        "yes",
        "no",
        "ja",
        "nej",
        "nei",
        "jo",
        "kyllä",
        "ei",
        "já",
        "oui",
        "non",
        "sí",
        "si",
        "não",
        "sim",
        "nein",
        "tak",
        "nie",
        "да",
        "нет",
        "так",
        "ні",
        "نعم",
        "لا",
    ]
)


def _is_timestamp(value: str, formats: tuple[str, ...]) -> bool:
    for fmt in formats:
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _fits(column: Column, value: str) -> bool:
    """Whether one cell has the shape of a contract column's values (header words aside)."""
    if column.allowed:
        return value.casefold() in {a.casefold() for a in column.allowed}
    if column.pii == "email":
        return EMAIL_PATTERN.fullmatch(value) is not None
    if column.type in ("timestamp", "date"):
        return _is_timestamp(value, column.formats)
    if column.type == "duration":
        return DURATION.fullmatch(value) is not None
    if column.type in ("integer", "decimal"):
        return NUMBER.fullmatch(value.replace(" ", "")) is not None
    if column.type == "boolean":
        return value.casefold() in BOOLEAN_WORDS
    return column.type == "text" and NUMBER.fullmatch(value) is None


def _typed(column: Column) -> bool:
    """Whether a column's values have a shape of their own (free text has none)."""
    return column.type != "text" or bool(column.allowed) or column.pii == "email"


def _shape_positions(column: Column, samples: list[list[str]], taken: set[int]) -> int | None:
    width = max(len(r) for r in samples)
    for index in range(width):
        values = [r[index].strip() for r in samples if index < len(r) and r[index].strip()]
        if index not in taken and values and all(_fits(column, v) for v in values):
            return index
    return None


def _shape_match(contract: Contract, samples: list[list[str]]) -> dict[str, int] | None:
    """Positions of the contract's columns by the shape of the values, typed columns first."""
    typed = sorted(contract.columns, key=lambda c: (not _typed(c), c.name))
    found: dict[str, int] = {}
    for column in typed:
        index = _shape_positions(column, samples, set(found.values()))
        if index is not None:
            found[column.name] = index
    typed_found = [
        n for n in found if contract.column(n).type != "text" or contract.column(n).allowed
    ]
    complete = all(c.name in found for c in contract.required)
    return found if complete and len(typed_found) >= 2 else None


def resemblance(
    rows: list[tuple[str | None, int, list[str]]], contracts: tuple[Contract, ...]
) -> Resemblance | None:
    """The contract whose columns' values the rows under some header row have the shape of."""
    best: tuple[tuple, Resemblance] | None = None
    for delimiter, number, cells in rows:
        if delimiter is None and len(cells) < 2:
            continue
        samples = [c for d, n, c in rows if d == delimiter and n > number and len(c) == len(cells)][
            :SHAPE_SAMPLE_ROWS
        ]
        if not samples:
            continue
        for contract in contracts:
            found = _shape_match(contract, samples)
            if found is None:
                continue
            # Typed columns decide (free text fits anywhere), then the width closest to the file's.
            typed = sum(_typed(contract.column(n)) for n in found)
            rank = (typed, -abs(len(contract.columns) - len(cells)), len(found), -number)
            headers = {n: cells[i].strip() for n, i in sorted(found.items(), key=lambda x: x[1])}
            if best is None or rank > best[0]:
                best = (rank, Resemblance(contract, number, headers))
    return None if best is None else best[1]

"""Write the contract tables of docs/formats.md from schemas/*.toml.

The overview and the quirks are prose, edited in the document itself. Everything below its
marker line (headers accepted, types, formats, units, allowed values, attribution) is generated
from the contracts, so the document cannot drift from what the reader does. Run::

    .venv/bin/python scripts/make_formats_doc.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schemas import Column, Contract, load_contracts  # noqa: E402

TARGET = ROOT / "docs" / "formats.md"

MARKER = "<!-- generated from schemas/*.toml by scripts/make_formats_doc.py -->"

# A contract's `reference` names a section of the vendor research notes:
# "docs/vendor-formats.md 3a".
VENDOR_SECTION = re.compile(r"docs/vendor-formats\.md (\w+)")


def reference_link(reference: str) -> str:
    """The reference, its vendor-formats.md section made a link relative to docs/formats.md."""
    return VENDOR_SECTION.sub(
        lambda m: f"[vendor-formats.md {m[1]}](vendor-formats.md#{m[1].lower()})", reference
    )


def _extras(column: Column) -> str:
    extras = []
    if column.formats:
        extras.append(" ".join(f"`{f}`" for f in column.formats))
    if column.unit:
        extras.append(f"unit {column.unit}")
    if column.allowed:
        extras.append("one of " + ", ".join(f"`{a}`" for a in column.allowed))
    if column.pii:
        extras.append(f"pseudonymised ({column.pii})")
    if column.empty_means is not None:
        extras.append(f"empty means {column.empty_means}")
    if column.min is not None or column.max is not None:
        low = "" if column.min is None else f"{column.min:g}"
        high = "" if column.max is None else f"{column.max:g}"
        extras.append(f"range {low}–{high}")
    return "; ".join(extras)


def contract_section(contract: Contract) -> str:
    attribution = ", ".join(f"`{a.column}` by {a.by}" for a in contract.attribution)
    notes = [
        f"Vendor: {contract.vendor}. Reference: {reference_link(contract.reference)}. "
        f"Family: `{contract.family}`.",
        "Municipality from: "
        + (attribution or "a title line or the sub-folder name (the rows carry none)")
        + f"; dated by `{contract.attribution_date}`.",
    ]
    if contract.natural_key:
        notes.append("Natural key: " + ", ".join(f"`{k}`" for k in contract.natural_key) + ".")
    if contract.totals_column:
        notes.append(f"Totals rows in `{contract.totals_column}`.")
    if contract.table_ends_at_blank:
        notes.append("The table ends at the first blank line.")
    if contract.null_literals:
        notes.append("Empty: " + ", ".join(f"`{n}`" for n in contract.null_literals) + ".")
    lines = [f"### `{contract.kind}`", "", contract.title + ".", "", " ".join(notes), ""]
    lines += ["| column | headers accepted | type | required | formats, unit, values |"]
    lines += ["|---|---|---|---|---|"]
    for column in contract.columns:
        headers = ", ".join(f"`{a}`" for a in column.aliases) or f"`{column.name}`"
        required = "yes" if column.required else ""
        lines.append(
            f"| `{column.name}` | {headers} | {column.type} | {required} | {_extras(column)} |"
        )
    return "\n".join(lines) + "\n"


def render(current: str) -> str:
    """The document with everything after the marker regenerated (the prose above is kept)."""
    prose = current.split(MARKER)[0]
    tables = "\n".join(contract_section(c) for c in load_contracts())
    return f"{prose}{MARKER}\n\n{tables}"


def write_doc(path: Path = TARGET) -> Path:
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_doc().relative_to(ROOT))

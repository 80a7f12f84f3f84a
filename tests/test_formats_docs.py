"""docs/formats.md documents every contract as it is (the tables are generated from schemas/)."""

from __future__ import annotations

import importlib.util
import re
import subprocess

import pytest
from pipeline_helpers import ROOT

from schemas import load_contracts

pytestmark = pytest.mark.unit

DOC = ROOT / "docs" / "formats.md"


def test_every_contract_has_a_section_and_the_tables_are_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "make_formats_doc", ROOT / "scripts" / "make_formats_doc.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = DOC.read_text(encoding="utf-8")
    for contract in load_contracts():
        assert f"### `{contract.kind}`" in text
        assert f"| `{contract.kind}` |" in text.split(module.MARKER)[0], "kinds table"
    assert module.render(text) == text, "run scripts/make_formats_doc.py"


VENDOR_DOC = ROOT / "docs" / "vendor-formats.md"

# A section of docs/vendor-formats.md: its heading ("### 3a. Zoom …") and the anchor above it.
SECTION_HEADING = re.compile(r"^#{2,3} ([A-Z]?\d+[a-z]?)\. ", re.MULTILINE)
# How the repository cites a section: "docs/vendor-formats.md 3a" or a link "vendor-formats.md#3a".
CITED_SECTION = re.compile(r"vendor-formats\.md ([A-Z]?\d+[a-z]?)\b")
LINKED_SECTION = re.compile(r"vendor-formats\.md#([\w-]+)")
# The documents beside the project that docs/ replaces: only tests (reading ../shared) name them.
OUTSIDE_DOCUMENT = re.compile(r"\b(?:DOMAIN|FORMATS|STACK|ESTIMATION)\.md\b")


def _vendor_sections() -> tuple[set[str], set[str]]:
    text = VENDOR_DOC.read_text(encoding="utf-8")
    return set(SECTION_HEADING.findall(text)), set(re.findall(r'<a id="([\w-]+)"></a>', text))


def _tracked_text_files() -> dict[str, str]:
    """Every tracked text file of the checkout by its path (binary files left out)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: no tracked files to search")
    files = {}
    for name in filter(None, listed.decode().split("\0")):
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data:
            files[name] = data.decode("utf-8", errors="replace")
    return files


def test_every_contract_reference_names_a_section_of_vendor_formats():
    headings, anchors = _vendor_sections()
    for contract in load_contracts():
        cited = CITED_SECTION.findall(contract.reference)
        assert cited, (
            f"schemas/{contract.kind}.toml: reference {contract.reference!r} names no section of"
            ' docs/vendor-formats.md (write it "docs/vendor-formats.md 3a")'
        )
        for section in cited:
            assert section in headings, (
                f"schemas/{contract.kind}.toml cites section {section}, which"
                " docs/vendor-formats.md has no heading for"
            )
            assert section.lower() in anchors, f'docs/vendor-formats.md lacks <a id="{section}">'


def test_every_vendor_formats_citation_in_the_repository_resolves():
    headings, anchors = _vendor_sections()
    lowered = {h.lower() for h in headings}
    for name, text in _tracked_text_files().items():
        for section in CITED_SECTION.findall(text):
            assert section in headings, f"{name} cites vendor-formats.md {section}: no such section"
        for anchor in LINKED_SECTION.findall(text):
            assert anchor in anchors, f"{name} links vendor-formats.md#{anchor}: no such anchor"
    assert lowered <= anchors, "every numbered section of docs/vendor-formats.md has an anchor"


def test_no_file_outside_tests_cites_the_documents_beside_the_project():
    citing = [
        f"{name}:{number}: {line.strip()}"
        for name, text in _tracked_text_files().items()
        if not name.startswith("tests/")
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE_DOCUMENT.search(line)
    ]
    assert not citing, (
        "cite docs/vendor-formats.md, docs/domain.md, docs/stack.md or docs/methodology.md"
        " instead:\n" + "\n".join(citing)
    )

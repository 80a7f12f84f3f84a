"""docs/formats.md documents every contract as it is (the tables are generated from schemas/)."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import ROOT

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

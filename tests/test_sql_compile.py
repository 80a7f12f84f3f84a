"""The loader's SQL, compiled from each contract: pinned by snapshots, safe for any name.

The expected SQL of each contract is in tests/snapshots/<kind>.sql.snap. After a deliberate change
to assets/raw/sql_compile.py or a contract, refresh them and review the diff:

    RESFRITT_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_sql_compile.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixture_files import write_text
from ingest_helpers import KEY, connect, files, quarantine, rows

from assets.raw import ingest as ingest_module
from assets.raw.recognise import Layout
from assets.raw.sources import Source
from assets.raw.sql_compile import create_raw_table, direct_source, insert_rows
from schemas import load_contracts, parse_contract

pytestmark = pytest.mark.unit

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("RESFRITT_UPDATE_SNAPSHOTS") == "1"


def _every_column(contract) -> Layout:
    """A layout with every column of the contract, in contract order, from a UTF-8 CSV."""
    source = Source(Path("/drop/export.csv"), "export.csv", "text", "utf-8")
    positions = {c.name: i for i, c in enumerate(contract.columns)}
    return Layout(source, contract, 1, ";", positions, len(positions), ())


def compiled(contract) -> str:
    layout = _every_column(contract)
    insert = insert_rows(layout, {}, direct_source(layout, parallel=True))
    return f"{create_raw_table(contract)};\n{insert.sql.strip()};\n"


@pytest.mark.parametrize("contract", load_contracts(), ids=lambda c: c.kind)
def test_each_contract_compiles_to_its_snapshot(contract):
    expected = SNAPSHOTS / f"{contract.kind}.sql.snap"
    sql = compiled(contract)
    if UPDATE or not expected.exists():
        expected.write_text(sql, encoding="utf-8")
    assert sql == expected.read_text(encoding="utf-8"), (
        f"the SQL of {contract.kind} changed; if that is meant, refresh the snapshots "
        "(see this module's docstring) and review the diff"
    )


BRACED = """
kind = "braced_export"
title = "An export whose names hold {braces}"
family = "trips"
natural_key = ["trip {id}"]
attribution = [{ column = "org {name}", by = "name" }]
null_literals = ["{none}"]

[columns."trip {id}"]
aliases = ["Trip {id}"]
type = "text"
required = true

[columns."org {name}"]
aliases = ["Org {name}"]
type = "text"

[columns."distance {km}"]
aliases = ["Distance {km}"]
type = "decimal"
min = 0

[columns."purpose {x}"]
aliases = ["Purpose {x}"]
allowed = ["{meeting}", "other"]
"""


def test_braces_and_quotes_in_column_names_and_values_do_not_break_a_load(tmp_path, monkeypatch):
    contract_file = tmp_path / "braced_export.toml"
    contract_file.write_text(BRACED, encoding="utf-8")
    contract = parse_contract(contract_file)
    monkeypatch.setattr(ingest_module, "load_contracts", lambda: (contract,))
    raw = tmp_path / "raw"
    write_text(
        raw / "it's {odd}.csv",
        "Trip {id},Org {name},Distance {km},Purpose {x}\n"
        "1,Falun,10.5,{meeting}\n"
        "2,{none},3,other\n"
        "3,Falun,-1,other\n"
        "4,Falun,2,{lunch}\n",
    )
    con = connect()
    ingest_module.ingest_folder(con, raw, KEY)
    record = files(con)["it's {odd}.csv"]
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (4, 1, 3)
    assert rows(con, 'select "trip {id}", "distance {km}" from raw.braced_export') == [("1", 10.5)]
    reasons = [(n, c) for n, c, _, _ in quarantine(con, "it's {odd}.csv")]
    assert reasons == [(3, "org {name}"), (4, "distance {km}"), (5, "purpose {x}")]

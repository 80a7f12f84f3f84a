"""Every column of every table asset says what it means, in the UI as in schemas/columns.csv."""

import duckdb
import pytest

from assets.metadata import table_metadata
from schemas.columns import LOADER_COLUMNS, column_descriptions, documented_columns

pytestmark = pytest.mark.pipeline
NOT_ASSETS = {"ops.builds", "ops.build_files", "ops.pseudonym_key"}  # bookkeeping, no asset


def _built_columns(warehouse) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type "
            "from information_schema.columns order by table_schema, table_name, ordinal_position"
        ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if table not in NOT_ASSETS:
            tables.setdefault(table, []).append((column, kind))
    return tables


def test_every_mart_column_is_documented_with_its_type(sample_warehouse):
    built = _built_columns(sample_warehouse)
    marts = {t: cols for t, cols in built.items() if t.startswith("marts.")}
    assert len(marts) == 8
    documented = documented_columns()
    for table, columns in marts.items():
        assert [c for c, _ in columns] == list(documented[table]), table
        for column, kind in columns:
            doc = documented[table][column]
            assert doc.description.strip(), (table, column)
            assert doc.type == kind, (table, column, doc.type, kind)
    progress = documented["marts.municipality_progress"]
    assert progress["reduction_measured_pct"].description == ("100 × (1 − trips / baseline_trips).")


def test_columns_csv_names_no_column_that_is_not_built(sample_warehouse):
    built = _built_columns(sample_warehouse)
    for table, docs in documented_columns().items():
        if table == LOADER_COLUMNS:
            raw = [t for t in built if t.startswith("raw.")]
            assert all({c for c, _ in built[t]} >= set(docs) for t in raw)
            continue
        assert set(docs) <= {c for c, _ in built[table]}, table


def test_every_table_asset_lists_each_column_with_a_description(sample_warehouse):
    built = _built_columns(sample_warehouse)
    assert {t.split(".")[0] for t in built} == {"ref", "raw", "ops", "staging", "marts"}
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        for table, columns in built.items():
            schema = table_metadata(con, table)["dagster/column_schema"].value
            listed = [(c.name, c.type) for c in schema.columns]
            assert listed == columns, table
            missing = [c.name for c in schema.columns if not (c.description or "").strip()]
            assert missing == [], table


def test_raw_columns_come_from_the_contract():
    described = column_descriptions("raw.travel_claims")
    assert described["trip_date"].startswith('As exported under "Resdatum", "Reisedato"')
    assert "pseudonymised" in described["employee"]
    assert described["source_line"].startswith("The row's line in the file")
    assert column_descriptions("raw.telia_video_rooms")["room"] == "The video room's name."

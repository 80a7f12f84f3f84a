"""A run that changes nothing still shows the last real build's figures in the UI."""

import shutil

import pytest
from marts_helpers import materialization
from pipeline_helpers import SAMPLE_RAW, run_pipeline, scalar

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def rerun(tmp_path_factory):
    """The bundled samples materialized twice; the second run finds nothing new."""
    folder = tmp_path_factory.mktemp("rerun")
    raw = folder / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    warehouse = folder / "warehouse" / "resfritt.duckdb"
    assert run_pipeline(raw, warehouse).success
    second = run_pipeline(raw, warehouse)
    assert second.success
    return {"raw": raw, "warehouse": warehouse, "second": second}


def test_unchanged_progress_keeps_its_row_count_and_preview(rerun):
    metadata = materialization(rerun["second"], "marts", "municipality_progress")
    assert metadata["unchanged"].value is True
    expected = scalar(rerun["warehouse"], "select count(*) from marts.municipality_progress")
    assert expected > 0
    assert metadata["dagster/row_count"].value == expected
    assert "| municipality_code" in metadata["preview"].value


def test_unchanged_raw_files_keep_their_row_count(rerun):
    metadata = materialization(rerun["second"], "ops", "files")
    assert metadata["unchanged"].value is True
    assert metadata["dagster/row_count"].value == scalar(
        rerun["warehouse"], "select count(*) from ops.files"
    )


def test_unchanged_reports_keep_their_chart(rerun):
    metadata = materialization(rerun["second"], "marts", "reports")
    assert metadata["unchanged"].value is True
    assert "data:image/png;base64," in metadata["charts"].value


def test_every_table_asset_documents_its_columns_in_the_ui(rerun):
    events = rerun["second"].get_asset_materialization_events()
    tables = [e.materialization for e in events if "table" in e.materialization.metadata]
    assert len(tables) > 30
    for event in tables:
        schema = event.metadata["dagster/column_schema"].value
        table = event.metadata["table"].value
        assert schema.columns, table
        assert all(c.description for c in schema.columns), table

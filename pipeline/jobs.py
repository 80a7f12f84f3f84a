"""The one job: refresh the whole warehouse, in one process (DuckDB has one writer)."""

import dagster as dg

WAREHOUSE_TAG = {"resfritt/warehouse": "writer"}

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    tags=WAREHOUSE_TAG,
    description=(
        "Loads new exports, rebuilds staging and marts, publishes the warehouse if all went well."
    ),
)

"""Wiring only: the assets, their checks, the resources, the job, the schedule and the sensor."""

import atexit
import gc

import dagster as dg

from assets.exports import assets as exports
from assets.marts import assets as marts
from assets.marts import checks as marts_checks
from assets.marts import estimate_checks
from assets.raw import assets as raw
from assets.raw import checks as raw_checks
from assets.raw.manifest import LoadedFiles
from assets.raw.progress import LoadProgress
from assets.staging import assets as staging
from assets.staging import checks as staging_checks

from .jobs import refresh_warehouse
from .resources import build_resources
from .schedules import nightly_refresh
from .sensors import raw_folder_sensor


def make_definitions(resources: dict) -> dg.Definitions:
    """The project's Definitions with the given resources (the tests pass temporary folders); the
    sensor reads the warehouse that the `warehouse` resource publishes, loads log their progress
    unless another `load_progress` is given (the terminal run draws a bar)."""
    resources = {
        "loaded_files": LoadedFiles(warehouse=resources["warehouse"].path),
        "load_progress": LoadProgress(),
        **resources,
    }
    return dg.Definitions(
        assets=dg.load_assets_from_modules([raw, staging, marts, exports]),
        asset_checks=dg.load_asset_checks_from_modules(
            [raw_checks, staging_checks, marts_checks, estimate_checks]
        ),
        resources=resources,
        jobs=[refresh_warehouse],
        schedules=[nightly_refresh],
        sensors=[raw_folder_sensor],
        executor=dg.in_process_executor,
    )


defs = make_definitions(build_resources())

# What is imported by now (Dagster's and our modules, ~300,000 objects) lives as long as the
# process: kept out of every later garbage collection, and out of the last one at exit, which
# alone took 1.1 s of a headless run (docs/benchmark.md).
gc.freeze()
atexit.register(gc.freeze)

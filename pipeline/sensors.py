"""Start a refresh when a file in the drop folder is new or its content changed."""

import hashlib
import json

import dagster as dg

from assets.raw.ingest import DropFolderMissing
from assets.raw.manifest import LoadedFiles, content_changed, folder_snapshot
from assets.settings import Inputs

from .jobs import refresh_warehouse


@dg.sensor(
    job=refresh_warehouse,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when a file in the drop folder is new or changed (by content).",
)
def raw_folder_sensor(
    context: dg.SensorEvaluationContext, inputs: Inputs, loaded_files: LoadedFiles
):
    """Watches the drop folder and starts one run per new or changed set of exports; its first
    tick starts from what the published warehouse holds (ops.files), not from nothing."""
    previous = json.loads(context.cursor) if context.cursor else loaded_files.read()
    try:
        current = folder_snapshot(inputs, previous)
    except DropFolderMissing as err:
        return dg.SkipReason(str(err))
    changed = content_changed(previous, current)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason(f"No new or changed files in {inputs.raw_path}.")
    digest = hashlib.sha256(json.dumps({p: current[p][2] for p in changed}).encode()).hexdigest()
    return dg.RunRequest(
        run_key=digest[:16],
        tags={"resfritt/changed_files": ", ".join(changed)[:200]},
    )

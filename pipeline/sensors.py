"""Start a refresh when a file in the drop folder is new or its content changed."""

import hashlib
import json

import dagster as dg

from assets.raw.ingest import DropFolderMissing, drop_folder_files, drop_name, still_arriving
from assets.raw.manifest import LoadedFiles
from assets.raw.sources import scan_file
from assets.settings import Inputs

from .jobs import refresh_warehouse


def folder_snapshot(inputs: Inputs, previous: dict[str, list] | None) -> dict[str, list]:
    """{path: [size, mtime_ns, sha256]}, the hash the loader records in ops.files; a file with the
    size and mtime of `previous` is not re-hashed, one still being written (changed within
    inputs.settle_s) is left for a later tick."""
    previous = previous or {}
    snapshot = {}
    for file in drop_folder_files(inputs.raw_path):
        rel = drop_name(file, inputs.raw_path)
        stat = file.stat()
        if still_arriving(stat, inputs.settle_s):
            continue
        seen = previous.get(rel)
        if seen and seen[:2] == [stat.st_size, stat.st_mtime_ns]:
            snapshot[rel] = seen
        else:
            snapshot[rel] = [stat.st_size, stat.st_mtime_ns, scan_file(file, lines=False).sha256]
    return snapshot


def content_changed(previous: dict, current: dict) -> list[str]:
    """Paths that are new or whose content hash differs."""
    return sorted(p for p, v in current.items() if p not in previous or previous[p][2] != v[2])


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

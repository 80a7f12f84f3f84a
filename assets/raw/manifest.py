"""The drop-folder sensor's memory: what the published warehouse holds (read without a lock) and
what the folder holds now, hashed only where size or mtime changed."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from ..settings import Inputs
from .ingest import drop_folder_changes, still_arriving
from .sources import scan_file

LOADED_FILES_SQL = """
select
    path,
    any_value(size_bytes) as size_bytes,
    any_value(mtime_ns) as mtime_ns,
    any_value(sha256) as sha256
from ops.files
group by path
"""


def loaded_files(warehouse: Path) -> dict[str, list]:
    """{path: [size_bytes, mtime_ns, sha256]} of every file in the warehouse's ops.files, read
    read-only; {} when there is no warehouse (or no ops.files) yet, so every file is new."""
    if not warehouse.is_file():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            ["ops", "files"],
        ).fetchall()
        rows = con.execute(LOADED_FILES_SQL).fetchall() if found else []
    return {path: [size, mtime, sha] for path, size, mtime, sha in rows}


class LoadedFiles(dg.ConfigurableResource):
    """The published warehouse file, only read (no writer lock, no copy): the sensor's memory."""

    warehouse: str

    def read(self) -> dict[str, list]:
        return loaded_files(Path(self.warehouse))


def folder_snapshot(inputs: Inputs, previous: dict[str, list] | None) -> dict[str, list]:
    """{path: [size, mtime_ns, sha256]}, the hash the loader records in ops.files; a file with the
    size and mtime of `previous` is not re-hashed, one still being written (changed within
    inputs.settle_s) is left for a later tick."""
    previous = previous or {}
    known = {path: (seen[0], seen[1]) for path, seen in previous.items()}
    same, changed = drop_folder_changes(inputs.raw_path, known)
    snapshot = {path: previous[path] for path in same}
    for rel, file, stat in changed:
        if not still_arriving(stat, inputs.settle_s):
            snapshot[rel] = [stat.st_size, stat.st_mtime_ns, scan_file(file, lines=False).sha256]
    return dict(sorted(snapshot.items()))


def content_changed(previous: dict, current: dict) -> list[str]:
    """Paths that are new or whose content hash differs."""
    return sorted(p for p, v in current.items() if p not in previous or previous[p][2] != v[2])

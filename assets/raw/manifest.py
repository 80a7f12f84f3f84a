"""What the published warehouse already holds, read without a lock, for the drop-folder sensor."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

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

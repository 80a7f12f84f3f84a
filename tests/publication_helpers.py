"""Small warehouses and publications for the publication tests."""

from pathlib import Path

import duckdb

from assets.warehouse import Publication


def make_warehouse(path: Path, value: int) -> None:
    """A warehouse file whose one table `t` holds `value`."""
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table t as select ? as v", [value])


def published_with(folder: Path, value: int = 1) -> Path:
    """A published warehouse folder/w.duckdb holding `value`."""
    path = folder / "w.duckdb"
    make_warehouse(path, value)
    return path


def begun(published: Path) -> Publication:
    """A publication of `published` that holds the writer lock (waiting at most 1 s for it)."""
    publication = Publication(published, lock_timeout_s=1)
    publication.begin()
    return publication

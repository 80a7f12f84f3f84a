"""The warehouse: a run builds a private copy and publishes it atomically when every step succeeded.

Notebooks keep reading the published file (read-only) while a run writes; a failed or killed run
leaves the published file untouched; one run writes at a time (a lock file, waited on).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock for longer than we are willing to wait."""


class Publication:
    """One run's private build of the warehouse file, published with os.replace on success."""

    def __init__(self, published: Path, lock_timeout_s: float = 900.0) -> None:
        self.published = published
        self.build = published.with_name(published.name + ".build")
        self.lock_path = published.with_name(published.name + ".lock")
        self.lock_timeout_s = lock_timeout_s
        self.failed: list[str] = []
        self._lock_handle = None
        self._started = False

    def begin(self) -> None:
        """Take the writer lock (waiting for a running run) and clear a killed run's leftovers."""
        self.published.parent.mkdir(parents=True, exist_ok=True)
        handle = self.lock_path.open("a+")
        deadline = time.monotonic() + self.lock_timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as err:
                if time.monotonic() > deadline:
                    handle.close()
                    raise WarehouseBusy(
                        f"Another resfritt run is writing {self.published} and has held it for "
                        f"more than {self.lock_timeout_s:.0f} s. Wait for it to finish "
                        "(Dagster UI, "
                        "Runs) and start this run again; nothing was changed."
                    ) from err
                time.sleep(0.5)
        self._lock_handle = handle
        for leftover in (self.build, self.build.with_name(self.build.name + ".wal")):
            leftover.unlink(missing_ok=True)

    def writable(self) -> Path:
        """The build file, copied from the published one on first use."""
        if not self._started:
            if self.published.exists():
                shutil.copyfile(self.published, self.build)
            self._started = True
        return self.build

    def readable(self) -> Path | None:
        """What a read in this run should see: the build if started, else the published file."""
        if self._started:
            return self.build
        return self.published if self.published.exists() else None

    def finish(self) -> bool:
        """Publish the build if nothing failed, else drop it. Returns whether it published."""
        published = False
        try:
            if self._started and not self.failed:
                with duckdb.connect(str(self.build)) as con:
                    con.execute("checkpoint")
                os.replace(self.build, self.published)
                _fsync_dir(self.published.parent)
                published = True
            else:
                self.build.unlink(missing_ok=True)
        finally:
            self._started = False
            if self._lock_handle is not None:
                fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
                self._lock_handle.close()
                self._lock_handle = None
        return published


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file analysts query; a run writes a copy and publishes it at the end."""

    path: str
    lock_timeout_s: float = 900.0

    _publication: Publication | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._publication = Publication(Path(self.path).resolve(), self.lock_timeout_s)
        self._publication.begin()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._publication is not None:
            published = self._publication.finish()
            if context.log is not None:
                state = "published" if published else "left unchanged"
                context.log.info(f"Warehouse {self.path} {state}.")

    @property
    def publication(self) -> Publication:
        if self._publication is None:
            raise RuntimeError("the warehouse resource is used outside a run")
        return self._publication

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection to this run's build; an error marks the run as not publishable."""
        con = duckdb.connect(str(self.publication.writable()))
        try:
            yield con
        except BaseException as err:
            self.publication.failed.append(repr(err))
            raise
        finally:
            con.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only view of what this run sees, without copying the warehouse."""
        path = self.publication.readable()
        con = duckdb.connect(str(path), read_only=True) if path else duckdb.connect()
        try:
            yield con
        finally:
            con.close()

    def block(self, reason: str) -> None:
        """A blocking check failed: this run must not publish."""
        self.publication.failed.append(reason)

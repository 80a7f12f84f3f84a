"""The warehouse: a run builds a private copy and publishes it atomically when every step succeeded.

Notebooks keep reading the published file (read-only) while a run writes; a failed or killed run
leaves the published file untouched; one run writes at a time (a lock file, waited on).

Why it holds: a run writes only <name>.build; publishing is one os.replace of a checkpointed file,
so the published path always names a complete database. A notebook's open read-only connection
keeps the inode it opened (the old file stays readable until the notebook reconnects). A killed run
leaves at most a .build file, which the next run deletes once it holds the lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
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

    def begin(self, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the writer lock (waiting for a running run) and clear a killed run's leftovers."""
        self.published.parent.mkdir(parents=True, exist_ok=True)
        handle = self.lock_path.open("a+")
        deadline = time.monotonic() + self.lock_timeout_s
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as err:
                if time.monotonic() > deadline:
                    handle.close()
                    raise WarehouseBusy(
                        f"Another resfritt run is writing {self.published} and has held it for "
                        f"more than {self.lock_timeout_s:.0f} s (RESFRITT_LOCK_TIMEOUT_S). Wait "
                        "for it to finish (Dagster UI, Runs) and start this run again; nothing "
                        "was changed."
                    ) from err
                if not waited and on_wait is not None:
                    on_wait(
                        f"Another resfritt run is writing {self.published}; waiting up to "
                        f"{self.lock_timeout_s:.0f} s for it to finish."
                    )
                waited = True
                time.sleep(0.2)
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


def run_problems(context: dg.InitResourceContext) -> list[str]:
    """Steps that failed and blocking-severity checks that failed in this run, from its event log.

    The resource cannot see step outcomes directly; without this, a step that raised outside
    Warehouse.connect() would still let a half-built warehouse publish.
    """
    instance, run_id = context.instance, context.run_id
    if instance is None or not run_id:
        return []
    problems = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        problems.append(f"step {entry.step_key} failed")
    evaluations = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    for entry in evaluations:
        evaluation = entry.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            key = evaluation.asset_key.to_user_string()
            problems.append(f"check {key}:{evaluation.check_name} failed")
    return problems


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
    # DuckDB keeps temporary tables in memory up to this limit and spills beyond it, so a
    # 10-million-row load stays within a laptop's memory (its default is 80% of RAM).
    memory_limit: str = "768MB"

    _publication: Publication | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._publication = Publication(Path(self.path).resolve(), self.lock_timeout_s)
        self._publication.begin(context.log.info if context.log is not None else None)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._publication is None:
            return
        self._publication.failed.extend(run_problems(context))
        published = self._publication.finish()
        if context.log is not None:
            if published:
                context.log.info(f"Warehouse {self.path} published.")
            elif self._publication.failed:
                reasons = "; ".join(self._publication.failed)[:2000]
                context.log.warning(f"Warehouse {self.path} left unchanged: {reasons}")
            else:
                context.log.info(f"Warehouse {self.path} unchanged (nothing new to write).")

    @property
    def publication(self) -> Publication:
        if self._publication is None:
            raise RuntimeError("the warehouse resource is used outside a run")
        return self._publication

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection to this run's build; an error marks the run as not publishable."""
        con = duckdb.connect(
            str(self.publication.writable()), config={"memory_limit": self.memory_limit}
        )
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
        config = {"memory_limit": self.memory_limit}
        con = (
            duckdb.connect(str(path), read_only=True, config=config)
            if path
            else duckdb.connect(config=config)
        )
        try:
            yield con
        finally:
            con.close()

    def block(self, reason: str) -> None:
        """A blocking check failed: this run must not publish."""
        self.publication.failed.append(reason)

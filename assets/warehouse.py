"""The warehouse: a run builds a private copy and publishes it atomically when every step succeeded.

Notebooks keep reading the published file (read-only) while a run writes; a failed or killed run
leaves the published file, the Parquet layer and the reports untouched; one run writes at a time
(a lock file, waited on).

Why it holds: a run writes only <name>.build and a stage folder (.<name>.stage, see publish.py);
publishing is a `ready` marker in the stage, then one os.replace of the checkpointed build and the
renames of the staged outputs, so the published path always names a complete database. A run
killed after the marker is completed by the next one; before it, its build and stage are deleted
once the next run holds the lock. The warehouse published before the last one is kept as
<stem>.previous<suffix>: a published file that cannot be read is restored from it when a run
begins. Temporary copies of personal data live in .<name>.private (0700), emptied by every run.

The build is a reflink of the published file where the file system can; else the kept previous
generation becomes the build, brought up to date by writing only the chunks that differ (a
nightly file changes a few percent of the file), unless a reader still has it open; else a
whole copy. A run that fails or is killed turns its build back into a copy of the published
file, kept as the previous generation.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from .filecopy import clone_or_copy, reflink, update_in_place
from .publish import publish_stage


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock for longer than we are willing to wait."""


class WarehouseDamaged(RuntimeError):
    """The published warehouse cannot be read and no kept generation can replace it."""


class Publication:
    """One run's private build of the warehouse file and stage of outputs, published on success."""

    def __init__(self, published: Path, lock_timeout_s: float = 900.0) -> None:
        self.published = published
        self.build = published.with_name(published.name + ".build")
        self.lock_path = published.with_name(published.name + ".lock")
        self.previous = published.with_name(f"{published.stem}.previous{published.suffix}")
        self.stage = published.with_name(f".{published.name}.stage")
        self.private = published.with_name(f".{published.name}.private")
        self.lock_timeout_s = lock_timeout_s
        self.failed: list[str] = []
        self.notes: list[str] = []
        # How each copy of a warehouse file was made (filecopy.METHODS), for the run's debug log.
        self.copies: list[str] = []
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
        try:
            self._recover()
        except BaseException:
            self._unlock()
            raise

    def _recover(self) -> None:
        """Finish or clear what a killed run left, empty the private folder, restore damage."""
        if (self.stage / "ready").exists():
            self._commit()
            self.notes.append(
                f"The last run was stopped while it published {self.published}; its publication "
                "was completed now (warehouse, Parquet and reports from that run)."
            )
        self.build.with_name(self.build.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(self.stage, ignore_errors=True)
        self.stage.mkdir()
        # A killed run's temporary copies of personal data go here; remove them before anything.
        shutil.rmtree(self.private, ignore_errors=True)
        self.private.mkdir(mode=0o700)
        self.private.chmod(0o700)
        self._restore_if_damaged()
        self._drop_build()

    def _restore_if_damaged(self) -> None:
        """A published warehouse that cannot be read is replaced by the kept previous generation
        (the damaged file is kept beside it); without a good one the run stops and says why."""
        problem = damage(self.published)
        if problem is None:
            return
        damaged = self.published.with_name(f"{self.published.stem}.damaged{self.published.suffix}")
        kept = damage(self.previous) if self.previous.exists() else "it does not exist"
        if kept is not None:
            raise WarehouseDamaged(
                f"The warehouse {self.published} cannot be read ({problem}), and there is no "
                f"good earlier generation to restore ({self.previous}: {kept}). Nothing was "
                f"changed. Restore {self.published.name} from a backup, or move it away (for "
                f"example to {damaged.name}) so that the next run builds a new warehouse from "
                "every file in the drop folder."
            )
        os.replace(self.published, damaged)
        copy = self.published.with_name(self.published.name + ".restore")
        self._copy(self.previous, copy)
        os.replace(copy, self.published)
        _fsync_dir(self.published.parent)
        when = datetime.fromtimestamp(self.previous.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        self.notes.append(
            f"The warehouse {self.published} could not be read ({problem}). It was restored from "
            f"{self.previous.name}, the generation published before the last one ({when}); the "
            f"damaged file is kept as {damaged.name}. Exports loaded since then are loaded again "
            "by this run if they are still in the drop folder."
        )

    def staged(self, name: str) -> Path:
        """An empty folder in this run's stage for one output (`parquet`, `reports`), moved into
        place when the warehouse is published and dropped when it is not."""
        folder = self.stage / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def writable(self) -> Path:
        """The build file, made from the published one on first use (module docstring)."""
        if not self._started:
            if self.published.exists():
                self._make_build()
            self._started = True
        return self.build

    def _make_build(self) -> None:
        started = time.monotonic()
        if reflink(self.published, self.build):
            self._log_copy(self.published, self.build, "reflink", started)
            return
        self.build.unlink()
        if self.previous.exists() and not self.previous.samefile(self.published):
            os.replace(self.previous, self.build)
            if self._update(self.build):
                return
            os.replace(self.build, self.previous)
        self._copy(self.published, self.build)

    def _update(self, older: Path) -> bool:
        """Bring an older generation up to the published file's bytes in place; False (the file
        untouched) while a reader still has it open."""
        started = time.monotonic()
        written = update_in_place(self.published, older)
        if written is None:
            self.copies.append(f"{older.name} is open in a reader: not updated in place")
            return False
        size = self.published.stat().st_size
        detail = f"{written / 2**20:,.0f} of {size / 2**20:,.0f} MB written"
        self._log_copy(self.published, older, "delta", started, detail)
        return True

    def _drop_build(self) -> None:
        """A build that will not be published becomes the previous generation again, updated to
        the published file, if that generation is missing (the build was made from it); else it
        is deleted."""
        if not self.build.exists():
            return
        missing = not self.previous.exists() and self.published.exists()
        if missing and damage(self.published) is None and self._update(self.build):
            os.replace(self.build, self.previous)
            _fsync_dir(self.previous.parent)
        self.build.unlink(missing_ok=True)

    def _copy(self, src: Path, dst: Path) -> None:
        started = time.monotonic()
        self._log_copy(src, dst, clone_or_copy(src, dst), started)

    def _log_copy(
        self, src: Path, dst: Path, method: str, started: float, detail: str = ""
    ) -> None:
        seconds = time.monotonic() - started
        tail = f", {detail}" if detail else ""
        self.copies.append(f"{src.name} -> {dst.name}: {method}, {seconds:.2f} s{tail}")

    def readable(self) -> Path | None:
        """What a read in this run should see: the build if started, else the published file."""
        if self._started:
            return self.build
        return self.published if self.published.exists() else None

    def finish(self) -> bool:
        """Publish the build and the staged outputs if nothing failed, else drop them. Returns
        whether the warehouse itself was published."""
        published = False
        try:
            if not self.failed:
                if self._started:
                    with duckdb.connect(str(self.build)) as con:
                        con.execute("checkpoint")
                published = self._started
                ready = self.stage / "ready"
                with ready.open("w") as handle:
                    os.fsync(handle.fileno())
                _fsync_dir(self.stage)
                self._commit()
            else:
                self._drop_build()
                shutil.rmtree(self.stage, ignore_errors=True)
            shutil.rmtree(self.private, ignore_errors=True)
        finally:
            self._started = False
            self._unlock()
        return published

    def _unlock(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def _commit(self) -> None:
        """Move the build and the staged outputs into place; repeatable after a crash halfway."""
        if self.build.exists():
            if self.published.exists():
                keep = self.previous.with_name(self.previous.name + ".link")
                keep.unlink(missing_ok=True)
                try:
                    os.link(self.published, keep)
                except OSError:  # a file system without hard links
                    self._copy(self.published, keep)
                os.replace(keep, self.previous)
            os.replace(self.build, self.published)
        self.notes.extend(publish_stage(self.stage, self.published))
        _fsync_dir(self.published.parent)
        (self.stage / "ready").unlink(missing_ok=True)
        shutil.rmtree(self.stage, ignore_errors=True)


# DuckDB's file starts with three 4 KiB headers; its blocks follow.
HEADERS_BYTES = 3 * 4096


def damage(path: Path) -> str | None:
    """Why a DuckDB file cannot be read, or None if it can (or does not exist yet): it must open,
    hold at least the blocks its header says are in use (a truncated copy does not), and count
    every table. Not all its blocks: DuckDB cuts free blocks off the end of the file and still
    counts them (a 50 M-row warehouse one block shorter than its total was refused)."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            block_bytes, blocks = con.execute(
                "select block_size, used_blocks from pragma_database_size() "
                "where database_name = current_database()"
            ).fetchall()[0]
            expected = HEADERS_BYTES + block_bytes * blocks
            if path.stat().st_size < expected:
                return f"the file is cut short: {path.stat().st_size:,} of {expected:,} bytes"
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = current_database()"
            ).fetchall()
            for schema, table in tables:
                con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()
    except duckdb.Error as err:
        return str(err).splitlines()[0]
    return None


def run_problems(context: dg.InitResourceContext) -> list[str]:
    """The one publication gate: steps that failed or never finished (an interrupted run) and
    blocking-severity checks that failed in this run, read from its event log when it ends."""
    instance, run_id = context.instance, context.run_id
    if instance is None or not run_id:
        return []

    def steps(kind: dg.DagsterEventType) -> list[str]:
        return [entry.step_key for entry in instance.all_logs(run_id, of_type=kind)]

    failed = steps(dg.DagsterEventType.STEP_FAILURE)
    unfinished = set(steps(dg.DagsterEventType.STEP_START)) - set(failed)
    unfinished -= set(steps(dg.DagsterEventType.STEP_SUCCESS))
    problems = [f"step {step} failed" for step in failed]
    problems += [f"step {step} did not finish" for step in sorted(unfinished)]
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
        self._say(context)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._publication is None:
            return
        self._publication.failed.extend(run_problems(context))
        published = self._publication.finish()
        self._say(context)
        if context.log is not None:
            if published:
                context.log.info(f"Warehouse {self.path} published.")
            elif self._publication.failed:
                reasons = "; ".join(self._publication.failed)[:2000]
                context.log.warning(f"Warehouse {self.path} left unchanged: {reasons}")
            else:
                context.log.info(f"Warehouse {self.path} unchanged (nothing new to write).")

    def _say(self, context: dg.InitResourceContext) -> None:
        """Log what the publication did that a person should know (a restore, a folder moved),
        and, at debug level, how it copied warehouse files."""
        if self._publication is not None and context.log is not None:
            for note in self._publication.notes:
                context.log.warning(note)
            for copy in self._publication.copies:
                context.log.debug(f"Warehouse file copied: {copy}")
        if self._publication is not None:
            self._publication.notes.clear()
            self._publication.copies.clear()

    @property
    def publication(self) -> Publication:
        if self._publication is None:
            raise RuntimeError("the warehouse resource is used outside a run")
        return self._publication

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection to this run's build (a step that fails stops the publication)."""
        con = duckdb.connect(str(self.publication.writable()), config=self._config())
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only view of what this run sees, without copying the warehouse."""
        path = self.publication.readable()
        config = self._config()
        con = (
            duckdb.connect(str(path), read_only=True, config=config)
            if path
            else duckdb.connect(config=config)
        )
        try:
            yield con
        finally:
            con.close()

    def _config(self) -> dict:
        # DuckDB spills to disk beside the database by default; spilled rows are personal data.
        spill = self.publication.private / "duckdb"
        return {"memory_limit": self.memory_limit, "temp_directory": str(spill)}

"""Walk the drop folder: hash, recognise and load each new or changed export; count every row."""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from python_calamine import CalamineError

from schemas import Contract, load_contracts

from ..db import scalar, table_exists
from ..fingerprint import ROOT, code_fingerprint, fingerprint
from .file_load import FileLoad, FileRecord
from .load import ensure_raw_table, install_macros
from .progress import OnProgress
from .sources import scan_file
from .sql_compile import raw_table

# The loader is this module and all it imports: editing any of them, a contract or parse.sql
# changes every file's fingerprint, so every file loads again.
LOADER = __name__
# Errors a malformed or hostile file can raise while it is read (an encrypted or Deflate64 member
# the zip module refuses, nesting past the recursion limit, a sheet too large to hold): the file
# is recorded unreadable and the run goes on. Anything else is a bug and stops the run.
READ_ERRORS = (
    RuntimeError,
    NotImplementedError,
    MemoryError,
    duckdb.Error,
    UnicodeError,
    csv.Error,
    ValueError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    CalamineError,
)
IGNORED_NAMES = {"readme.md", "readme.txt", ".gitkeep", ".ds_store", "thumbs.db"}

OPS_DDL = """
create schema if not exists ops;
create schema if not exists raw;
create table if not exists ops.files (
    path varchar,
    part varchar,
    sha256 varchar,
    export_kind varchar,
    rows_in bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    status varchar,
    loaded_at timestamp,
    message varchar,
    fingerprint varchar,
    size_bytes bigint,
    mtime_ns bigint
);
create table if not exists ops.pseudonym_key (
    fingerprint varchar,
    recorded_at timestamp
);
create table if not exists ops.stated_figures (
    path varchar,
    part varchar,
    figure varchar,
    stated double,
    line bigint
);
create table if not exists ops.quarantine (
    path varchar,
    part varchar,
    row_number bigint,
    column_name varchar,
    value varchar,
    reason varchar,
    sha256 varchar,
    export_kind varchar
);
"""


@dataclass
class IngestReport:
    """What one pass over the drop folder did."""

    loaded: list[FileRecord] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still being written: said, not recorded


class DropFolderMissing(FileNotFoundError):
    """The drop folder does not exist: a misspelt setting must not look like an empty folder."""


def drop_folder_files(raw_dir: Path) -> list[Path]:
    """Every export in the drop folder and its sub-folders, in a stable order."""
    if not raw_dir.is_dir():
        raise DropFolderMissing(
            f"The drop folder {raw_dir} does not exist (or is not a folder): check "
            "RESFRITT_RAW_DIR, or create the folder; nothing was loaded"
        )
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
        and p.name.lower() not in IGNORED_NAMES
    )


def drop_folder_changes(
    raw_dir: Path, known: dict[str, tuple[int, int]]
) -> tuple[list[str], list[tuple[str, Path, os.stat_result]]]:
    """What changed in the drop folder since `known` ({path: (size, mtime_ns)}), without hashing:
    the paths still as known, and the new or possibly changed files (path, file, stat). The
    loader and the sensor both ask this."""
    same, changed = [], []
    for file in drop_folder_files(raw_dir):
        rel, stat = drop_name(file, raw_dir), file.stat()
        if known.get(rel) == (stat.st_size, stat.st_mtime_ns):
            same.append(rel)
        else:
            changed.append((rel, file, stat))
    return same, changed


def drop_name(file: Path, raw_dir: Path) -> str:
    """A file's path in the drop folder as it is recorded: bytes of a name that are not UTF-8
    (written in another system's encoding) are shown escaped, as \\xe9."""
    rel = str(file.relative_to(raw_dir))
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _readable_name(file: Path, rel: str, scratch: Path) -> Path:
    """The file under a name the readers can pass on: itself, or a link named `rel` when its own
    name is not UTF-8."""
    try:
        str(file).encode("utf-8")
        return file
    except UnicodeEncodeError:
        pass
    link = scratch / "names" / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(file.resolve())
    return link


def _name_note(rel: str) -> str:
    return (
        f". Warning: the file's name is not valid UTF-8 (recorded as {rel!r}); rename it and its "
        "rows follow the new name"
    )


def _escaped_name_note(record: FileRecord) -> None:
    record.message += _name_note(record.path)
    if record.status == "loaded":
        record.status = "loaded_with_warnings"


class PseudonymKeyMismatch(RuntimeError):
    """The run's pseudonymisation key is not the one the warehouse was built with."""


def key_fingerprint(pseudonym_key: str) -> str:
    """A one-way fingerprint of the key (never the key), to tell two keys apart."""
    return hashlib.sha256(b"resfritt pseudonym key\0" + pseudonym_key.encode()).hexdigest()[:16]


def check_pseudonym_key(con: duckdb.DuckDBPyConnection, pseudonym_key: str) -> None:
    """Stop, before anything changes, when the key differs from the warehouse's own; a warehouse
    without one takes this key's fingerprint."""
    fingerprint = key_fingerprint(pseudonym_key)
    rows = con.execute("select fingerprint from ops.pseudonym_key").fetchall()
    if not rows:
        con.execute("insert into ops.pseudonym_key values (?, current_timestamp)", [fingerprint])
        return
    if rows[0][0] != fingerprint:
        raise PseudonymKeyMismatch(
            f"The pseudonymisation key of this run (fingerprint {fingerprint}) is not the one "
            f"the warehouse was built with (fingerprint {rows[0][0]}): the same people would get "
            "new pseudonyms and re-exported trips would be counted twice. Nothing was changed. "
            "Set RESFRITT_PSEUDONYM_KEY, or restore the .pseudonym_key file beside the "
            "warehouse, to the original key; or, to start over with this key, build a new "
            "warehouse."
        )


def loader_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Changes when the loader's code (under ROOT), a contract or the municipality keys change."""
    # Ordered by the value itself: `order by all` inside an aggregate orders by nothing.
    keys = scalar(
        con,
        "select string_agg(k, ',' order by k) from (select concat_ws('|', key_type, key, code, "
        "valid_from, valid_to) as k from ref.municipality_keys)",
    )
    return fingerprint([keys or ""], code_fingerprint(LOADER, ROOT))


def file_fingerprint(sha256: str, loader: str) -> str:
    """A file's fingerprint: its content hash and the loader's; when it changes, it reloads."""
    return fingerprint([sha256], loader)


def rename(con: duckdb.DuckDBPyConnection, old: str, new: str, contracts) -> None:
    """A file moved or was renamed: its rows follow it, nothing is loaded again."""
    for contract in contracts:
        if table_exists(con, "raw", contract.kind):
            con.execute(
                f"update {raw_table(contract)} set source_path = ? where source_path = ?",
                [new, old],
            )
    con.execute("update ops.quarantine set path = ? where path = ?", [new, old])
    con.execute("update ops.stated_figures set path = ? where path = ?", [new, old])
    con.execute(
        """
        update ops.files
        set path = ?,
            message = replace(message, ?, ''),
            status = case
                when status = 'loaded_with_warnings'
                    and not contains(replace(message, ?, ''), 'Warning')
                    then 'loaded'
                else status
            end
        where path = ?
        """,
        [new, _name_note(old), _name_note(old), old],
    )


def _record(con: duckdb.DuckDBPyConnection, rec: FileRecord, fingerprint: str, stat) -> None:
    con.execute(
        "insert into ops.files values (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?)",
        [
            rec.path,
            rec.part,
            rec.sha256,
            rec.export_kind,
            rec.rows_in,
            rec.rows_loaded,
            rec.rows_quarantined,
            rec.status,
            rec.message,
            fingerprint,
            stat.st_size,
            stat.st_mtime_ns,
        ],
    )


def still_arriving(stat, settle_s: float, now: float | None = None) -> bool:
    """Whether a file changed less than `settle_s` seconds ago: it may still be being copied."""
    return settle_s > 0 and (now or time.time()) - stat.st_mtime_ns / 1e9 < settle_s


def waiting_message(rel: str, settle_s: float) -> str:
    return (
        f"{rel}: still being written (changed less than {settle_s:g} s ago, "
        "RESFRITT_SETTLE_S); left for the next run, nothing to do"
    )


def ingest_folder(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    pseudonym_key: str,
    settle_s: float = 0.0,
    on_progress: OnProgress | None = None,
    private: Path | None = None,
) -> IngestReport:
    """Load what is new or changed in the drop folder, one file per transaction; a file changed
    less than `settle_s` seconds ago is left for the next run (it may still be arriving).
    `on_progress(path, rows_read, bytes_read, bytes_total)` reports a file as it loads.
    Temporary copies of the exports go in `private` (a 0700 folder), else the system's."""
    contracts = load_contracts()
    con.execute(OPS_DDL)
    check_pseudonym_key(con, pseudonym_key)
    install_macros(con, pseudonym_key)
    for contract in contracts:
        ensure_raw_table(con, contract)
    files = drop_folder_files(raw_dir)
    with tempfile.TemporaryDirectory(prefix="resfritt-", dir=private) as scratch:
        folder = FolderPass(
            con,
            raw_dir,
            contracts,
            loader_fingerprint(con),
            present={drop_name(f, raw_dir) for f in files},
            scratch=Path(scratch),
            settle_s=settle_s,
            on_progress=on_progress,
        )
        for file in files:
            folder.visit(file)
    return folder.report


@dataclass(frozen=True)
class Known:
    """What ops.files holds of a path."""

    sha256: str
    fingerprint: str
    size_bytes: int | None
    mtime_ns: int | None


def known_files(con: duckdb.DuckDBPyConnection, loader: str) -> dict[str, tuple[Known, bool]]:
    """Each recorded path, and whether it was loaded by this loader (its fingerprint holds)."""
    rows = con.execute(
        "select path, any_value(sha256), any_value(fingerprint), any_value(size_bytes), "
        "any_value(mtime_ns) from ops.files group by path"
    ).fetchall()
    return {
        path: (known, known.fingerprint == file_fingerprint(known.sha256, loader))
        for path, *values in rows
        for known in [Known(*values)]
    }


def file_versions(con: duckdb.DuckDBPyConnection, kinds: list[str]) -> set[tuple]:
    """The (path, part, fingerprint) of every file of these export kinds in ops.files: what a
    table built from their rows holds, file by file."""
    if not table_exists(con, "ops", "files"):
        return set()
    rows = con.execute(
        "select path, part, fingerprint from ops.files where list_contains(?, export_kind)",
        [kinds],
    ).fetchall()
    return set(rows)


@dataclass
class FolderPass:
    """One pass over the drop folder: what is recorded, and what this pass did."""

    con: duckdb.DuckDBPyConnection
    raw_dir: Path
    contracts: tuple[Contract, ...]
    loader: str
    present: set[str]
    scratch: Path
    settle_s: float
    on_progress: OnProgress | None = None
    report: IngestReport = field(default_factory=IngestReport)

    def __post_init__(self) -> None:
        self.known = known_files(self.con, self.loader)
        self.by_sha = {k.sha256: p for p, (k, current) in self.known.items() if current}

    def visit(self, file: Path) -> None:
        """Leave the file, or record, rename or load it, in a transaction of its own."""
        rel, stat = drop_name(file, self.raw_dir), file.stat()
        old, current = self.known.get(rel, (None, False))
        if current and (old.size_bytes, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            self.report.unchanged.append(rel)
        elif still_arriving(stat, self.settle_s):
            self.report.waiting.append(waiting_message(rel, self.settle_s))
        elif _outside(file, self.raw_dir):
            self._unreadable(rel, _outside_message(rel), stat, self._fingerprint(""))
        else:
            try:
                scan = scan_file(file)
            except OSError as err:
                # no fingerprint: the next run tries it again
                self._unreadable(rel, _unopenable_message(rel, err), stat, "")
                return
            with FileLoad(self.con, rel, self.contracts, self.on_progress) as unit:
                recorded, failure = len(self.report.loaded), None
                try:
                    self._settle(unit, file, scan.sha256, stat, scan, old if current else None)
                except READ_ERRORS as err:
                    failure = _plain(rel, err)
                moved = moved_while_read(file, stat)
                if moved or failure:
                    # One unreadable file must not stop the run: record it and go on. A file that
                    # changed or went while it was read keeps no fingerprint: the next run retries.
                    unit.restart()
                    del self.report.loaded[recorded:]
                    message = f"{rel}: {moved}" if moved else failure
                    record = FileRecord.failed(rel, scan.sha256, "unreadable", message)
                    self._add(record, stat, "" if moved else None)

    def _settle(self, unit: FileLoad, file: Path, sha: str, stat, scan, old: Known | None) -> None:
        rel, first = unit.path, self.by_sha.get(sha)
        if old and old.sha256 == sha:
            self._touch(rel, stat)
            self.report.unchanged.append(rel)
        elif first not in (None, rel) and first not in self.present:
            rename(self.con, first, rel, self.contracts)
            self._touch(rel, stat)
            self.report.renamed.append((first, rel))
            self.by_sha[sha] = rel
        elif first not in (None, rel):
            unit.purge()
            message = f"{rel}: same content as {first}, which is loaded; counted once"
            self._add(FileRecord.failed(rel, sha, "duplicate", message), stat)
        else:
            unit.purge()
            readable = _readable_name(file, rel, self.scratch)
            for record in unit.load(readable, scan, self.scratch):
                if readable != file:
                    _escaped_name_note(record)
                self._add(record, stat)
            self.by_sha[sha] = rel

    def _fingerprint(self, sha: str) -> str:
        return file_fingerprint(sha, self.loader)

    def _add(self, record: FileRecord, stat, fingerprint: str | None = None) -> None:
        if fingerprint is None:
            fingerprint = self._fingerprint(record.sha256)
        _record(self.con, record, fingerprint, stat)
        self.report.loaded.append(record)

    def _touch(self, rel: str, stat) -> None:
        self.con.execute(
            "update ops.files set size_bytes = ?, mtime_ns = ? where path = ?",
            [stat.st_size, stat.st_mtime_ns, rel],
        )

    def _unreadable(self, rel: str, message: str, stat, fingerprint: str) -> None:
        """Record a file as unreadable with no rows, replacing whatever it held."""
        with FileLoad(self.con, rel, self.contracts) as unit:
            unit.purge()
            self._add(FileRecord.failed(rel, "", "unreadable", message), stat, fingerprint)


def _outside(file: Path, raw_dir: Path) -> bool:
    """Whether a file (through a symbolic link) lies outside the drop folder."""
    return not file.resolve().is_relative_to(raw_dir.resolve())


def _outside_message(rel: str) -> str:
    """A link out of the drop folder is refused (it could expose any file the account reads)."""
    return (
        f"{rel}: is a link to a file outside the drop folder, refused (nothing outside the drop "
        "folder is read); copy the export itself into the drop folder"
    )


def moved_while_read(file: Path, before: os.stat_result) -> str | None:
    """Why a file's load cannot stand because the file itself moved under the reader (changed
    size or time, or gone), in words; None when it is as it was when its reading began."""
    try:
        after = file.stat()
    except OSError:
        return (
            "disappeared while it was read; nothing of it was loaded (the next run reads it if "
            "it is back)"
        )
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        return (
            "changed while it was read; nothing of it was loaded (it was still being copied or "
            "saved: the next run reads it again)"
        )
    return None


def _unopenable_message(rel: str, err: OSError) -> str:
    """A file that cannot even be opened (no read permission, gone): recorded, the run goes on."""
    reason = err.strerror or type(err).__name__
    return (
        f"{rel}: could not be opened ({reason}); give the pipeline's account read access to it "
        "(or copy it into the drop folder again) and the next run loads it; the other files "
        "were loaded"
    )


def _plain(rel: str, err: Exception) -> str:
    """A message an analyst can act on, from a reader error (first line, no traceback)."""
    detail = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
    return (
        f"{rel}: could not be read as an export ({detail}). Open it, save it again as CSV "
        "(UTF-8) or .xlsx and drop it again; the other files were loaded"
    )


def needs_ingest(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> bool:
    """Whether any file in the drop folder is new, changed or due for a reload (no hashing)."""
    if not table_exists(con, "ops", "files") or not table_exists(con, "ref", "municipality_keys"):
        return True
    known = {
        path: (k.size_bytes, k.mtime_ns)
        for path, (k, current) in known_files(con, loader_fingerprint(con)).items()
        if current
    }
    return bool(drop_folder_changes(raw_dir, known)[1])

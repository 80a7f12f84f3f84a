"""Walk the drop folder: hash, recognise and load each new or changed export; count every row."""

from __future__ import annotations

import csv
import hashlib
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
from python_calamine import CalamineError

from schemas import CONTRACT_DIR, Contract, load_contracts

from .load import (
    Outcome,
    SafeReadNeeded,
    SerialReadNeeded,
    drop_helpers,
    ensure_raw_table,
    install_macros,
    load_layout,
    raw_table,
)
from .progress import OnProgress
from .recognise import Layout, Miss, recognise
from .sources import FileScan, Source, UnreadableFile, open_sources, scan_file

LOADER_VERSION = "4"
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
# Documents are never exports: they are ignored. Notes (.md, .txt) are read, since a text export
# may carry that name; one that is no known export stays `unrecognized`, its message says why.
DOCUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".rtf"}
NOTE_SUFFIXES = {".md", ".txt"}

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
class FileRecord:
    """One row of ops.files."""

    path: str
    part: str
    sha256: str
    export_kind: str | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    status: str
    message: str


@dataclass
class IngestReport:
    """What one pass over the drop folder did."""

    loaded: list[FileRecord] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still being written: said, not recorded

    @property
    def changed(self) -> bool:
        return bool(self.loaded or self.renamed)


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


def ensure_ops(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(OPS_DDL)


def loader_fingerprint(con: duckdb.DuckDBPyConnection, contract_dir: Path = CONTRACT_DIR) -> str:
    """Changes when the loader, a contract or the municipality keys change: then files reload."""
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for path in sorted(contract_dir.glob("*.toml")):
        digest.update(path.read_bytes())
    digest.update((Path(__file__).parent / "parse.sql").read_bytes())
    keys = con.execute(
        "select string_agg(concat_ws('|', key_type, key, code, valid_from, valid_to), ',' "
        "order by all) from ref.municipality_keys"
    ).fetchall()[0][0]
    digest.update((keys or "").encode())
    return digest.hexdigest()[:16]


def purge(con: duckdb.DuckDBPyConnection, path: str, contracts: tuple[Contract, ...]) -> None:
    """Remove every trace of a file's earlier content (it was edited or is now a duplicate)."""
    for contract in contracts:
        if _table_exists(con, "raw", contract.kind):
            con.execute(f"delete from {raw_table(contract)} where source_path = ?", [path])
    con.execute("delete from ops.quarantine where path = ?", [path])
    con.execute("delete from ops.files where path = ?", [path])


def rename(con: duckdb.DuckDBPyConnection, old: str, new: str, contracts) -> None:
    """A file moved or was renamed: its rows follow it, nothing is loaded again."""
    for contract in contracts:
        if _table_exists(con, "raw", contract.kind):
            con.execute(
                f"update {raw_table(contract)} set source_path = ? where source_path = ?",
                [new, old],
            )
    con.execute("update ops.quarantine set path = ? where path = ?", [new, old])
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


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def resolve_hint(con: duckdb.DuckDBPyConnection, texts: list[str]) -> tuple[str, str] | None:
    """The municipality key (type, key) named by a title line ("Kommun: Falun (2080)"), an
    e-mail domain above the header or a folder name; rows match it by their own date."""
    for text in texts:
        row = con.execute(
            """
            select key_type, key from ref.municipality_keys
            where (key_type = 'code' and key = rf_code(regexp_extract(?, '\\((\\d+)\\)', 1)))
               or (key_type = 'code' and key = rf_code(?))
               or (key_type = 'name' and key = rf_name(regexp_replace(?, '\\s*\\(.*\\)$', '')))
               or (key_type = 'domain' and key = rf_domain(?))
            order by key_type = 'name', valid_to desc
            limit 1
            """,
            [text, text, text, text],
        ).fetchall()
        if row:
            return row[0][0], row[0][1]
    return None


def _without_unkept(layout: Layout) -> Layout:
    """Personal data the pipeline does not need (keep = false) is never read, let alone stored."""
    kept = {
        name: index for name, index in layout.positions.items() if layout.contract.column(name).keep
    }
    return replace(layout, positions=kept)


def _direct(layout: Layout) -> bool:
    source = layout.source
    return (
        source.kind == "text"
        and source.encoding in ("utf-8", "utf-8-sig")
        and not layout.contract.table_ends_at_blank
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


def _outcome_record(path: str, part: str, sha: str, outcome: Outcome) -> FileRecord:
    message = f"{outcome.rows_loaded:,} rows loaded, {outcome.rows_quarantined:,} quarantined" + (
        " (see ops.quarantine)" if outcome.rows_quarantined else ""
    )
    if outcome.warnings:
        message += ". Warning: " + "; ".join(outcome.warnings)
    return FileRecord(
        path,
        part,
        sha,
        outcome.export_kind,
        outcome.rows_in,
        outcome.rows_loaded,
        outcome.rows_quarantined,
        outcome.status,
        message,
    )


def _ignored_record(rel: str, sha: str) -> FileRecord:
    """A document in the drop folder: listed, so the analyst sees it was not read."""
    message = (
        f"{rel}: ignored, a document ({Path(rel).suffix}) is not an export; "
        "nothing to do unless it should have been a CSV or Excel export"
    )
    return FileRecord(rel, "", sha, None, 0, 0, 0, "ignored", message)


def _note_record(rel: str, sha: str) -> FileRecord:
    """A note in the drop folder that is no known export: listed, and said not to be one."""
    message = (
        f"{rel}: ignored, a note ({Path(rel).suffix}) that is no known export was not read; "
        "nothing to do unless it should have been a CSV export"
    )
    return FileRecord(rel, "", sha, None, 0, 0, 0, "unrecognized", message)


def _nul_warning(count: int) -> str:
    return (
        f"{count:,} NUL byte(s) (\\0, left by an interrupted copy or a padded export) were "
        "removed before reading; if a value looks cut short, export the file again"
    )


def load_file(
    con: duckdb.DuckDBPyConnection,
    file: Path,
    rel: str,
    scan: FileScan,
    contracts: tuple[Contract, ...],
    scratch: Path,
    parallel: bool = True,
    safe: bool = False,
    on_progress: OnProgress | None = None,
) -> list[FileRecord]:
    """Recognise and load every table in one file; unrecognised parts are recorded, not fatal."""
    sha = scan.sha256
    if file.suffix.lower() in DOCUMENT_SUFFIXES:
        return [_ignored_record(rel, sha)]
    try:
        sources = open_sources(file, rel, scratch, nul_free=not scan.has_nul)
    except UnreadableFile as err:
        return [FileRecord(rel, "", sha, None, 0, 0, 0, "unreadable", f"{rel}: {err}")]
    found: list[tuple[Source, Layout | Miss]] = [(s, recognise(s, contracts)) for s in sources]
    layouts = [r for _, r in found if isinstance(r, Layout)]
    if not layouts and file.suffix.lower() in NOTE_SUFFIXES:
        return [_note_record(rel, sha)]
    if not layouts:
        misses = [r for _, r in found if isinstance(r, Miss)] or [Miss(sources[0], None, ())]
        best = max(misses, key=lambda m: (m.closest is not None, -len(m.missing)))
        return [FileRecord(rel, "", sha, None, 0, 0, 0, "unrecognized", f"{rel}: {best.message}")]
    folder_hints = list(Path(rel).parent.parts)
    records = []
    for found_layout in layouts:
        layout = _without_unkept(found_layout)
        part = layout.source.label[len(rel) :].lstrip("!#")
        hint = resolve_hint(con, [*layout.hints, *reversed(folder_hints)])
        with tempfile.TemporaryDirectory(dir=scratch) as work:
            outcome = load_layout(
                con,
                layout,
                path=rel,
                part=part,
                sha256=sha,
                hint=hint,
                direct=_direct(layout) and not safe,
                scratch=Path(work),
                blanks=scan.blank_lines if layout.source.path == file else None,
                parallel=parallel,
                safe=safe,
                on_progress=on_progress,
            )
        if layout.source.nul_bytes:
            outcome.warnings.insert(0, _nul_warning(layout.source.nul_bytes))
        records.append(_outcome_record(rel, part, sha, outcome))
    return records


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
) -> IngestReport:
    """Load what is new or changed in the drop folder, one file per transaction; a file changed
    less than `settle_s` seconds ago is left for the next run (it may still be arriving)."""
    contracts = load_contracts()
    ensure_ops(con)
    check_pseudonym_key(con, pseudonym_key)
    install_macros(con, pseudonym_key)
    for contract in contracts:
        ensure_raw_table(con, contract)
    fingerprint = loader_fingerprint(con)
    known = {
        row[0]: row[1:]
        for row in con.execute(
            "select path, any_value(sha256), any_value(fingerprint), any_value(size_bytes), "
            "any_value(mtime_ns) from ops.files group by path"
        ).fetchall()
    }
    files = drop_folder_files(raw_dir)
    present = {drop_name(f, raw_dir) for f in files}
    by_sha = {v[0]: p for p, v in known.items() if v[1] == fingerprint}
    report = IngestReport()
    with tempfile.TemporaryDirectory(prefix="resfritt-") as scratch:
        for file in files:
            rel = drop_name(file, raw_dir)
            stat = file.stat()
            old = known.get(rel)
            if old and old[1] == fingerprint and old[2:] == (stat.st_size, stat.st_mtime_ns):
                report.unchanged.append(rel)
                continue
            if still_arriving(stat, settle_s):
                report.waiting.append(waiting_message(rel, settle_s))
                continue
            if _outside(file, raw_dir):
                report.loaded.append(_outside_record(con, rel, file, fingerprint, stat, contracts))
                continue
            try:
                scan = scan_file(file)
            except OSError as err:
                report.loaded.append(_unopenable(con, rel, err, stat, contracts))
                continue
            sha = scan.sha256
            con.execute("begin transaction")
            try:
                if old and old[0] == sha and old[1] == fingerprint:
                    con.execute(
                        "update ops.files set size_bytes = ?, mtime_ns = ? where path = ?",
                        [stat.st_size, stat.st_mtime_ns, rel],
                    )
                    report.unchanged.append(rel)
                elif sha in by_sha and by_sha[sha] != rel and by_sha[sha] not in present:
                    rename(con, by_sha[sha], rel, contracts)
                    con.execute(
                        "update ops.files set size_bytes = ?, mtime_ns = ? where path = ?",
                        [stat.st_size, stat.st_mtime_ns, rel],
                    )
                    report.renamed.append((by_sha[sha], rel))
                    by_sha[sha] = rel
                elif sha in by_sha and by_sha[sha] != rel:
                    purge(con, rel, contracts)
                    record = FileRecord(
                        rel,
                        "",
                        sha,
                        None,
                        0,
                        0,
                        0,
                        "duplicate",
                        f"{rel}: same content as {by_sha[sha]}, which is loaded; counted once",
                    )
                    _record(con, record, fingerprint, stat)
                    report.loaded.append(record)
                else:
                    purge(con, rel, contracts)
                    readable = _readable_name(file, rel, Path(scratch))
                    records = _load_retrying(
                        con, readable, rel, scan, contracts, Path(scratch), on_progress
                    )
                    for record in records:
                        if readable != file:
                            _escaped_name_note(record)
                        _record(con, record, fingerprint, stat)
                        report.loaded.append(record)
                    by_sha[sha] = rel
                con.execute("commit")
            except READ_ERRORS as err:
                # One unreadable file must not stop the run: record it and go on with the rest.
                _restart(con, rel, contracts)
                record = FileRecord(rel, "", sha, None, 0, 0, 0, "unreadable", _plain(rel, err))
                _record(con, record, fingerprint, stat)
                con.execute("commit")
                report.loaded.append(record)
            except Exception:
                con.execute("rollback")
                raise
    return report


def _load_retrying(
    con, file: Path, rel: str, scan: FileScan, contracts, scratch: Path, on_progress=None
):
    """load_file, again serially when quoted cells span lines, and again line by line when a
    quote never closes; each retry starts the file's transaction afresh."""
    parallel, safe = True, False
    while True:
        try:
            return load_file(
                con, file, rel, scan, contracts, scratch, parallel, safe, on_progress
            )
        except SerialReadNeeded:
            parallel = False
        except SafeReadNeeded:
            safe = True
        _restart(con, rel, contracts)


def _outside(file: Path, raw_dir: Path) -> bool:
    """Whether a file (through a symbolic link) lies outside the drop folder."""
    return not file.resolve().is_relative_to(raw_dir.resolve())


def _outside_record(con, rel: str, file: Path, fingerprint: str, stat, contracts) -> FileRecord:
    """A link out of the drop folder is refused (it could expose any file the account reads)."""
    message = (
        f"{rel}: is a link to a file outside the drop folder, refused (nothing outside the drop "
        "folder is read); copy the export itself into the drop folder"
    )
    return _unreadable_record(con, rel, message, fingerprint, stat, contracts)


def _unopenable(con, rel: str, err: OSError, stat, contracts) -> FileRecord:
    """A file that cannot even be opened (no read permission, gone): recorded, the run goes on."""
    reason = err.strerror or type(err).__name__
    message = (
        f"{rel}: could not be opened ({reason}); give the pipeline's account read access to it "
        "(or copy it into the drop folder again) and the next run loads it; the other files "
        "were loaded"
    )
    # no fingerprint: the next run tries it again
    return _unreadable_record(con, rel, message, "", stat, contracts)


def _unreadable_record(con, rel: str, message: str, fingerprint: str, stat, contracts):
    """Record a file as unreadable with no rows, replacing whatever it held, in one transaction."""
    record = FileRecord(rel, "", "", None, 0, 0, 0, "unreadable", message)
    con.execute("begin transaction")
    purge(con, rel, contracts)
    _record(con, record, fingerprint, stat)
    con.execute("commit")
    return record


def _restart(con: duckdb.DuckDBPyConnection, rel: str, contracts: tuple[Contract, ...]) -> None:
    """Undo a file's load: what its transaction did, and the rows a large table of it committed
    before numbering them (load.py), with the helper columns."""
    con.execute("rollback")
    con.execute("begin transaction")
    purge(con, rel, contracts)
    for contract in contracts:
        drop_helpers(con, contract)


def _plain(rel: str, err: Exception) -> str:
    """A message an analyst can act on, from a reader error (first line, no traceback)."""
    detail = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
    return (
        f"{rel}: could not be read as an export ({detail}). Open it, save it again as CSV "
        "(UTF-8) or .xlsx and drop it again; the other files were loaded"
    )


def needs_ingest(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> bool:
    """Whether any file in the drop folder is new, changed or due for a reload (no hashing)."""
    if not _table_exists(con, "ops", "files") or not _table_exists(con, "ref", "municipality_keys"):
        return True
    install_macros(con, "")
    fingerprint = loader_fingerprint(con)
    known = {
        (path, size, mtime)
        for path, size, mtime in con.execute(
            "select path, size_bytes, mtime_ns from ops.files where fingerprint = ?", [fingerprint]
        ).fetchall()
    }
    for file in drop_folder_files(raw_dir):
        stat = file.stat()
        if (drop_name(file, raw_dir), stat.st_size, stat.st_mtime_ns) not in known:
            return True
    return False

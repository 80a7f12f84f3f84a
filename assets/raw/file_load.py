"""The unit of work of one file: its transaction, its identity, and the load of its tables.

`with FileLoad(con, path, contracts) as unit:` begins the file's transaction; leaving the block
commits it, or rolls it back when an exception escapes. A direct CSV commits once in the middle
(`commit_landed_rows`, a named step), so `restart` undoes that too: a retried or failed file
leaves nothing behind. Every table of the file is loaded through `TableLoad`, which carries the
file's path, part, content hash and municipality hint as bound parameters.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from schemas import Contract

from ..db import table_exists
from .load import Outcome, SafeReadNeeded, SerialReadNeeded, load_layout
from .progress import OnProgress
from .recognise import Layout, Miss, recognise
from .sources import FileScan, Source, UnreadableFile, open_sources
from .sql_compile import IDENTITY, drop_helpers, raw_table

# Documents are never exports: they are ignored. Notes (.md, .txt) are read, since a text export
# may carry that name; one that is no known export stays `unrecognized`, its message says why.
DOCUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".rtf"}
NOTE_SUFFIXES = {".md", ".txt"}


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

    @classmethod
    def failed(cls, path: str, sha256: str, status: str, message: str) -> FileRecord:
        """A file (or part) with no rows: ignored, unrecognized, unreadable or a duplicate."""
        return cls(path, "", sha256, None, 0, 0, 0, status, message)

    @classmethod
    def of(cls, path: str, part: str, sha256: str, outcome: Outcome) -> FileRecord:
        """The record of a loaded table, its message in words."""
        message = (
            f"{outcome.rows_loaded:,} rows loaded, {outcome.rows_quarantined:,} quarantined"
            + (" (see ops.quarantine)" if outcome.rows_quarantined else "")
        )
        if outcome.warnings:
            message += ". Warning: " + "; ".join(outcome.warnings)
        return cls(
            path,
            part,
            sha256,
            outcome.export_kind,
            outcome.rows_in,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.status,
            message,
        )


@dataclass(frozen=True)
class TableLoad:
    """One table of a file as it loads: the connection, its identity, and the file's unit."""

    unit: FileLoad
    part: str
    sha256: str
    hint: tuple[str, str] | None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return self.unit.con

    @property
    def this_table(self) -> dict:
        """Parameters of THIS_TABLE, the condition that selects this table's rows."""
        return {"source_path": self.unit.path, "source_part": self.part}

    @property
    def identity(self) -> dict:
        """Parameters of the insert that name the rows' file (sql_compile.IDENTITY)."""
        hint_type, hint_key = self.hint or (None, None)
        values = (self.unit.path, self.part, self.sha256, hint_type, hint_key)
        return dict(zip(IDENTITY, values, strict=True))

    def commit_landed_rows(self) -> None:
        self.unit.commit_landed_rows()


def purge(con: duckdb.DuckDBPyConnection, path: str, contracts: tuple[Contract, ...]) -> None:
    """Remove every trace of a file's earlier content (it was edited or is now a duplicate)."""
    for contract in contracts:
        if table_exists(con, "raw", contract.kind):
            con.execute(f"delete from {raw_table(contract)} where source_path = ?", [path])
    con.execute("delete from ops.quarantine where path = ?", [path])
    con.execute("delete from ops.stated_figures where path = ?", [path])
    con.execute("delete from ops.files where path = ?", [path])


class FileLoad:
    """One file's transaction, from begin to commit or rollback, and the load of its tables.

    `on_progress(path, rows_read, bytes_read, bytes_total)`, when given, is called after each batch
    (each table's streaming insert is one batch).
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: str,
        contracts: tuple[Contract, ...],
        on_progress: OnProgress | None = None,
    ) -> None:
        self.con, self.path, self.contracts = con, path, contracts
        self.on_progress = on_progress

    def __enter__(self) -> FileLoad:
        self.con.execute("begin transaction")
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.con.execute("rollback" if exc_type else "commit")

    def commit_landed_rows(self) -> None:
        """Commit a direct CSV's inserted rows before numbering them: numbering an uncommitted
        insert would rewrite all of it, a committed one writes one column. A run stopped in
        between is never published (warehouse.py), and `restart` removes these rows."""
        self.con.execute("commit")
        self.con.execute("begin transaction")

    def restart(self) -> None:
        """Undo the file's load, rows committed by `commit_landed_rows` and helpers included,
        and begin its transaction afresh."""
        self.con.execute("rollback")
        self.con.execute("begin transaction")
        self.purge()
        for contract in self.contracts:
            for statement in drop_helpers(contract):
                self.con.execute(statement)

    def purge(self) -> None:
        purge(self.con, self.path, self.contracts)

    def load(self, file: Path, scan: FileScan, scratch: Path) -> list[FileRecord]:
        """Recognise and load every table in the file: again serially when quoted cells span
        lines, and again line by line when a quote never closes, each time afresh."""
        parallel, safe = True, False
        while True:
            try:
                return self._load_once(file, scan, scratch, parallel, safe)
            except SerialReadNeeded:
                parallel = False
            except SafeReadNeeded:
                safe = True
            self.restart()

    def _load_once(
        self, file: Path, scan: FileScan, scratch: Path, parallel: bool, safe: bool
    ) -> list[FileRecord]:
        rel, sha = self.path, scan.sha256
        found = _recognised(file, rel, scan, self.contracts, scratch)
        if isinstance(found, FileRecord):
            return [found]
        folder_hints = list(Path(rel).parent.parts)
        records = []
        for done, layout in enumerate(found, start=1):
            part = layout.source.label[len(rel) :].lstrip("!#")
            hint = resolve_hint(self.con, [*layout.hints, *reversed(folder_hints)])
            table = TableLoad(self, part, sha, hint)
            with tempfile.TemporaryDirectory(dir=scratch) as work:
                blanks = scan.blank_lines if layout.source.path == file else None
                outcome = load_layout(table, layout, Path(work), blanks, parallel, safe)
            if layout.source.nul_bytes:
                outcome.warnings.insert(0, _nul_warning(layout.source.nul_bytes))
            records.append(FileRecord.of(rel, part, sha, outcome))
            self._batch_loaded(records, done / len(found), file)
        return records

    def _batch_loaded(self, records: list[FileRecord], share: float, file: Path) -> None:
        if self.on_progress is not None:
            total = file.stat().st_size
            rows = sum(r.rows_in for r in records)
            self.on_progress(self.path, rows, int(total * share), total)


def _recognised(
    file: Path, rel: str, scan: FileScan, contracts: tuple[Contract, ...], scratch: Path
) -> list[Layout] | FileRecord:
    """The file's recognised tables (personal data it does not keep left out), or the record
    that says why there are none."""
    sha = scan.sha256
    if file.suffix.lower() in DOCUMENT_SUFFIXES:
        return FileRecord.failed(rel, sha, "ignored", _ignored_message(rel))
    try:
        sources = open_sources(file, rel, scratch, nul_free=not scan.has_nul)
    except UnreadableFile as err:
        return FileRecord.failed(rel, sha, "unreadable", f"{rel}: {err}")
    found: list[tuple[Source, Layout | Miss]] = [(s, recognise(s, contracts)) for s in sources]
    layouts = [_without_unkept(r) for _, r in found if isinstance(r, Layout)]
    if not layouts and file.suffix.lower() in NOTE_SUFFIXES:
        return FileRecord.failed(rel, sha, "unrecognized", _note_message(rel))
    if not layouts:
        misses = [r for _, r in found if isinstance(r, Miss)] or [Miss(sources[0], None, ())]
        best = max(misses, key=lambda m: (m.closest is not None, -len(m.missing)))
        return FileRecord.failed(rel, sha, "unrecognized", f"{rel}: {best.message}")
    return layouts


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


def _ignored_message(rel: str) -> str:
    """A document in the drop folder: listed, so the analyst sees it was not read."""
    return (
        f"{rel}: ignored, a document ({Path(rel).suffix}) is not an export; "
        "nothing to do unless it should have been a CSV or Excel export"
    )


def _note_message(rel: str) -> str:
    """A note in the drop folder that is no known export: listed, and said not to be one."""
    return (
        f"{rel}: ignored, a note ({Path(rel).suffix}) that is no known export was not read; "
        "nothing to do unless it should have been a CSV export"
    )


def _nul_warning(count: int) -> str:
    return (
        f"{count:,} NUL byte(s) (\\0, left by an interrupted copy or a padded export) were "
        "removed before reading; if a value looks cut short, export the file again"
    )

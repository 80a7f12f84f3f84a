"""Helpers for reader tests: ingest a drop folder into a temporary DuckDB without Dagster."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb

from assets.raw.ingest import IngestReport, ingest_folder
from assets.raw.load import PARSE_SQL
from assets.raw.reference import REFERENCE_TABLES, build_municipality_keys, load_reference
from assets.staging.assets import SETUP
from assets.staging.transform import meeting_activity_sql, trips_sql
from schemas import Contract

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"
KEY = "test-key-not-secret"


def connect(database: Path | str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the parsing macros and the reference tables loaded."""
    con = duckdb.connect(str(database))
    con.execute(PARSE_SQL)
    for table in REFERENCE_TABLES:
        if (REFERENCE / table.file_name).exists():
            load_reference(con, REFERENCE, table)
    build_municipality_keys(con)
    return con


_SHARED: list[duckdb.DuckDBPyConnection] = []


def fresh() -> duckdb.DuckDBPyConnection:
    """One in-memory warehouse per test process (reference loaded once), emptied for each use."""
    if not _SHARED:
        _SHARED.append(connect())
    reset(_SHARED[0])
    return _SHARED[0]


def ingest(raw: Path, con: duckdb.DuckDBPyConnection | None = None):
    """Ingest a drop folder into `con`, or into a fresh warehouse; returns (connection, report)."""
    con = con or fresh()
    report: IngestReport = ingest_folder(con, raw, KEY)
    return con, report


def files(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """ops.files by path (with "#part" or "!part" appended when the row has a part)."""
    cols = ["path", "part", "export_kind", "rows_in", "rows_loaded", "rows_quarantined"]
    cols += ["status", "message"]
    rows = con.execute(f"select {', '.join(cols)} from ops.files order by path, part").fetchall()
    out = {}
    for row in rows:
        record = dict(zip(cols, row, strict=True))
        out[record["path"] + (f"|{record['part']}" if record["part"] else "")] = record
    return out


def one_file(con: duckdb.DuckDBPyConnection) -> dict:
    records = list(files(con).values())
    assert len(records) == 1, records
    return records[0]


def quarantine(con: duckdb.DuckDBPyConnection, path: str | None = None) -> list[tuple]:
    """(row_number, column_name, value, reason) of quarantined rows, in row order."""
    sql = "select row_number, column_name, value, reason from ops.quarantine"
    params = []
    if path is not None:
        sql += " where path = ?"
        params.append(path)
    return con.execute(sql + " order by path, row_number", params).fetchall()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def ingest_one(raw: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """Ingest a drop folder that holds one export: the connection and its ops.files row."""
    con, _ = ingest(raw)
    return con, one_file(con)


def counts(record: dict) -> tuple:
    """(export_kind, rows_in, rows_loaded) of an ops.files row."""
    return record["export_kind"], record["rows_in"], record["rows_loaded"]


def reset(con: duckdb.DuckDBPyConnection) -> None:
    """Empty ops.* and raw.* so one connection (reference loaded once) serves many examples."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('ops', 'raw')"
    ).fetchall()
    for schema, name in tables:
        con.execute(f'delete from {schema}."{name}"')


def accounted(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """ops.files rows, each checked: a known status and rows_in = loaded + quarantined."""
    records = list(files(con).values())
    for r in records:
        assert r["status"] in STATUSES, r
        assert r["rows_in"] == r["rows_loaded"] + r["rows_quarantined"], r
        if r["status"] in ("unrecognized", "unreadable", "duplicate"):
            assert r["rows_in"] == 0 and r["message"], r
    quarantined = con.execute("select count(*) from ops.quarantine").fetchall()[0][0]
    assert quarantined == sum(r["rows_quarantined"] for r in records)
    return records


STATUSES = {
    "loaded",
    "loaded_with_warnings",
    "quarantined",
    "unrecognized",
    "unreadable",
    "duplicate",
    "ignored",
}


# Exports whose every non-blank line after the header is a data row (no preamble, no footer).
LINE_SEEDS = {
    name: (ROOT / "data" / "raw" / name).read_bytes()
    for name in (
        "lync_sessiondetails_knutepunkt_2013.csv",
        "teams_user_activity_voss_2024-03.csv",
        "telia_telemote_webb_2016.csv",
    )
}
NEWLINES = b"\r\n"
DAMAGE = ["truncate", "flip", "insert_quote", "insert_nul"]


def data_lines(data: bytes) -> int:
    """The physical data lines of a one-header text export: non-blank lines after the first,
    counted without any CSV parser (NUL bytes are stripped, as the loader does)."""
    text = data.replace(b"\x00", b"").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return max(0, sum(1 for line in text.split(b"\n") if line.strip()) - 1)


def damage_text(data: bytes, how: str, rnd: random.Random) -> bytes:
    """Damage after the header line, never adding or removing a line break (so the file's
    physical lines stay countable): a cut, flipped bytes, a stray quote or NULs."""
    start = data.index(b"\n") + 1
    if how == "truncate":
        return data[: rnd.randrange(start, len(data))]
    out = bytearray(data)
    for _ in range(rnd.randint(1, 5)):
        at = rnd.randrange(start, len(out))
        if how == "flip" and out[at] not in NEWLINES:
            out[at] = rnd.choice([b for b in range(256) if b not in NEWLINES])
        elif how == "insert_quote":
            out[at:at] = b'"'
        elif how == "insert_nul":
            out[at:at] = b"\x00" * rnd.randint(1, 3)
    return bytes(out)


def build_staging(con: duckdb.DuckDBPyConnection, contracts: tuple[Contract, ...]) -> dict:
    """Rebuild both staging tables from raw with the SQL the staging assets run; their counts."""
    con.execute(SETUP)
    con.execute(meeting_activity_sql(contracts))
    con.execute(trips_sql(contracts))
    count = "select count(*) from staging.{}"
    return {t: con.execute(count.format(t)).fetchall()[0][0] for t in ("meeting_activity", "trips")}

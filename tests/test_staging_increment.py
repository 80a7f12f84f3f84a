"""A staging table that only gains files adds their rows, and ends as a whole rebuild would."""

import shutil

from ingest_helpers import KEY, ROOT, connect

from assets.raw.ingest import ingest_folder
from assets.staging.assets import SETUP
from assets.staging.increment import new_files, stage
from assets.staging.transform import meeting_activity_sql, trips_sql
from schemas import load_contracts

CONTRACTS = load_contracts()
SAMPLES = ROOT / "data" / "raw"
LATER = ("telia_videomote_2014.xlsx", "rejser_odsherred_2011-2016.csv")
TABLES = {"staging.meeting_activity": meeting_activity_sql, "staging.trips": trips_sql}


def family(table: str) -> tuple:
    return tuple(c for c in CONTRACTS if c.family == table.split(".")[1])


def stage_both(con, base: str = "code and references") -> dict:
    """Stage both tables as the staging assets do; what each added (None: rebuilt whole)."""
    con.execute(SETUP)
    return {
        table: stage(con, table, family(table), lambda new, s=sql: s(CONTRACTS, new), base)
        for table, sql in TABLES.items()
    }


def differs_from_whole(con, table: str) -> int:
    """Rows that differ (either way) between the table and a whole rebuild of it."""
    con.execute(f"create or replace temp table built as select * from {table}")
    con.execute(TABLES[table](CONTRACTS))
    return con.execute(
        f"select count(*) from ((from built except all from {table}) "
        f"union all (from {table} except all from built))"
    ).fetchall()[0][0]


def drop_folder(tmp_path, leave_out=LATER):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw, ignore=shutil.ignore_patterns(*leave_out, "README.md"))
    return raw


def test_new_files_add_their_rows_and_the_tables_equal_a_whole_rebuild(tmp_path):
    raw = drop_folder(tmp_path)
    con = connect(tmp_path / "w.duckdb")
    ingest_folder(con, raw, KEY)
    assert stage_both(con) == {"staging.meeting_activity": None, "staging.trips": None}
    before = con.execute("select count(*) from staging.meeting_activity").fetchall()[0][0]
    for name in LATER:
        shutil.copy(SAMPLES / name, raw / name)
    ingest_folder(con, raw, KEY)
    assert stage_both(con) == {
        "staging.meeting_activity": ["telia_videomote_2014.xlsx"],
        "staging.trips": ["rejser_odsherred_2011-2016.csv"],
    }
    # the 2014 video-room statistics: 1,174 meetings in Dalarna's rooms (DOMAIN.md)
    added = con.execute(
        "select count(*), sum(meetings) from staging.meeting_activity "
        "where source_path = 'telia_videomote_2014.xlsx'"
    ).fetchall()[0]
    total = con.execute("select count(*) from staging.meeting_activity").fetchall()[0][0]
    assert added[1] == 1174 and total == before + added[0]
    assert stage_both(con) == {"staging.meeting_activity": [], "staging.trips": []}
    assert {t: differs_from_whole(con, t) for t in TABLES} == dict.fromkeys(TABLES, 0)


def test_a_new_file_sharing_keys_with_a_staged_one_rebuilds_the_table(tmp_path):
    raw = drop_folder(tmp_path, ("*",))
    lines = (SAMPLES / "telia_videomote_2015-2024.csv").read_bytes().splitlines(keepends=True)
    (raw / "b.csv").write_bytes(b"".join(lines))
    con = connect(tmp_path / "w.duckdb")
    ingest_folder(con, raw, KEY)
    stage_both(con)
    table = "staging.meeting_activity"
    staged = con.execute(f"select count(*), sum(meetings) from {table}").fetchall()[0]
    assert staged[1] == 27060  # the export's own Total line
    # the same export without its Total line: every row's key is staged already
    (raw / "a.csv").write_bytes(b"".join(lines[:-1]))
    ingest_folder(con, raw, KEY)
    assert new_files(con, table, family(table), "code and references") is None
    assert stage_both(con)[table] is None
    # each shared row is kept once, from the first file by name
    paths = con.execute(
        f"select source_path, count(*), sum(meetings) from {table} group by all order by 1"
    )
    assert paths.fetchall() == [("a.csv", *staged)]
    assert differs_from_whole(con, table) == 0


def test_a_reloaded_file_or_other_code_rebuilds_the_table(tmp_path):
    raw = drop_folder(tmp_path, ("*",))
    shutil.copy(SAMPLES / "telia_videomote_2011-2013.csv", raw / "rooms.csv")
    con = connect(tmp_path / "w.duckdb")
    ingest_folder(con, raw, KEY)
    stage_both(con)
    table = "staging.meeting_activity"
    assert new_files(con, table, family(table), "code and references") == []
    assert new_files(con, table, family(table), "other code") is None
    count = f"select count(*), sum(meetings) from {table}"
    assert con.execute(count).fetchall() == [(747, 1741)]  # its 747 data lines and its Summa line
    lines = (raw / "rooms.csv").read_bytes().splitlines(keepends=True)
    del lines[5]  # 2011-01, Falun Stadshuset VR1: 4 meetings
    (raw / "rooms.csv").write_bytes(b"".join(lines))
    ingest_folder(con, raw, KEY)
    assert new_files(con, table, family(table), "code and references") is None
    assert stage_both(con)[table] is None
    assert con.execute(count).fetchall() == [(746, 1737)]

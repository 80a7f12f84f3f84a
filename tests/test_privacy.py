"""No personal identifier reaches the warehouse file: UPNs, e-mail addresses, display names and
phone numbers are pseudonymised on load and masked in ops.quarantine."""

from __future__ import annotations

import pytest
from fixture_files import write_text, write_zip
from ingest_helpers import KEY, connect, ingest
from test_formats_kinds import ATTENDANCE, PSTN

pytestmark = pytest.mark.unit

IDENTIFIERS = [
    "anna.lindqvist",
    "ola.nordmann",
    "erik.holm",
    "Lindqvist, Anna",
    "Anna Lindqvist",
    "Ola Nordmann",
    "Åsa Öberg",
    "+46850000123",
    "+46701234567",
    "+4721000123",
    "+4533000123",
    "+4686001234",
    "mette.jensen",
    "karin.ek",
    "Kari Bakke",
    "+4790012345",
]
MARKER = "Kontrollmarkor-7Q2X"  # a non-personal value that must be found: the search works


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("privacy")
    raw = folder / "raw"
    write_zip(raw / "Calls.Export.1.zip", {"PSTN.calls.2024-03-12.csv": PSTN})
    write_text(raw / "attendance.csv", ATTENDANCE, "utf-16-le+bom")
    write_text(
        raw / "lync.csv",
        "SessionIdTime,SessionIdSeq,FromUri,ToUri,InviteTime,ResponseCode,SessionEndTime,"
        "MediaTypes\n"
        "2016-03-14 09:12:33.187,1,mette.jensen@voss.kommune.no,+4686001234,"
        "2016-03-14 09:12:33.190,200,2016-03-14 09:20:00.000,16\n"
        # wrong number of cells: the row is quarantined, but its text must not be kept
        "2016-03-14 09:13:00.000,1,mette.jensen@voss.kommune.no,+4790012345,Kari Bakke\n"
        # a bad date next to identifiers
        "2016-03-14 09:14:00.000,1,mette.jensen@voss.kommune.no,+4790012345,"
        "2016-13-45 99:00:00,200,2016-03-14 09:20:00.000,16\n",
    )
    write_text(
        raw / "webex.csv",
        "Session ID:\tTopic:\tUsername\tDate\tDuration\tAttended:\n"
        f"1\t{MARKER}\tkarin.ek@ludvika.se\t2024-03-11\t62\t12\n"
        "2\tLönesamtal\tkarin.ek@unknown-org.example\t2024-03-11\t18\t2\n",
        "utf-16-le",
    )
    path = folder / "resfritt.duckdb"
    con = connect(path)
    con.execute("set force_compression = 'uncompressed'")  # plain text on disk, if it is there
    ingest(raw, con)
    quarantined = con.execute(
        "select path, row_number, column_name, value from ops.quarantine order by all"
    ).fetchall()
    loaded = con.execute("select sum(rows_loaded) from ops.files").fetchall()[0][0]
    con.execute("checkpoint")
    con.close()
    return path, quarantined, loaded


def test_the_files_were_loaded_and_the_marker_is_visible_in_the_bytes(warehouse):
    path, _, loaded = warehouse
    assert loaded == 2 + 2 + 1 + 1
    assert MARKER.encode() in path.read_bytes()


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_no_identifier_is_anywhere_in_the_warehouse_file(warehouse, identifier):
    path, _, _ = warehouse
    data = path.read_bytes()
    for variant in {identifier, identifier.lower(), identifier.upper()}:
        assert variant.encode("utf-8") not in data, variant
        assert variant.encode("utf-16-le") not in data, variant


def test_the_pseudonym_key_is_not_stored_either(warehouse):
    path, _, _ = warehouse
    assert KEY.encode() not in path.read_bytes()


def test_quarantined_values_are_masked(warehouse):
    _, quarantined, _ = warehouse
    assert quarantined == [
        ("Calls.Export.1.zip", 3, "upn", "*@?"),
        ("attendance.csv", 12, "email", "*@?"),
        ("lync.csv", 3, "(row)", "5 cells"),
        ("lync.csv", 4, "invite_time", "2016-13-45 99:00:00"),
        ("webex.csv", 3, "username", "*@unknown-org.example"),
    ]

"""One test per quirk of real exports: encodings, delimiters, numbers, dates, durations, title
blocks, totals rows, blank lines, mislabelled files, archives, ambiguous dates, attribution and
row accounting. Files are written in the test and ingested into a temporary DuckDB."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile

import pytest
from fixture_files import ingest_file, ingest_fixture, write_text
from fixture_files import write_zip as zip_of
from ingest_helpers import accounted, files, ingest, ingest_one, one_file, quarantine, rows

pytestmark = pytest.mark.unit

D = dt.date
T = dt.datetime
CLAIMS_HEADER = [
    "Anställningsnr",
    "Förvaltning",
    "Resdatum",
    "Från",
    "Till",
    "Ändamål",
    "Antal km",
    "Färdmedel",
    "Belopp (kr)",
    "Kommun",
]


def claims(rows_: list[list[str]], sep: str = ";") -> str:
    """A Swedish travel-claims export with the given rows (lists of cells)."""
    return "".join(sep.join(r) + "\n" for r in [CLAIMS_HEADER, *rows_])


def claim(employee: str, date: str, km: str = "52", amount: str = "100") -> list[str]:
    return [employee, "Socialförvaltningen", date, "Falun", "Borlänge", "Möte", km, "Egen bil"] + [
        amount,
        "Falu kommun",
    ]


def trips(con) -> list[tuple]:
    return rows(
        con,
        "select source_line, municipality_code, unit, trip_date, distance_km, amount "
        "from raw.travel_claims order by source_line",
    )


# --- encodings and delimiters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "cp1252", "utf-16-le+bom", "utf-16-be+bom", "utf-16-le", "utf-16-be"],
)
def test_every_nordic_encoding_reads_the_same(tmp_path, encoding):
    sep = "\t" if encoding.startswith("utf-16") else ";"
    text = claims([claim("1", "2015-03-02", "52,5"), claim("2", "2015-03-03")], sep)
    write_text(tmp_path / "resor.csv", text, encoding, "\r\n")
    con, _ = ingest(tmp_path)
    assert one_file(con)["status"] == "loaded"
    assert trips(con) == [
        (2, "2080", "Socialförvaltningen", D(2015, 3, 2), 52.5, 100.0),
        (3, "2080", "Socialförvaltningen", D(2015, 3, 3), 52.0, 100.0),
    ]


@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_comma_semicolon_and_tab_delimiters(tmp_path, sep):
    km = "52.5" if sep == "," else "52,5"
    write_text(tmp_path / "resor.csv", claims([claim("1", "2015-03-02", km)], sep))
    con, _ = ingest(tmp_path)
    assert trips(con) == [(2, "2080", "Socialförvaltningen", D(2015, 3, 2), 52.5, 100.0)]


# --- numbers -----------------------------------------------------------------------------------


def test_decimal_comma_and_thousands_separators(tmp_path):
    amounts = ["1 174", "1.174", "1\u00a0174", "1 287,50", "1.287,50", "1\u202f174,25", "12,5"]
    write_text(
        tmp_path / "resor.csv",
        claims([claim(str(i), "2015-03-02", amount=a) for i, a in enumerate(amounts)]),
        "cp1252" if "\u202f" not in "".join(amounts) else "utf-8",
    )
    con, _ = ingest(tmp_path)
    assert [r[5] for r in trips(con)] == [1174.0, 1174.0, 1174.0, 1287.5, 1287.5, 1174.25, 12.5]


def test_thousands_comma_in_a_comma_separated_file(tmp_path):
    text = claims([claim("1", "2015-03-02", amount='"1,174.50"')], ",")
    write_text(tmp_path / "resor.csv", text)
    con, _ = ingest(tmp_path)
    assert [r[5] for r in trips(con)] == [1174.5]


# --- dates -------------------------------------------------------------------------------------


def test_iso_nordic_slash_zoned_and_excel_serial_dates_in_one_column(tmp_path):
    dates = [
        "2015-03-02",
        "13.03.2015",
        "2/4/2015",
        "2015-03-05 08:00:00",
        "2015-03-06 08:00:00+01:00",
        "2015-03-07 23:30:00Z",
        "42064",  # Excel serial day number of 2015-03-01
    ]
    write_text(tmp_path / "resor.csv", claims([claim(str(i), d) for i, d in enumerate(dates)]))
    con, _ = ingest(tmp_path)
    assert one_file(con)["rows_quarantined"] == 0
    assert [r[3] for r in trips(con)] == [
        D(2015, 3, 2),
        D(2015, 3, 13),
        D(2015, 4, 2),
        D(2015, 3, 5),
        D(2015, 3, 6),
        D(2015, 3, 7),
        D(2015, 3, 1),
    ]


LEGACY = "Full Name\tUser Action\tTimestamp\n"


def legacy(stamps: list[str]) -> str:
    return LEGACY + "".join(
        f"Deltagare {i}\t{'Joined' if i % 2 == 0 else 'Left'}\t{s}\n" for i, s in enumerate(stamps)
    )


def test_a_day_above_12_decides_the_day_month_order_for_the_whole_column(tmp_path):
    stamps = ["11/12/2020, 12:27:24", "13/12/2020, 09:00:00", "01/12/2020, 10:00:00"]
    con, record = ingest_file(tmp_path, "falun/attendance.csv", legacy(stamps), "utf-16-le+bom")
    assert (record["status"], record["rows_loaded"]) == ("loaded", 3)
    assert [
        r[0]
        for r in rows(
            con, "select event_time from raw.teams_attendance_legacy order by source_line"
        )
    ] == [
        T(2020, 12, 11, 12, 27, 24),
        T(2020, 12, 13, 9, 0),
        T(2020, 12, 1, 10, 0),
    ]


def test_a_date_that_only_fits_the_other_order_is_quarantined_not_misread(tmp_path):
    stamps = ["13/12/2020, 09:00:00", "14/12/2020, 09:00:00", "12/31/2020, 09:00:00"]
    write_text(tmp_path / "falun" / "attendance.csv", legacy(stamps), "utf-16-le+bom")
    con, _ = ingest(tmp_path)
    assert one_file(con)["rows_loaded"] == 2
    assert quarantine(con) == [(4, "event_time", "12/31/2020, 09:00:00", "is not a date and time")]


def test_ambiguous_day_month_order_is_loaded_with_a_warning(tmp_path):
    stamps = ["11/12/2020, 12:27:24", "01/12/2020, 10:00:00"]
    con, record = ingest_file(tmp_path, "falun/attendance.csv", legacy(stamps), "utf-16-le+bom")
    assert record["status"] == "loaded_with_warnings"
    assert "no day above 12" in record["message"] and "event_time" in record["message"]


# --- durations ---------------------------------------------------------------------------------


def test_durations_as_minutes_decimal_minutes_h_mm_and_hh_mm_ss(tmp_path):
    lengths = ["45", "45,5", "0:45", "1:02:30", "2 h 44 m", "1h 2m 3s"]
    write_text(
        tmp_path / "telemote.csv",
        "Konferens-ID;Starttid;Längd (min);Värd\n"
        + "".join(f"K-{i};2016-03-14 09:00;{v};kf@falun.se\n" for i, v in enumerate(lengths)),
    )
    con, _ = ingest(tmp_path)
    assert [
        r[0]
        for r in rows(con, "select duration_s from raw.telia_conferences order by conference_id")
    ] == [
        2700.0,
        2730.0,
        2700.0,
        3750.0,
        2 * 3600 + 44 * 60.0,
        3723.0,
    ]


def test_durations_in_seconds_and_iso_8601(tmp_path):
    write_text(
        tmp_path / "falun" / "teams_counts.csv",
        "Report Refresh Date,Report Date,Meetings,Audio Duration,Video Duration,Report Period\n"
        "2024-03-11,2024-03-10,4,PT1H2M3S,,7\n2024-03-11,2024-03-09,1,PT0S,PT45S,7\n",
    )
    con, _ = ingest(tmp_path)
    assert rows(
        con, "select audio_s, video_s from raw.teams_activity_counts order by report_date"
    ) == [(0.0, 45.0), (3723.0, 0.0)]


# --- title blocks, totals rows, blank lines ----------------------------------------------------


def test_report_refresh_date_and_title_lines_above_the_header(tmp_path):
    write_text(
        tmp_path / "teams_counts.csv",
        "Report Refresh Date: 2024-03-11\nKommun: Falun (2080)\n\n"
        "Report Refresh Date,Report Date,Team Chat Messages,Calls,Meetings,Report Period\n"
        "2024-03-11,2024-03-10,1,3,4,7\n",
        "utf-8-sig",
    )
    con, _ = ingest(tmp_path)
    assert one_file(con)["rows_loaded"] == 1
    assert rows(con, "select source_line, municipality_code from raw.teams_activity_counts") == [
        (5, "2080")
    ]


@pytest.mark.parametrize("label", ["Totalt", "Summa", "Sum", "Total", "I alt"])
def test_totals_rows_are_not_data(tmp_path, label):
    text = claims([claim("1", "2015-03-02"), claim("2", "2015-03-03"), [label] + [""] * 9])
    con, record = ingest_file(tmp_path, "resor.csv", text)
    assert (record["rows_in"], record["rows_loaded"], record["status"]) == (2, 2, "loaded")


def test_a_totals_mismatch_is_a_warning_not_a_rejection(tmp_path):
    con, record = ingest_fixture(tmp_path, "telia.csv")
    assert (record["status"], record["rows_loaded"]) == ("loaded_with_warnings", 2)
    assert 'totals row says 1,174 for "meetings" but the rows add up to 21' in record["message"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"], ids=["direct", "normalised"])
def test_blank_and_delimiter_only_lines_are_skipped_and_line_numbers_stay_physical(
    tmp_path, encoding
):
    text = (
        claims([claim("1", "2015-03-02")])
        + "\n;;;;;;;;;\n"
        + ";".join(claim("2", "2015-03-0x"))
        + "\n"
        + ";".join(claim("3", "2015-03-04")[:6])
        + "\n"
        + ";".join(claim("4", "2015-03-05"))
        + "\n\n\n;;;;;;;;;\n"
    )
    con, record = ingest_file(tmp_path, "resor.csv", text, encoding, "\r\n")
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (4, 2, 2)
    assert [(r[0], r[3]) for r in trips(con)] == [(2, D(2015, 3, 2)), (7, D(2015, 3, 5))]
    [bad_date, short] = quarantine(con)
    assert bad_date[:3] == (5, "trip_date", "2015-03-0x")
    assert short[:3] == (6, "(row)", "6 cells")
    assert "header's 10 cells" in short[3]


def test_a_row_with_too_many_cells_is_reported_once_at_its_physical_line(tmp_path):
    text = claims([claim("1", "2015-03-02"), [*claim("2", "2015-03-03"), "extra"]])
    text += ";".join(claim("3", "2015-03-04")) + "\n"
    con, record = ingest_file(tmp_path, "resor.csv", text)
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (3, 2, 1)
    assert [r[0] for r in trips(con)] == [2, 4]
    [(line, column, value, reason)] = quarantine(con)
    assert (line, column, value) == (3, "(row)", "11 cells")
    assert "header's 10 cells" in reason and "stray delimiter" in reason


# --- Excel and mislabelled files ---------------------------------------------------------------


def telia_workbook():
    from openpyxl import Workbook

    book = Workbook()
    info = book.active
    info.title = "Info"
    info.append(["Statistiken är hämtad ur Telia Företagsportalen."])
    sheet = book.create_sheet("Statistik")
    for line in (["Telia Videomöte - statistik"], ["Kund: IT-Dalarna"], []):
        sheet.append(line)
    sheet.append(["Månad", "Organisation", "Rum", "Antal möten", "Total mötestid (tim:min)"])
    sheet.append([dt.datetime(2014, 1, 1), "Falu kommun", "Falun Stadshuset VR1", 12, "14:30"])
    sheet.append(["2014-02", 926, "Lillesand rådhus", 3, "1:15"])
    sheet.append(["Summa", None, None, 15, "15:45"])
    return book


def test_xlsx_with_several_sheets_and_a_title_block(tmp_path):
    telia_workbook().save(tmp_path / "telia_2014.xlsx")
    con, record = ingest_one(tmp_path)  # the Info sheet holds no table and is not an error
    assert (record["part"], record["export_kind"], record["rows_in"]) == (
        "Statistik",
        "telia_video_rooms",
        2,
    )
    assert rows(
        con,
        "select source_line, month, municipality_code, meetings, duration_s "
        "from raw.telia_video_rooms order by source_line",
    ) == [(5, D(2014, 1, 1), "2080", 12, 52200.0), (6, D(2014, 2, 1), "0926", 3, 4500.0)]


def test_an_xlsx_saved_under_a_csv_name_and_a_csv_under_an_xls_name(tmp_path):
    telia_workbook().save(tmp_path / "telia_2014.csv")
    write_text(tmp_path / "resor.xls", claims([claim("1", "2015-03-02")]), "cp1252")
    con, _ = ingest(tmp_path)
    records = files(con)
    assert records["telia_2014.csv|Statistik"]["rows_loaded"] == 2
    assert records["resor.xls"]["export_kind"] == "travel_claims"
    assert records["resor.xls"]["rows_loaded"] == 1


# --- archives ----------------------------------------------------------------------------------


def test_zip_members_are_read_from_a_temporary_folder(tmp_path):
    raw = tmp_path / "raw"
    zip_of(raw / "export.zip", {"2015/resor.csv": claims([claim("1", "2015-03-02")])})
    before = set(os.listdir(tmp_path))
    con, _ = ingest(raw)
    assert one_file(con)["part"] == "2015_resor.csv"
    assert trips(con) == [(2, "2080", "Socialförvaltningen", D(2015, 3, 2), 52.0, 100.0)]
    assert set(os.listdir(tmp_path)) == before and os.listdir(raw) == ["export.zip"]


def test_path_traversal_and_zip_bombs_are_refused_and_the_run_goes_on(tmp_path):
    raw = tmp_path / "raw"
    zip_of(raw / "evil.zip", {"../../escape.csv": claims([claim("1", "2015-03-02")])})
    with zipfile.ZipFile(raw / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.csv", b"0" * (20 * 1024 * 1024))
    write_text(raw / "resor.csv", claims([claim("1", "2015-03-02")]))
    con, _ = ingest(raw)
    records = {r["path"]: r for r in accounted(con)}
    assert records["evil.zip"]["status"] == "unreadable"
    assert "'../../escape.csv' points outside the archive" in records["evil.zip"]["message"]
    assert records["bomb.zip"]["status"] == "unreadable"
    assert "possible zip bomb" in records["bomb.zip"]["message"]
    assert records["resor.csv"]["rows_loaded"] == 1
    assert not (tmp_path / "escape.csv").exists() and not list(tmp_path.rglob("escape.csv"))


# --- unrecognised files ------------------------------------------------------------------------


def test_an_unrecognised_file_names_the_closest_contract_and_its_missing_columns(tmp_path):
    write_text(
        tmp_path / "konferenser.csv",
        "Konferens-ID;Starttid;Antal deltagare\nK-1;2016-03-14 09:00;4\n",
    )
    write_text(tmp_path / "resor.csv", claims([claim("1", "2015-03-02")]))
    con, _ = ingest(tmp_path)
    records = files(con)
    miss = records["konferenser.csv"]
    assert (miss["status"], miss["export_kind"], miss["rows_in"]) == ("unrecognized", None, 0)
    assert "closest is 'telia_conferences'" in miss["message"]
    assert 'duration_s ("Längd (min)")' in miss["message"]
    assert records["resor.csv"]["rows_loaded"] == 1


# --- municipality attribution ------------------------------------------------------------------


def test_attribution_respects_the_validity_of_codes_and_domains(tmp_path):
    write_text(
        tmp_path / "lync.csv",
        "SessionIdTime,SessionIdSeq,FromUri,ToUri,InviteTime,ResponseCode,SessionEndTime,"
        "MediaTypes\n"
        "2016-03-14 09:00:00,1,a@kristiansand.kommune.no,b@x.example,2016-03-14 09:00:00,200,"
        "2016-03-14 09:10:00,16\n"
        "2021-03-15 09:00:00,1,a@kristiansand.kommune.no,b@x.example,2021-03-15 09:00:00,200,"
        "2021-03-15 09:10:00,16\n"
        "2021-03-15 10:00:00,1,a@unknown.example,b@x.example,2021-03-15 10:00:00,200,"
        "2021-03-15 10:10:00,16\n",
    )
    write_text(
        tmp_path / "telia.csv",
        "Månad;Organisation;Rum;Antal möten\n2014-01;Falu kommun;Rum A;1\n"
        "2015-01;926;Rum B;2\n2015-01;Ingen kommun;Rum C;3\n",
    )
    con, _ = ingest(tmp_path)
    assert rows(
        con, "select session_time::date, municipality_code from raw.lync_sessions order by 1"
    ) == [
        (D(2016, 3, 14), "1001"),
        (D(2021, 3, 15), "4204"),
    ]
    assert rows(
        con,
        "select organisation, municipality_code from raw.telia_video_rooms order by source_line",
    ) == [
        ("Falu kommun", "2080"),
        ("926", "0926"),
    ]
    unattributed = quarantine(con)
    assert [(q[0], q[1], q[2]) for q in unattributed] == [
        (4, "from_uri", "*@unknown.example"),
        (4, "room", "Rum C"),
    ]
    assert all(q[3].startswith("no municipality found for this row") for q in unattributed)


# --- every row accounted for -------------------------------------------------------------------


def staged_trips(con) -> int:
    from ingest_helpers import build_staging

    from schemas import load_contracts

    build_staging(con, load_contracts())
    return rows(con, "select count(*) from staging.trips")[0][0]


def test_overlapping_exports_are_counted_once_in_staging(tmp_path):
    first = [claim("1", "2015-03-02"), claim("2", "2015-03-03"), claim("3", "2015-03-04")]
    second = [claim("3", "2015-03-04"), claim("4", "2015-03-05")]
    write_text(tmp_path / "resor_jan-mar.csv", claims(first))
    write_text(tmp_path / "resor_mar-apr.csv", claims(second), "cp1252")
    con, _ = ingest(tmp_path)
    assert sum(r["rows_loaded"] for r in accounted(con)) == 5
    assert staged_trips(con) == 4


def test_renaming_re_ingesting_and_editing_a_file(tmp_path):
    path = write_text(tmp_path / "resor.csv", claims([claim("1", "2015-03-02")]))
    con, report = ingest(tmp_path)
    assert staged_trips(con) == 1
    _, report = ingest(tmp_path, con)
    assert report.loaded == [] and report.unchanged == ["resor.csv"]
    os.utime(path, (0, 0))  # touched, same content: nothing changes
    _, report = ingest(tmp_path, con)
    assert report.loaded == [] and staged_trips(con) == 1
    shutil.move(path, tmp_path / "resor_falun_2015.csv")
    _, report = ingest(tmp_path, con)
    assert report.renamed == [("resor.csv", "resor_falun_2015.csv")] and report.loaded == []
    assert staged_trips(con) == 1
    assert [r["path"] for r in accounted(con)] == ["resor_falun_2015.csv"]
    write_text(
        tmp_path / "resor_falun_2015.csv",
        claims([claim("1", "2015-03-02"), claim("2", "2015-03-09")]),
    )
    _, report = ingest(tmp_path, con)
    assert [r.rows_in for r in report.loaded] == [2]
    assert staged_trips(con) == 2
    assert rows(con, "select count(*) from raw.travel_claims")[0][0] == 2


@pytest.mark.parametrize("where", ["folder", "title"])
def test_a_folder_or_title_line_attributes_by_the_rows_own_date(tmp_path, where):
    text = (
        "Ansattnr;Enhet;Reisedato;Fra;Til;Formål;Km\n"
        "2001;Helse;11.03.2016;Kristiansand;Arendal;Møte;140\n"
        "2002;Skole;15.06.2021;Kristiansand;Oslo;Møte;320\n"
    )
    if where == "title":
        path = tmp_path / "reiser.csv"
        text = "Reiseregning - uttrekk\nKommune: Kristiansand kommune\n\n" + text
    else:
        path = tmp_path / "kristiansand" / "reiser.csv"
    write_text(path, text)
    con, _ = ingest(tmp_path)
    assert one_file(con)["rows_loaded"] == 2
    assert rows(
        con, "select trip_date, municipality_code from raw.travel_claims order by trip_date"
    ) == [(D(2016, 3, 11), "1001"), (D(2021, 6, 15), "4204")]


def test_a_byte_identical_copy_under_another_name_is_a_duplicate_counted_once(tmp_path):
    write_text(tmp_path / "resor.csv", claims([claim("1", "2015-03-02"), claim("2", "2015-03-03")]))
    shutil.copy(tmp_path / "resor.csv", tmp_path / "resor (1).csv")
    con, _ = ingest(tmp_path)
    [(first, loaded), (second, duplicate)] = [
        (r["path"], r) for r in sorted(accounted(con), key=lambda r: r["status"] == "duplicate")
    ]
    assert (loaded["status"], loaded["rows_loaded"]) == ("loaded", 2)
    assert duplicate["status"] == "duplicate"
    assert f"same content as {first}, which is loaded; counted once" in duplicate["message"]
    assert {first, second} == {"resor.csv", "resor (1).csv"}
    assert staged_trips(con) == 2


def test_a_line_break_inside_quotes_is_read_serially_and_nothing_is_lost(tmp_path):
    # DuckDB's parallel reader cannot pad short rows across quoted line breaks: the loader
    # starts the file again with a serial read, in a fresh transaction.
    broken = claim("2", "2015-03-03")
    broken[5] = '"Möte\nmed länet"'
    text = claims([claim("1", "2015-03-02"), broken, claim("3", "2015-03-04")[:6]])
    con, record = ingest_file(tmp_path, "resor.csv", text)
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (3, 2, 1)
    assert [(r[0], r[3]) for r in trips(con)] == [(2, D(2015, 3, 2)), (3, D(2015, 3, 3))]
    [(line, column, value, _)] = quarantine(con)
    # Numbered by rows: the quoted line break is the one documented shift (README).
    assert (line, column, value) == (4, "(row)", "6 cells")
    assert accounted(con)


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 24])
def test_the_file_scan_finds_every_empty_line_whatever_the_slice_size(tmp_path, monkeypatch, chunk):
    import hashlib

    from assets.raw import sources

    monkeypatch.setattr(sources, "SCAN_CHUNK", chunk)
    data = b"h\na\n\nb\r\n\r\nc\n\n\n\nd"
    path = tmp_path / "blank.csv"
    path.write_bytes(data)
    scan = sources.scan_file(path)
    assert scan.blank_lines == (3, 5, 7, 8, 9)
    assert scan.sha256 == hashlib.sha256(data).hexdigest()
    # The sensor needs only the hash, an archive member only its empty lines.
    assert sources.scan_file(path, lines=False) == sources.FileScan(scan.sha256, ())
    assert sources.scan_file(path, hashed=False) == sources.FileScan("", scan.blank_lines)
    (tmp_path / "empty.csv").write_bytes(b"")
    assert sources.scan_file(tmp_path / "empty.csv").blank_lines == ()

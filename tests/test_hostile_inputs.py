"""Hostile and careless inputs: each is the file's problem, recorded, never the run's."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from fixture_files import write_text, write_zip
from ingest_helpers import (
    KEY,
    REFERENCE,
    accounted,
    files,
    fresh,
    ingest,
    one_file,
    quarantine,
    rows,
)

from assets.raw import ingest as ingest_module
from assets.raw.ingest import (
    DropFolderMissing,
    PseudonymKeyMismatch,
    ingest_folder,
    key_fingerprint,
    needs_ingest,
)
from assets.raw.manifest import folder_snapshot
from assets.raw.reference import REFERENCE_TABLES, ReferenceError, check_reference, load_reference
from assets.raw.sources import (
    ZIP_MAX_DEPTH,
    UnpackBudget,
    UnreadableFile,
    long_line,
    open_sources,
)
from assets.settings import Inputs

CLAIMS_HEADER = (
    "Anställningsnr;Förvaltning;Resdatum;Från;Till;Ändamål;Antal km;Färdmedel;Belopp (kr)"
)


def claims_csv(path: Path, rows_: int, purpose_at: dict[int, str] | None = None) -> Path:
    """A UTF-8 claims export for Falun: title line, empty line, header, `rows_` trips."""
    lines = ["Kommun: Falun (2080)", "", CLAIMS_HEADER]
    for i in range(rows_):
        purpose = (purpose_at or {}).get(i, "Möte")
        day = i % 28 + 1
        lines.append(
            f"{10000 + i};Miljöförvaltningen;2011-01-{day:02d};Falun;Leksand;{purpose};"
            "109,0;Egen bil;201,65"
        )
    return write_text(path, "\n".join(lines) + "\n")


def test_stray_quote_quarantines_its_line_and_loads_the_rest(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 1000, {5: '"Möte'})
    con, _ = ingest(tmp_path / "raw")
    [record] = accounted(con)
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (1000, 999, 1)
    assert record["status"] == "loaded_with_warnings"
    assert "never closes (line 9)" in record["message"]
    assert "read line by line, 1 line(s) quarantined" in record["message"]
    assert quarantine(con) == [
        (
            9,
            "(row)",
            "(row)",
            'this line opens a quote (") that never closes; fix or remove the quote and drop '
            "the file again",
        )
    ]
    assert rows(con, "select count(*), min(source_line), max(source_line) from raw.travel_claims")
    assert rows(con, "select count(*) from raw.travel_claims where source_line = 9") == [(0,)]
    assert rows(con, "select count(*), max(source_line) from raw.travel_claims") == [(999, 1003)]


def test_quoted_cells_spanning_lines_are_not_stray(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 20, {3: '"Möte\nmed\nRegion"'})
    con, _ = ingest(tmp_path / "raw")
    record = files(con)["claims.csv"]
    assert (record["rows_in"], record["rows_loaded"], record["status"]) == (20, 20, "loaded")
    assert rows(con, "select count(*) from ops.quarantine") == [(0,)]


def test_two_stray_quotes_each_lose_one_line(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 50, {0: '"Möte', 30: '"Möte'})
    con, _ = ingest(tmp_path / "raw")
    record = files(con)["claims.csv"]
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (50, 48, 2)
    assert [r[0] for r in quarantine(con)] == [4, 34]


def copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE, folder)
    return folder


def move_column_last(path: Path, name: str) -> None:
    """Rewrite a reference CSV with one column (header included) moved to the end."""
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    index = table[0].index(name)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(r[:index] + r[index + 1 :] + [r[index]] for r in table)


def test_reference_columns_are_read_by_header(tmp_path):
    folder = copy_reference(tmp_path)
    move_column_last(folder / "factors.csv", "value")
    table = next(t for t in REFERENCE_TABLES if t.name == "factors")
    check_reference(folder)
    con = duckdb.connect()
    expected = duckdb.connect()
    load_reference(con, folder, table)
    load_reference(expected, REFERENCE, table)
    sql = "select * from ref.factors order by all"
    assert con.execute(sql).fetchall() == expected.execute(sql).fetchall()
    [[value]] = con.execute(
        "select value from ref.factors where factor = 'co2_g_per_km' and country = 'SE' "
        "and year_from = 2011"
    ).fetchall()
    assert value == 195


def test_broken_reference_value_names_file_line_column_and_value(tmp_path):
    folder = copy_reference(tmp_path)
    path = folder / "factors.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[2].startswith("co2_g_per_km,SE,2006,2006,204,")
    lines[2] = lines[2].replace(",204,", ",2O4,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ReferenceError) as err:
        check_reference(folder)
    assert str(err.value) == (
        f"{path}, line 3, column \"value\": '2O4' is not a number (1234.5); correct that cell "
        "(no export file needs changing)"
    )


def test_reference_range_and_missing_column_block_the_run(tmp_path):
    folder = copy_reference(tmp_path)
    targets = folder / "targets.csv"
    targets.write_text(
        "programme,from_year,reduction_pct,metric,scope,source\n"
        "vi-mots-resfritt,2015,120,trips,,seed\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceError, match=r'line 2, column "reduction_pct": \'120\' is above'):
        check_reference(folder)
    targets.write_text(
        "programme,from_year,metric,scope,source\nvi-mots-resfritt,2015,trips,,seed\n"
    )
    with pytest.raises(ReferenceError) as err:
        check_reference(folder)
    assert str(err.value) == (
        f'{targets}, line 1 (the header): column "reduction_pct" is missing (the header has '
        "programme, from_year, metric, scope, source); add it: columns are found by name, "
        "in any order"
    )


def test_another_pseudonym_key_stops_before_changing_anything(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 10)
    con, _ = ingest(tmp_path / "raw")
    [[stored]] = rows(con, "select fingerprint from ops.pseudonym_key")
    assert stored == key_fingerprint(KEY) and KEY not in stored
    claims_csv(tmp_path / "raw" / "more.csv", 5)
    with pytest.raises(PseudonymKeyMismatch) as err:
        ingest_folder(con, tmp_path / "raw", "another-key")
    assert f"(fingerprint {key_fingerprint('another-key')}) is not the one" in str(err.value)
    assert "Nothing was changed" in str(err.value)
    assert list(files(con)) == ["claims.csv"]
    assert rows(con, "select count(*) from raw.travel_claims") == [(10,)]
    ingest_folder(con, tmp_path / "raw", KEY)
    assert rows(con, "select count(*) from raw.travel_claims") == [(15,)]


def claims_text(rows_: int, first: int = 10000) -> str:
    lines = ["Kommun: Falun (2080)", "", CLAIMS_HEADER]
    lines += [
        f"{first + i};Miljöförvaltningen;2011-02-0{i % 9 + 1};Falun;Leksand;Möte;109,0;Egen bil;1"
        for i in range(rows_)
    ]
    return "\n".join(lines) + "\n"


def patched_zip(path: Path, name: str, data: str, *, flag: int = 0, method: int = 0) -> Path:
    """A one-member zip whose headers claim encryption (flag) or another compression method."""
    write_zip(path, {name: data})
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        [info] = archive.infolist()
    raw[info.header_offset + 6] |= flag
    central = raw.index(b"PK\x01\x02")
    raw[central + 8] |= flag
    if method:
        raw[info.header_offset + 8 : info.header_offset + 10] = method.to_bytes(2, "little")
        raw[central + 10 : central + 12] = method.to_bytes(2, "little")
    path.write_bytes(bytes(raw))
    return path


def test_encrypted_and_deflate64_members_are_the_files_problem(tmp_path):
    raw = tmp_path / "raw"
    patched_zip(raw / "locked.zip", "claims.csv", claims_text(3), flag=0x1)
    patched_zip(raw / "big.zip", "claims.csv", claims_text(3), method=9)
    claims_csv(raw / "good.csv", 4)
    con, _ = ingest(raw)
    records = files(con)
    assert records["good.csv"]["rows_loaded"] == 4
    assert records["locked.zip"]["status"] == "unreadable"
    assert (
        "archive member 'claims.csv' is encrypted (password-protected)"
        in (records["locked.zip"]["message"])
    )
    assert records["big.zip"]["status"] == "unreadable"
    assert "is compressed with Deflate64" in records["big.zip"]["message"]
    accounted(con)


def test_a_file_the_account_cannot_read_is_recorded_and_retried(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    claims_csv(raw / "secret.csv", 3)
    claims_csv(raw / "good.csv", 4)
    real_scan = ingest_module.scan_file

    def refuse(path, *args, **kwargs):
        if path.name == "secret.csv":
            raise PermissionError(13, "Permission denied")
        return real_scan(path, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "scan_file", refuse)
    con, _ = ingest(raw)
    record = files(con)["secret.csv"]
    assert record["status"] == "unreadable"
    assert record["message"] == (
        "secret.csv: could not be opened (Permission denied); give the pipeline's account read "
        "access to it (or copy it into the drop folder again) and the next run loads it; the "
        "other files were loaded"
    )
    assert files(con)["good.csv"]["rows_loaded"] == 4
    monkeypatch.setattr(ingest_module, "scan_file", real_scan)
    ingest(raw, con)
    assert files(con)["secret.csv"]["rows_loaded"] == 3


def test_zip_nested_too_deep_is_unreadable(tmp_path):
    data = zip_bytes({"claims.csv": claims_text(2)})
    for _ in range(ZIP_MAX_DEPTH + 2):
        data = zip_bytes({"inner.zip": data})
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "deep.zip").write_bytes(data)
    con, _ = ingest(tmp_path / "raw")
    record = one_file(con)
    assert record["status"] == "unreadable"
    assert f"archives nested more than {ZIP_MAX_DEPTH} deep" in record["message"]


def test_unpacked_bytes_have_one_budget_per_archive(tmp_path):
    inner = zip_bytes({"a.csv": "x" * 600})
    path = tmp_path / "nested.zip"
    path.write_bytes(zip_bytes({"one.zip": inner, "two.zip": inner}))
    budget = UnpackBudget(1000)
    with pytest.raises(UnreadableFile, match="more than 1,000 bytes in all"):
        open_sources(path, "nested.zip", tmp_path / "scratch", budget)


def test_zip_members_whose_names_collide_keep_their_own_rows(tmp_path):
    path = write_zip(
        tmp_path / "raw" / "export.zip",
        {"a/b.csv": claims_text(2, 20000), "a_b.csv": claims_text(3, 30000)},
    )
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("a_b.csv", claims_text(4, 40000))
    con, _ = ingest(tmp_path / "raw")
    records = files(con)
    assert records["export.zip|a/b.csv"]["rows_loaded"] == 2
    assert records["export.zip|a_b.csv"]["rows_loaded"] == 3
    assert records["export.zip|a_b.csv (copy 2)"]["rows_loaded"] == 4
    assert rows(
        con,
        "select source_part, count(*) from raw.travel_claims group by all order by all",
    ) == [("a/b.csv", 2), ("a_b.csv", 3), ("a_b.csv (copy 2)", 4)]


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_drop_folder_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(DropFolderMissing) as err:
        ingest(tmp_path / "misspelt")
    assert str(err.value) == (
        f"The drop folder {tmp_path / 'misspelt'} does not exist (or is not a folder): check "
        "RESFRITT_RAW_DIR, or create the folder; nothing was loaded"
    )


def test_links_out_of_the_drop_folder_are_refused_and_recorded(tmp_path):
    outside = claims_csv(tmp_path / "elsewhere" / "claims.csv", 3)
    raw = tmp_path / "raw"
    claims_csv(raw / "good.csv", 4)
    (raw / "link.csv").symlink_to(outside)
    con, _ = ingest(raw)
    record = files(con)["link.csv"]
    assert (record["status"], record["rows_in"]) == ("unreadable", 0)
    assert record["message"] == (
        "link.csv: is a link to a file outside the drop folder, refused (nothing outside the "
        "drop folder is read); copy the export itself into the drop folder"
    )
    assert files(con)["good.csv"]["rows_loaded"] == 4
    assert rows(con, "select count(*) from raw.travel_claims") == [(4,)]


def test_nul_bytes_are_removed_counted_and_the_rows_load(tmp_path):
    raw = tmp_path / "raw"
    lines = claims_text(300).split("\n")
    lines[5] = lines[5].replace("Möte", "Mö\x00te")  # early: within the sniffed head
    lines[250] = lines[250].replace("Möte", "\x00Möte\x00")
    raw.mkdir()
    (raw / "claims.csv").write_bytes("\n".join(lines).encode() + b"\x00" * 1000)
    claims_csv(raw / "good.csv", 4)
    con, _ = ingest(raw)
    [record, good] = accounted(con)
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (300, 300, 0)
    assert record["status"] == "loaded_with_warnings"
    assert record["message"].startswith(
        "300 rows loaded, 0 quarantined. Warning: 1,003 NUL byte(s) (\\0, left by an "
        "interrupted copy or a padded export) were removed before reading"
    )
    assert (good["path"], good["status"], good["rows_loaded"]) == ("good.csv", "loaded", 4)
    assert rows(
        con,
        "select count(*), count(*) filter (where purpose = 'Möte'), max(source_line) "
        "from raw.travel_claims where source_path = 'claims.csv'",
    ) == [(300, 300, 303)]


def ingest_beside_a_good_file(raw: Path, unreadable: str) -> dict[str, dict]:
    """Add a good claims file to `raw` and ingest it; every file is accounted for and the file
    `unreadable` is recorded unreadable. Returns ops.files by path."""
    claims_csv(raw / "good.csv", 4)
    con, _ = ingest(raw)
    records = files(con)
    accounted(con)
    assert records[unreadable]["status"] == "unreadable"
    return records


def test_a_line_longer_than_the_limit_makes_its_file_unreadable(tmp_path, monkeypatch):
    monkeypatch.setenv("RESFRITT_MAX_LINE_BYTES", "100000")
    raw = tmp_path / "raw"
    lines = claims_text(300).split("\n")
    lines[100] = lines[100].replace("Möte", "M" * 150_000)
    write_text(raw / "long.csv", "\n".join(lines))
    lines[100] = lines[100].replace("M" * 150_000, "M" * 90_000)  # under the limit: loads
    write_text(raw / "wide.csv", "\n".join(lines))
    records = ingest_beside_a_good_file(raw, "long.csv")
    assert records["long.csv"]["message"] == (
        "long.csv: line 101 is 150,069 bytes long, more than the 100,000 bytes a row of an "
        "export may have (RESFRITT_MAX_LINE_BYTES): its line ends were probably lost, or it is "
        "no export. Export it again (or split that line) and drop it again; nothing of this "
        "file was loaded"
    )
    assert (records["wide.csv"]["status"], records["wide.csv"]["rows_loaded"]) == ("loaded", 300)
    assert records["good.csv"]["rows_loaded"] == 4


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        # limit 16,000 bytes, blocks of 8,000: lines whose newline lies past a block's first
        # 4 KB (the probe misses it, the block's search finds it) are not too long
        ([7_000, 7_900, 15_999, 30], None),
        ([7_000, 16_001, 30], (2, 16_001)),
        ([100] * 50 + [40_000], (51, 40_000)),
    ],
)
def test_the_first_line_longer_than_the_limit_is_found(tmp_path, lengths, expected):
    path = tmp_path / "lines.csv"
    path.write_bytes(b"\n".join(b"x" * n for n in lengths) + b"\n")
    assert long_line(path, 16_000) == expected


def test_a_long_cell_under_the_limit_loads_in_any_encoding(tmp_path):
    lines = claims_text(30).split("\n")
    lines[10] = lines[10].replace("Möte", "M" * 200_000)  # past Python's 128 kB cell limit
    write_text(tmp_path / "raw" / "cp1252.csv", "\n".join(lines), encoding="cp1252")
    con, _ = ingest(tmp_path / "raw")
    [record] = accounted(con)
    assert (record["status"], record["rows_in"], record["rows_loaded"]) == ("loaded", 30, 30)
    assert rows(con, "select max(length(purpose)) from raw.travel_claims") == [(200_000,)]


def xlsx_reaching(path: Path, dimension: str, far_cell: str | None = None) -> Path:
    """A small claims workbook whose sheet claims `dimension`, with a value at `far_cell`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Resor"
    for line in claims_text(3).splitlines():
        sheet.append(line.split(";"))
    if far_cell:
        sheet[far_cell] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data
                )
            target.writestr(info, data)
    return path


def test_a_sheet_reaching_the_last_column_is_unreadable_before_it_is_read(tmp_path):
    raw = tmp_path / "raw"
    xlsx_reaching(raw / "claimed.xlsx", "A1:XFD1048576")
    xlsx_reaching(raw / "hidden.xlsx", "A1:I6", far_cell="XFD1")  # the claim lies: cells tell
    xlsx_reaching(raw / "fine.xlsx", "A1:I6")
    records = ingest_beside_a_good_file(raw, "claimed.xlsx")
    assert records["claimed.xlsx"]["message"] == (
        "claimed.xlsx: sheet 'Resor' reaches 16,384 columns and 1,048,576 rows, more than any "
        "export (1,000 columns, 50,000,000 cells): formatting or a stray value far outside the "
        "table. Delete the columns and rows after the table (or save the sheet as CSV UTF-8) "
        "and drop it again; nothing of this file was loaded"
    )
    assert records["hidden.xlsx"]["status"] == "unreadable"
    assert "sheet 'Resor' reaches 16,384 columns and 6 rows" in records["hidden.xlsx"]["message"]
    assert records["fine.xlsx|Resor"]["rows_loaded"] == 3
    assert records["good.csv"]["rows_loaded"] == 4


def test_a_file_name_that_is_not_utf8_is_recorded_escaped(tmp_path):
    raw = tmp_path / "raw"
    claims_csv(raw / "good.csv", 4)
    odd = Path(os.fsdecode(os.fsencode(raw) + b"/caf\xe9.csv"))  # Latin-1 bytes, not UTF-8
    odd.write_bytes(claims_text(3).encode())
    con, _ = ingest(raw)
    records = files(con)
    accounted(con)
    assert sorted(records) == ["caf\\xe9.csv", "good.csv"]
    record = records["caf\\xe9.csv"]
    assert (record["status"], record["rows_in"], record["rows_loaded"]) == (
        "loaded_with_warnings",
        3,
        3,
    )
    assert record["message"] == (
        "3 rows loaded, 0 quarantined. Warning: the file's name is not valid UTF-8 (recorded "
        "as 'caf\\\\xe9.csv'); rename it and its rows follow the new name"
    )
    assert records["good.csv"]["rows_loaded"] == 4
    assert rows(
        con, "select source_path, count(*) from raw.travel_claims group by 1 order by 1"
    ) == [
        ("caf\\xe9.csv", 3),
        ("good.csv", 4),
    ]
    _, again = ingest(raw, con)
    assert sorted(again.unchanged) == ["caf\\xe9.csv", "good.csv"] and not again.loaded
    assert not needs_ingest(con, raw)
    odd.rename(raw / "café.csv")
    _, renamed = ingest(raw, con)
    assert renamed.renamed == [("caf\\xe9.csv", "café.csv")]
    assert rows(con, "select count(*) from raw.travel_claims where source_path = 'café.csv'") == [
        (3,)
    ]
    assert files(con)["café.csv"]["status"] == "loaded"
    assert files(con)["café.csv"]["message"] == "3 rows loaded, 0 quarantined"


def test_a_file_still_being_written_waits_for_the_next_run(tmp_path):
    raw = tmp_path / "raw"
    settled = claims_csv(raw / "settled.csv", 4)
    old = time.time() - 60
    os.utime(settled, (old, old))
    arriving = claims_csv(raw / "arriving.csv", 3)  # changed just now
    con = fresh()
    report = ingest_folder(con, raw, KEY, settle_s=30)
    assert report.waiting == [
        "arriving.csv: still being written (changed less than 30 s ago, RESFRITT_SETTLE_S); "
        "left for the next run, nothing to do"
    ]
    assert list(files(con)) == ["settled.csv"]
    assert rows(con, "select count(*) from raw.travel_claims") == [(4,)]
    assert needs_ingest(con, raw)
    inputs = Inputs(raw_dir=str(raw), reference_dir=str(REFERENCE), key_file="k", settle_s=30)
    assert list(folder_snapshot(inputs, None)) == ["settled.csv"]
    os.utime(arriving, (old, old))  # the copy is done
    report = ingest_folder(con, raw, KEY, settle_s=30)
    assert report.waiting == [] and [r.path for r in report.loaded] == ["arriving.csv"]
    assert files(con)["arriving.csv"]["rows_loaded"] == 3
    assert rows(con, "select count(*) from raw.travel_claims") == [(7,)]
    assert sorted(folder_snapshot(inputs, None)) == ["arriving.csv", "settled.csv"]
    accounted(con)


@pytest.mark.parametrize(
    ("meddle", "said"),
    [
        (lambda path: path.write_bytes(path.read_bytes() + b"\n"), "changed while it was read"),
        (lambda path: path.unlink(), "disappeared while it was read"),
    ],
)
def test_a_file_that_changes_or_goes_while_it_is_read_is_recorded_and_retried(
    tmp_path, monkeypatch, meddle, said
):
    from assets.raw import file_load

    raw = tmp_path / "raw"
    claims_csv(raw / "a_steady.csv", 4)
    moving = claims_csv(raw / "b_moving.csv", 3)
    original = file_load.FileLoad.load

    def load_and_meddle(unit, file, scan, scratch):
        records = original(unit, file, scan, scratch)
        if unit.path == "b_moving.csv":
            meddle(moving)
        return records

    monkeypatch.setattr(file_load.FileLoad, "load", load_and_meddle)
    con = fresh()
    ingest_folder(con, raw, KEY)
    record = files(con)["b_moving.csv"]
    assert (record["status"], record["rows_in"], record["rows_loaded"]) == ("unreadable", 0, 0)
    assert record["message"].startswith(f"b_moving.csv: {said}; nothing of it was loaded")
    # the rest of the run stands: the steady file's rows, and none of the moving one's
    assert files(con)["a_steady.csv"]["rows_loaded"] == 4
    assert rows(con, "select count(*) from raw.travel_claims") == [(4,)]
    monkeypatch.undo()
    claims_csv(raw / "b_moving.csv", 3)  # the copy is done (or the file is back)
    ingest_folder(con, raw, KEY)
    assert files(con)["b_moving.csv"]["rows_loaded"] == 3
    assert rows(con, "select count(*) from raw.travel_claims") == [(7,)]
    accounted(con)


@pytest.mark.pipeline
def test_the_run_log_says_which_files_wait(tmp_path):
    import dagster as dg
    from pipeline_helpers import resources_for

    from pipeline.definitions import make_definitions

    raw = tmp_path / "raw"
    claims_csv(raw / "arriving.csv", 3)
    resources = resources_for(raw, tmp_path / "warehouse" / "resfritt.duckdb")
    given = resources["inputs"]
    resources["inputs"] = Inputs(
        raw_dir=given.raw_dir,
        reference_dir=given.reference_dir,
        key_file=given.key_file,
        settle_s=30.0,
    )
    defs = make_definitions(resources)
    files_and_upstream = (
        dg.AssetSelection.assets(dg.AssetKey(["ops", "files"]))
        .upstream()
        .required_multi_asset_neighbors()
        .resolve(defs.resolve_asset_graph())
    )
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=files_and_upstream
    )
    instance = dg.DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert result.success
    said = [r.user_message for r in instance.all_logs(result.run_id) if r.user_message]
    assert (
        "arriving.csv: still being written (changed less than 30 s ago, RESFRITT_SETTLE_S); "
        "left for the next run, nothing to do"
    ) in said

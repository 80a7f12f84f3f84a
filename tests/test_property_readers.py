"""Readers fed arbitrary bytes and mangled real exports: never a crash, every row accounted for."""

from __future__ import annotations

import io
import random
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import (
    DAMAGE,
    LINE_SEEDS,
    accounted,
    connect,
    damage_text,
    data_lines,
    ingest,
    reset,
)
from pipeline_helpers import SAMPLE_RAW, WILD
from property_helpers import reproducible

pytestmark = pytest.mark.unit

SEEDS = sorted(p for p in WILD.glob("*.csv")) + [
    SAMPLE_RAW / "telia_videomote_2014.xlsx",
    SAMPLE_RAW / "Calls.Export.7f3a2c.zip",
    SAMPLE_RAW / "lync_sessiondetails_knutepunkt_2013.csv",
    SAMPLE_RAW / "telia_telemote_webb_2016.csv",
]
SEED_BYTES = {p.name: p.read_bytes() for p in SEEDS}
SETTINGS = reproducible(max_examples=40)


@pytest.fixture(scope="module")
def con():
    connection = connect()
    yield connection
    connection.close()


def _mangle(data: bytes, how: str, rnd: random.Random) -> bytes:
    if not data:
        return data
    if how == "truncate":
        return data[: rnd.randrange(len(data))]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rnd.randint(1, 20)):
            out[rnd.randrange(len(out))] = rnd.randrange(256)
        return bytes(out)
    if how in ("drop_delimiters", "double_delimiters"):
        out = bytearray()
        for byte in data:
            hit = byte in b",;\t" and rnd.random() < 0.1
            if hit and how == "drop_delimiters":
                continue
            out.append(byte)
            if hit:
                out.append(byte)
        return bytes(out)
    if how == "shuffle_lines":
        lines = data.split(b"\n")
        rnd.shuffle(lines)
        return b"\n".join(lines)
    raise AssertionError(how)


def _ingest_one(con, name: str, data: bytes) -> list[dict]:
    reset(con)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "raw"
        raw.mkdir()
        (raw / name).write_bytes(data)
        ingest(raw, con)
    records = accounted(con)
    assert records and {r["path"] for r in records} == {name}
    return records


@SETTINGS
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".zip", ".xls"]))
def test_arbitrary_bytes_never_crash_and_every_row_is_accounted_for(con, data, suffix):
    _ingest_one(con, "export" + suffix, data)


@SETTINGS
@given(
    seed=st.sampled_from(sorted(SEED_BYTES)),
    how=st.sampled_from(
        ["truncate", "flip", "drop_delimiters", "double_delimiters", "shuffle_lines"]
    ),
    salt=st.integers(min_value=0, max_value=2**32),
)
def test_mangled_real_exports_never_crash_and_every_row_is_accounted_for(con, seed, how, salt):
    data = _mangle(SEED_BYTES[seed], how, random.Random(salt))
    _ingest_one(con, "mangled_" + seed, data)


def test_a_corrupt_xlsx_is_unreadable_and_the_run_goes_on(con, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    data = SEED_BYTES["telia_videomote_2014.xlsx"]
    (raw / "broken.xlsx").write_bytes(data[: len(data) // 2])
    shutil.copy(SAMPLE_RAW / "telia_telemote_webb_2016.csv", raw / "good.csv")
    reset(con)
    ingest(raw, con)
    records = {r["path"]: r for r in accounted(con)}
    assert records["broken.xlsx"]["status"] == "unreadable"
    assert records["broken.xlsx"]["message"].startswith("broken.xlsx: ")
    assert records["good.csv"]["status"] in ("loaded", "loaded_with_warnings")


FEW = settings(SETTINGS, max_examples=6)


def _good_and_damaged(raw: Path, seed: str, how: str, salt: int) -> tuple[str, str]:
    """A good export and a damaged copy of another in `raw`; returns their names."""
    good = next(name for name in sorted(LINE_SEEDS) if name != seed)
    (raw / good).write_bytes(LINE_SEEDS[good])
    damaged = f"damaged_{how}_{seed}"
    (raw / damaged).write_bytes(damage_text(LINE_SEEDS[seed], how, random.Random(salt)))
    return good, damaged


@FEW
@given(
    seed=st.sampled_from(sorted(LINE_SEEDS)),
    how=st.sampled_from(DAMAGE),
    salt=st.integers(min_value=0, max_value=2**32),
)
def test_damage_never_stops_the_load_the_good_file_loads_and_every_physical_line_is_counted(
    con, seed, how, salt
):
    reset(con)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder)
        good, damaged = _good_and_damaged(raw, seed, how, salt)
        ingest(raw, con)
        records = {r["path"]: r for r in accounted(con)}
        lines = data_lines((raw / damaged).read_bytes())
    assert records[good]["status"] == "loaded"
    assert records[good]["rows_in"] == data_lines(LINE_SEEDS[good])
    if records[damaged]["status"] not in ("unrecognized", "unreadable"):
        assert records[damaged]["rows_in"] == lines, records[damaged]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in members:
            out.writestr(name, data)
    return buffer.getvalue()


CALLS, PARAMETERS = (
    zipfile.ZipFile(io.BytesIO(SEED_BYTES["Calls.Export.7f3a2c.zip"])).read(name)
    for name in ("PSTN.calls.2024-03-31.csv", "parameters.json")
)
MEMBER_NAMES = st.sampled_from(
    ["calls.csv", "a/b.csv", "a_b.csv", "PSTN.calls.2024-03-31.csv", "x/y/z/calls.csv"]
)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@FEW
@given(first=MEMBER_NAMES, second=MEMBER_NAMES)
def test_renamed_archive_members_each_keep_their_rows(con, first, second):
    """Two copies of a member under random names (colliding after flattening, nested, or the same
    name twice) load under their own parts, every data line of each counted once."""
    reset(con)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder)
        members = [(first, CALLS), (second, CALLS), ("parameters.json", PARAMETERS)]
        (raw / "calls.zip").write_bytes(_zip(members))
        ingest(raw, con)
    loaded = [r for r in accounted(con) if r["status"] not in ("ignored", "unrecognized")]
    assert len({r["part"] for r in loaded}) == len(loaded) == 2, loaded
    assert [r["rows_in"] for r in loaded] == [data_lines(CALLS)] * 2, loaded

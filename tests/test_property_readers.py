"""Readers fed arbitrary bytes and mangled real exports: never a crash, every row accounted for."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import SAMPLE_RAW, WILD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import accounted, connect, ingest, reset

pytestmark = pytest.mark.unit

SEEDS = sorted(p for p in WILD.glob("*.csv")) + [
    SAMPLE_RAW / "telia_videomote_2014.xlsx",
    SAMPLE_RAW / "Calls.Export.7f3a2c.zip",
    SAMPLE_RAW / "lync_sessiondetails_knutepunkt_2013.csv",
    SAMPLE_RAW / "telia_telemote_webb_2016.csv",
]
SEED_BYTES = {p.name: p.read_bytes() for p in SEEDS}
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


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

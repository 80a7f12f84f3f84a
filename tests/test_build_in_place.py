"""A run's build made from the kept previous generation, updated in place: only the chunks that
differ are written, and never under a reader that still has that file open."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pipeline_helpers import scalar
from publication_helpers import begun, make_warehouse, published_with

from assets import filecopy
from assets.filecopy import CHUNK, update_in_place
from assets.warehouse import Publication

HOLD = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "print(con.execute('select v from t').fetchall()[0][0], flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.fixture(autouse=True)
def _no_reflink(monkeypatch):
    """As on ext4, where this project's machine keeps its warehouse: no reflink."""
    monkeypatch.setattr(filecopy, "reflink", _refuse_reflink)
    monkeypatch.setattr("assets.warehouse.reflink", _refuse_reflink)


def _refuse_reflink(_src: Path, dst: Path) -> bool:
    dst.write_bytes(b"")
    return False


@pytest.mark.unit
def test_an_update_in_place_writes_only_the_chunks_that_differ(tmp_path):
    source, target = tmp_path / "new", tmp_path / "old"
    source.write_bytes(os.urandom(5 * CHUNK + 7))
    old = bytearray(source.read_bytes()[: 4 * CHUNK])
    old[2 * CHUNK + 10] ^= 0xFF  # chunk 2 differs; chunk 4 and the 7-byte tail are missing
    target.write_bytes(bytes(old))
    assert update_in_place(source, target) == 2 * CHUNK + 7
    assert target.read_bytes() == source.read_bytes()
    assert update_in_place(source, target) == 0

    target.write_bytes(source.read_bytes() + os.urandom(3 * CHUNK))
    assert update_in_place(source, target) == 0
    assert target.read_bytes() == source.read_bytes(), "a longer file is cut to the source"


@pytest.mark.unit
def test_a_file_a_reader_holds_open_is_never_updated_in_place(tmp_path):
    source, held = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    make_warehouse(source, 2)
    make_warehouse(held, 1)
    before = held.read_bytes()
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(held)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "1"
        assert update_in_place(source, held) is None, "another process's reader"
    finally:
        reader.communicate("")
    assert held.read_bytes() == before
    with duckdb.connect(str(held), read_only=True):
        assert update_in_place(source, held) is None, "a reader in this process"
    assert held.read_bytes() == before
    assert update_in_place(source, held) is not None
    assert held.read_bytes() == source.read_bytes()


@pytest.mark.unit
def test_the_second_publication_builds_on_the_previous_generation_in_place(tmp_path):
    published = published_with(tmp_path, 1)
    for value in (2, 3):
        publication = begun(published)
        make_warehouse(publication.writable(), value)
        assert publication.finish() is True
    (how,) = publication.copies
    assert how.startswith("w.duckdb -> w.duckdb.build: delta, ")
    assert how.endswith(" MB written")
    assert scalar(published, "select v from t") == 3
    assert scalar(publication.previous, "select v from t") == 2


@pytest.mark.unit
def test_a_reader_of_an_old_generation_keeps_it_and_the_build_is_copied_whole(tmp_path):
    published = published_with(tmp_path, 1)
    reader = duckdb.connect(str(published), read_only=True)
    for value in (2, 3):
        publication = begun(published)
        make_warehouse(publication.writable(), value)
        assert publication.finish() is True
    assert reader.execute("select v from t").fetchall() == [(1,)], "its file was not written"
    reader.close()
    assert publication.copies[0] == "w.duckdb.build is open in a reader: not updated in place"
    assert publication.copies[1].split(": ")[1].split(",")[0] == "copy_file_range"
    assert scalar(publication.previous, "select v from t") == 2


def third_run_writing(tmp_path: Path) -> tuple[Path, Publication]:
    """A warehouse published twice (v = 1, then 2) and a third run that has written 3 to its
    build, made from the kept previous generation."""
    published = published_with(tmp_path, 1)
    publication = begun(published)
    make_warehouse(publication.writable(), 2)
    assert publication.finish() is True
    third = begun(published)
    make_warehouse(third.writable(), 3)
    return published, third


@pytest.mark.unit
def test_a_failed_run_keeps_a_copy_of_the_published_file_as_the_previous_generation(tmp_path):
    published, publication = third_run_writing(tmp_path)
    assert not publication.previous.exists(), "it became the build"
    publication.failed.append("step staging_calls failed")
    assert publication.finish() is False
    assert not publication.build.exists()
    assert publication.previous.read_bytes() == published.read_bytes()
    assert scalar(published, "select v from t") == 2


@pytest.mark.unit
def test_a_killed_runs_build_becomes_the_previous_generation_at_the_next_run(tmp_path):
    published, killed = third_run_writing(tmp_path)
    killed._lock_handle.close()  # the process died
    nxt = begun(published)
    assert not nxt.build.exists()
    assert nxt.previous.read_bytes() == published.read_bytes()
    assert scalar(nxt.previous, "select v from t") == 2
    nxt.finish()

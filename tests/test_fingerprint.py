"""One fingerprint policy: a loaded file's fingerprint holds its content hash and the loader's
own code, found from its imports, so editing the loader reloads every file by itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixture_files import write_text
from ingest_helpers import KEY, connect

from assets.fingerprint import ROOT, code_files, code_fingerprint, fingerprint
from assets.raw import ingest as ingest_module

pytestmark = pytest.mark.unit

CLAIMS = (
    "Kommun: Falun (2080)\n\n"
    "Anställningsnr;Förvaltning;Resdatum;Från;Till;Ändamål;Antal km;Färdmedel;Belopp (kr)\n"
    "10001;Miljöförvaltningen;2011-01-03;Falun;Leksand;Möte;109,0;Egen bil;201,65\n"
    "10002;Miljöförvaltningen;2011-01-04;Falun;Leksand;Möte;109,0;Egen bil;201,65\n"
)


def _copy_of_the_code(target: Path) -> Path:
    for package in ("assets", "schemas"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__py*"))
    return target


def test_the_loader_code_is_found_from_its_imports():
    names = {p.relative_to(ROOT).as_posix() for p in code_files(ingest_module.LOADER)}
    assert {
        "assets/raw/ingest.py",
        "assets/raw/file_load.py",
        "assets/raw/load.py",
        "assets/raw/sql_compile.py",
        "assets/raw/sources.py",
        "assets/raw/recognise.py",
        "assets/raw/parse.sql",
        "assets/db.py",
        "assets/fingerprint.py",
        "schemas/__init__.py",
        "schemas/travel_claims.toml",
    } <= names
    assert "assets/raw/assets.py" not in names and "assets/marts/assets.py" not in names


def test_a_copy_of_the_code_keeps_the_fingerprint_and_an_edit_changes_it(tmp_path):
    copy = _copy_of_the_code(tmp_path)
    loader = ingest_module.LOADER
    assert code_fingerprint(loader, copy) == code_fingerprint(loader, ROOT)
    load = copy / "assets" / "raw" / "load.py"
    load.write_text(load.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert code_fingerprint(loader, copy) != code_fingerprint(loader, ROOT)
    assert fingerprint(["a"], "code") != fingerprint(["b"], "code")


def test_editing_a_loader_module_reloads_every_file(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    write_text(raw / "a.csv", CLAIMS)
    write_text(raw / "sub" / "b.csv", CLAIMS.replace("10001", "20001"))
    con = connect()
    first = ingest_module.ingest_folder(con, raw, KEY)
    assert len(first.loaded) == 2
    copy = _copy_of_the_code(tmp_path / "code")
    monkeypatch.setattr(ingest_module, "ROOT", copy)
    unchanged = ingest_module.ingest_folder(con, raw, KEY)
    assert sorted(unchanged.unchanged) == ["a.csv", "sub/b.csv"] and not unchanged.loaded
    assert not ingest_module.needs_ingest(con, raw)
    module = copy / "assets" / "raw" / "file_load.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert ingest_module.needs_ingest(con, raw)
    reloaded = ingest_module.ingest_folder(con, raw, KEY)
    assert sorted(r.path for r in reloaded.loaded) == ["a.csv", "sub/b.csv"]
    assert not reloaded.unchanged
    assert con.execute("select count(*) from raw.travel_claims").fetchall() == [(4,)]

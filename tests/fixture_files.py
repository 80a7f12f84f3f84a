"""Export files for tests, written as vendors write them (encoding, newlines, zips) or copied from
tests/fixtures/exports, and ingested."""

from __future__ import annotations

import codecs
import shutil
import zipfile
from pathlib import Path

import duckdb
from ingest_helpers import ingest_one


def write_text(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write a text export as a vendor would: encoding (utf-8-sig, cp1252, utf-16-le...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline)
    bom = b""
    if encoding == "utf-16-le+bom":
        encoding, bom = "utf-16-le", codecs.BOM_UTF16_LE
    elif encoding == "utf-16-be+bom":
        encoding, bom = "utf-16-be", codecs.BOM_UTF16_BE
    path.write_bytes(bom + data.encode(encoding))
    return path


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def ingest_file(
    root: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n"
) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """Write one export at root/name, ingest the folder, and return it with its ops.files row."""
    write_text(root / name, text, encoding, newline)
    return ingest_one(root)


FIXTURES = Path(__file__).parent / "fixtures" / "exports"


def copy_fixture(root: Path, name: str) -> Path:
    """Copy tests/fixtures/exports/<name> (bytes as the vendor wrote them) to root/<name>."""
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / name, target)
    return target


def ingest_fixture(root: Path, name: str) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """Copy a fixture export into root, ingest the folder; it and the file's ops.files row."""
    copy_fixture(root, name)
    return ingest_one(root)

"""The sample generator reproduces the committed data/raw/ files and expected figures exactly."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "make_samples.py"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Run ``make_samples.py --out`` once into a temporary folder."""
    out = tmp_path_factory.mktemp("samples")
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, timeout=120)
    return out


def relative_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_raw_files_are_byte_identical(generated: Path) -> None:
    committed = ROOT / "data" / "raw"
    names = relative_files(generated / "raw")
    assert names == relative_files(committed)
    for name in names:
        assert (generated / "raw" / name).read_bytes() == (committed / name).read_bytes(), name


def test_rooms_reference_is_byte_identical(generated: Path) -> None:
    committed = ROOT / "data" / "reference" / "rooms.csv"
    assert (generated / "reference" / "rooms.csv").read_bytes() == committed.read_bytes()
    assert relative_files(generated / "reference") == ["rooms.csv"]


def test_expected_figures_match(generated: Path) -> None:
    fresh = (generated / "expected_samples.json").read_bytes()
    committed = (ROOT / "tests" / "expected_samples.json").read_bytes()
    assert json.loads(fresh) == json.loads(committed)
    assert fresh == committed

"""Generate resfritt's bundled sample exports, their reference data and the expected figures.

Writes realistic (but invented) vendor and payroll exports into ``data/raw/`` (the pipeline's
drop folder), the room reference table ``data/reference/rooms.csv``, a short
``data/raw/README.md`` and ``tests/expected_samples.json`` with the exact figures the
pipeline must reproduce from these files.

The layouts follow ``docs/vendor-formats.md`` (A1-A4, 1a, 1c, 2a, 2c) and the municipalities
follow ``docs/domain.md``. Everything is deterministic: each file has its own ``random.Random``
seeded from a fixed string, and the zip/xlsx containers get fixed timestamps, so two runs produce
byte-identical files. All dates and times in the files are local times, except the Teams PSTN
export, whose ``Start/End Time`` are UTC as in the vendor format.

Only the standard library and openpyxl are used. Run::

    .venv/bin/python scripts/make_samples.py [--out DIR]

``--out DIR`` writes ``raw/``, ``reference/rooms.csv`` and ``expected_samples.json`` under DIR
instead of the repository (used by ``tests/test_samples.py``). The code lives in the
``scripts/samples/`` package, one module per export kind.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samples.catalogue import WRITERS, combined_figures, write_readme  # noqa: E402
from samples.common import SEED, save_xlsx, write_text  # noqa: E402
from samples.video import write_rooms  # noqa: E402

__all__ = ["main", "save_xlsx", "write_samples"]  # save_xlsx: used by scripts/make_template.py

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
REFERENCE = ROOT / "data" / "reference"
EXPECTED = ROOT / "tests" / "expected_samples.json"


def write_samples(
    raw: Path = RAW, reference: Path = REFERENCE, expected_path: Path = EXPECTED
) -> dict:
    """Write every sample file, the room reference, the README and the expected figures."""
    raw.mkdir(parents=True, exist_ok=True)
    reference.mkdir(parents=True, exist_ok=True)
    expected_path.parent.mkdir(parents=True, exist_ok=True)
    (raw / "odsherred").mkdir(exist_ok=True)
    files = {name: writer(raw / name) for name, writer in WRITERS}
    rooms = write_rooms(reference / "rooms.csv")
    write_readme(raw / "README.md", files)
    expected = {
        "generator": "scripts/make_samples.py",
        "seed": SEED,
        "notes": [
            "Line numbers are 1-based physical lines (xlsx: sheet row numbers).",
            "Years are JSON strings; km and amounts are exact decimals rendered as numbers.",
            "Travel 'meeting' means the file's meeting purpose (Möte/Møte/Møde).",
            "Kristiansand trips are keyed 1001 until 2019 and 4204 from 2020.",
        ],
        "reference": {"rooms.csv": {"rows": rooms}},
        "files": files,
        **combined_figures(files),
    }
    write_text(expected_path, json.dumps(expected, ensure_ascii=False, indent=2) + "\n")
    return expected


def main(argv: list[str] | None = None) -> None:
    """Generate the samples into the repository, or under ``--out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="write raw/, reference/ and the JSON under DIR"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        raw, reference, expected_path = RAW, REFERENCE, EXPECTED
    else:
        raw, reference = args.out / "raw", args.out / "reference"
        expected_path = args.out / "expected_samples.json"
    files = write_samples(raw, reference, expected_path)["files"]
    total = sum((raw / name).stat().st_size for name in files)
    print(f"wrote {len(files)} files to {raw} ({total / 1e6:.2f} MB), expected -> {expected_path}")


if __name__ == "__main__":
    main()

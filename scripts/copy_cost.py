"""What copying a warehouse file costs here: `python scripts/copy_cost.py [folder] [--mb 300]`.

Writes a file of random bytes in the folder (default data/warehouse), copies it with
assets/filecopy.py's clone_or_copy and with shutil.copyfile, prints the method and the seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets.filecopy import clone_or_copy  # noqa: E402


def timed(copy, src: Path, dst: Path) -> tuple[str, float]:
    os.sync()
    started = time.monotonic()
    method = copy(src, dst)
    with open(dst, "rb+") as handle:
        os.fsync(handle.fileno())
    return method, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", default="data/warehouse")
    parser.add_argument("--mb", type=int, default=300)
    args = parser.parse_args()
    Path(args.folder).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        src = Path(tmp) / "source.duckdb"
        with src.open("wb") as handle:
            for _ in range(args.mb):
                handle.write(os.urandom(1 << 20))
        method, seconds = timed(clone_or_copy, src, Path(tmp) / "clone.duckdb")
        print(f"clone_or_copy: {method}, {seconds:.2f} s for {args.mb} MB")
        _, seconds = timed(lambda s, d: shutil.copyfile(s, d), src, Path(tmp) / "copy.duckdb")
        print(f"shutil.copyfile: {seconds:.2f} s for {args.mb} MB")


if __name__ == "__main__":
    main()

"""Where the inputs are, as a resource the assets receive (set up in pipeline/resources.py)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dagster as dg

KEY_ENV = "RESFRITT_PSEUDONYM_KEY"


def local_pseudonym_key(key_file: Path) -> str:
    """The machine's own pseudonymisation key: generated once, kept beside the warehouse, 0600."""
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


class Inputs(dg.ConfigurableResource):
    """The drop folder of exports and the folder of editable reference CSV files."""

    raw_dir: str
    reference_dir: str
    key_file: str
    # A file changed less than this many seconds ago may still be being copied: it waits for
    # the next run (RESFRITT_SETTLE_S).
    settle_s: float = 2.0

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir).resolve()

    @property
    def reference_path(self) -> Path:
        return Path(self.reference_dir).resolve()

    def pseudonym_key(self) -> str:
        """The key for hashing identities: RESFRITT_PSEUDONYM_KEY, else the local key file."""
        return os.environ.get(KEY_ENV) or local_pseudonym_key(Path(self.key_file))

"""Debian's Chromium for the browser tests, installed when missing and we may (never
`playwright install`: its own browser download cannot work here)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> str | None:
    """Install Debian's Chromium when it is missing and we may; the reason when we cannot."""
    if CHROMIUM.exists():
        return None
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{CHROMIUM} is missing and only root with apt-get can install it (package chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # another apt-get (a second test run on the machine) holds the lock: wait for it, not skip
    wait = ["-o", "DPkg::Lock::Timeout=600"]
    for command in (
        ["apt-get", *wait, "update", "-qq"],
        ["apt-get", *wait, "install", "-y", "-qq", "--no-install-recommends", "chromium"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {(done.stderr or done.stdout)[-500:]}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium but {CHROMIUM} is missing"


# Chromium as this machine runs it: no sandbox as root, no calls home from a closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_missing() -> str | None:
    """Why a browser test cannot run (Chromium cannot be installed, or playwright is missing);
    None when it can. Asked when the test runs, so the test that installs Chromium first and the
    one after it both run."""
    reason = ensure_chromium()
    if reason:
        return reason
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    return None

"""The Parquet layer and the reports, published with the warehouse from one run's stage folder.

A run writes its Parquet version and report files into a stage folder beside the warehouse; only
the warehouse's publication moves them into `parquet/` and `reports/` (renames in one folder), so a
failed run leaves both as the last good run left them. Nothing resfritt did not write is deleted:
old Parquet versions carry a marker file, and the reports manifest lists every file written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

MARKER = ".resfritt-version"
MANIFEST = "manifest.json"


def parquet_root(warehouse: Path) -> Path:
    return warehouse.resolve().parent / "parquet"


def reports_root(warehouse: Path) -> Path:
    return warehouse.resolve().parent / "reports"


def publish_stage(stage: Path, warehouse: Path) -> list[str]:
    """Move what the stage holds (a Parquet version, report files) into place; returns notes for
    the person running resfritt. Safe to repeat after a crash halfway: each step moves only what is
    still staged."""
    notes = []
    staged_parquet, record = stage / "parquet", stage / "parquet.version"
    versions = sorted(staged_parquet.iterdir()) if staged_parquet.is_dir() else []
    if versions:
        record.write_text(versions[-1].name, encoding="utf-8")
    if record.is_file():
        notes += publish_parquet(parquet_root(warehouse), staged_parquet / record.read_text())
    if (stage / "reports" / MANIFEST).is_file():
        publish_reports(reports_root(warehouse), stage / "reports")
    return notes


def publish_parquet(root: Path, built: Path) -> list[str]:
    """Move a finished version to `parquet.<version>` beside `root`, point the `root` symlink at it
    and remove the versions resfritt wrote before; returns notes. If `built` was moved already
    (a repeat after a crash), only the link and the clean-up are done."""
    notes: list[str] = []
    final = root.with_name(built.name)
    if built.is_dir():
        (built / MARKER).write_text("written by resfritt; replaced by the next version\n")
        if final.exists():
            shutil.rmtree(final)
        built.rename(final)
    if not final.is_dir():
        return notes
    previous = root.resolve() if root.is_symlink() else None
    if root.exists() and not root.is_symlink():
        kept = root.with_name(f"{root.name}.kept-{time.strftime('%Y%m%dT%H%M%S')}")
        root.rename(kept)
        notes.append(
            f"{root} was a folder, not resfritt's link to a Parquet version: moved it to {kept} "
            "(nothing deleted); remove it when you no longer need it."
        )
    link = root.with_name(f".{root.name}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(final.name)
    os.replace(link, root)
    for old in root.parent.glob(f"{root.name}.*"):
        ours = (old / MARKER).is_file() or old == previous
        if old != final and old.is_dir() and not old.is_symlink() and ours:
            shutil.rmtree(old, ignore_errors=True)
    return notes


def seal_reports(staged: Path, fingerprint: str, files: dict[str, Path]) -> None:
    """Write the manifest of a staged report folder: the labelled files and every file written."""
    written = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file())
    payload = {
        "fingerprint": fingerprint,
        "files": {label: path.relative_to(staged).as_posix() for label, path in files.items()},
        "written": [name for name in written if name != MANIFEST],
    }
    (staged / MANIFEST).write_text(json.dumps(payload, indent=2), encoding="utf-8")


def written_by_resfritt(folder: Path) -> set[str]:
    """The files the published manifest says resfritt wrote (relative to `folder`)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return set()
    listing = json.loads(manifest.read_text(encoding="utf-8"))
    return set(listing.get("written", listing.get("files", {}).values()))


def publish_reports(folder: Path, staged: Path) -> None:
    """Move every staged report file into `folder`, then delete the files the old manifest lists
    and the new one does not; the manifest moves last, so a repeat after a crash still knows what
    the previous publication wrote. Files that nobody listed are never touched."""
    new = json.loads((staged / MANIFEST).read_text(encoding="utf-8"))["written"]
    for name in new:
        source, target = staged / name, folder / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for name in sorted(written_by_resfritt(folder) - set(new)):
        stale = folder / name
        stale.unlink(missing_ok=True)
        for parent in stale.parents:
            if parent == folder or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
    os.replace(staged / MANIFEST, folder / MANIFEST)

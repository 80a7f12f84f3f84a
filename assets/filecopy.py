"""Copying the warehouse file: a reflink where the file system shares blocks, else in the kernel;
or bringing an older copy up to date by writing only the chunks that differ."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

# ioctl FICLONE (linux/fs.h): the destination shares the source's blocks until either changes.
FICLONE = 0x40049409
METHODS = ("reflink", "copy_file_range", "copy", "delta")
CHUNK = 1 << 20


def reflink(src: Path, dst: Path) -> bool:
    """Make dst a reflink of src (btrfs, XFS: instant, no block copied); False where the file
    system cannot, and dst is then left empty."""
    with open(src, "rb") as source, open(dst, "wb") as target:
        try:
            fcntl.ioctl(target.fileno(), FICLONE, source.fileno())
        except OSError:
            return False
    return True


def clone_or_copy(src: Path, dst: Path) -> str:
    """Make dst a copy of src: a reflink (btrfs, XFS, instant), else copy_file_range (in the
    kernel), else shutil. Returns which one of METHODS it used."""
    if reflink(src, dst):
        return "reflink"
    with open(src, "rb") as source, open(dst, "wb") as target:
        if _kernel_copy(source.fileno(), target.fileno()):
            return "copy_file_range"
        source.seek(0)
        target.seek(0)
        target.truncate()
        shutil.copyfileobj(source, target, CHUNK)
    return "copy"


def _kernel_copy(source: int, target: int) -> bool:
    """Whether copy_file_range copied the whole file (False: the caller copies it again)."""
    left = os.fstat(source).st_size
    try:
        while left > 0:
            done = os.copy_file_range(source, target, left)
            if done == 0:
                return False
            left -= done
    except OSError:
        return False
    return True


def update_in_place(src: Path, dst: Path) -> int | None:
    """Make the existing file dst hold src's bytes by writing only the 1 MiB chunks that differ,
    then fsync it; returns the bytes written. None, with dst untouched, when another process holds
    a lock on dst or this process has it open: a DuckDB reader that still has that file open
    (it keeps a shared lock for as long as it reads) must not see its blocks change."""
    if open_here(dst):
        return None
    with open(src, "rb", buffering=0) as source, open(dst, "r+b", buffering=0) as target:
        try:
            fcntl.lockf(target, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        written = _write_differences(source, target)
        os.fsync(target.fileno())
    return written


def _write_differences(source, target) -> int:
    ours, theirs = bytearray(CHUNK), bytearray(CHUNK)
    ours_view, theirs_view = memoryview(ours), memoryview(theirs)
    offset = written = 0
    while size := source.readinto(ours):
        old = target.readinto(theirs)
        whole = size == CHUNK
        same = old >= size and (ours == theirs if whole else ours_view[:size] == theirs_view[:size])
        if not same:
            os.pwrite(target.fileno(), ours_view[:size], offset)
            written += size
        offset += size
        target.seek(offset)
    target.truncate(offset)
    return written


def open_here(path: Path) -> bool:
    """Whether this process holds a descriptor of path's file (a lock cannot tell: POSIX locks
    of one process never conflict, and closing any descriptor of the file releases them)."""
    wanted = path.stat()
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return True
    for fd in fds.iterdir():
        try:
            found = fd.stat()
        except OSError:
            continue
        if (found.st_ino, found.st_dev) == (wanted.st_ino, wanted.st_dev):
            return True
    return False

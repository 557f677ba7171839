"""Files, written once: streamed content hashes and atomic writes (temporary file, fsync, one rename)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a block at a time so a large delivery never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, for writers that need a file name (xlsx, SQLite), moved into place only
    when the block succeeds.

    It is a hidden name in the same folder (so no glob or reader ever sees a half-written file, and the rename stays
    on one file system); what was written there is flushed to disk, then renamed over `target` in one step.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)
    path = Path(tmp)
    try:
        yield path
        with path.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(path, target)
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def atomic_writer(target: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at `target` whole, or not at all (see `atomic_path`)."""
    with atomic_path(target) as path, path.open("wb") as fh:
        yield fh


def atomic_write(target: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) to `target` atomically."""
    with atomic_writer(target) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def atomic_copy(src: Path, target: Path) -> None:
    """Copy `src` to `target` atomically, a block at a time."""
    with src.open("rb") as fin, atomic_writer(target) as fout:
        for block in iter(lambda: fin.read(BLOCK), b""):
            fout.write(block)


def atomic_symlink(target: str | Path, link: Path) -> None:
    """Point `link` at `target` atomically: a new symlink at a temporary name, renamed over the old one.

    `target` is stored as given, so a relative target keeps working when the folder moves."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


def move_into_place(staging: Path, target: Path) -> None:
    """Rename a completed folder (or file) to its final name in one step."""
    os.replace(staging, target)


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 of bytes already in memory (a delivery pulled over HTTP), the same digest `sha256_file` gives."""
    return hashlib.sha256(data).hexdigest()

"""Tamper-evident audit log: append-only JSON Lines, each entry chained to the one before by a SHA-256 hash.

hash = sha256(canonical JSON of the entry without `hash`, which includes `prev_hash`). Changing, dropping or
reordering any byte breaks the chain at that entry, and `verify` names the first broken one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

GENESIS = "0" * 64


def log_path(data_root: Path) -> Path:
    return data_root / "audit" / "audit.jsonl"


def _canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _last_line(f: BinaryIO, chunk: int = 8192) -> bytes | None:
    """The file's last non-blank line, read backwards from its end: an append costs the same however long the log."""
    end = f.seek(0, os.SEEK_END)
    tail, position = b"", end
    while position > 0:
        step = min(chunk, position)
        position -= step
        f.seek(position)
        tail = f.read(step) + tail
        lines = [line for line in tail.split(b"\n") if line.strip()]
        # the first piece may be a line cut by the chunk boundary: only trust it once the file's start is reached
        if len(lines) > 1 or (lines and position == 0):
            return lines[-1]
    return None


def append(
    path: Path, *, who: str, role: str, purpose: str, action: str, what: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Append one entry under an exclusive lock, so concurrent writers keep one unbroken chain."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            last = _last_line(f)
            prev = json.loads(last) if last else None
            entry: dict[str, Any] = {
                "seq": (prev["seq"] + 1) if prev else 1,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "who": who,
                "role": role,
                "purpose": purpose,
                "action": action,
                "what": what or {},
                "prev_hash": prev["hash"] if prev else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            f.seek(0, os.SEEK_END)
            f.write(_canonical(entry) + b"\n")
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    broken_seq: int | None = None
    broken_line: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit log intact: {self.entries} entries"
        return f"audit log broken at line {self.broken_line} (entry seq {self.broken_seq}): {self.reason}"


def verify(path: Path) -> Verification:
    """Walk the chain; the first entry that does not parse, hash or link is named by its seq and line."""
    if not path.exists():
        return Verification(True, 0)
    prev_hash, expected_seq = GENESIS, 1
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):

        def broken(reason: str, seq: int = expected_seq, n: int = number) -> Verification:
            return Verification(False, n - 1, seq, n, reason)

        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return broken("not a JSON entry")
        if not isinstance(entry, dict):
            return broken("not a JSON object")
        if line != _canonical(entry):
            return broken("not in canonical form")
        if entry.get("seq") != expected_seq:
            return broken(f"seq {entry.get('seq')!r}, expected {expected_seq}")
        if entry.get("prev_hash") != prev_hash:
            return broken("prev_hash does not match the entry before")
        if entry.get("hash") != entry_hash(entry):
            return broken("hash does not match the entry")
        prev_hash, expected_seq = entry["hash"], expected_seq + 1
    if raw and not raw.endswith(b"\n"):
        return Verification(False, len(lines) - 1, len(lines), len(lines), "last entry is cut short")
    return Verification(True, len(lines))


def who_looked_at(path: Path, person_key: str) -> list[dict[str, Any]]:
    """Every entry whose `what` names this person key (directly or among its record keys)."""
    found: list[dict[str, Any]] = []
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        what = entry.get("what") or {}
        keys = what.get("person_keys") or []
        if what.get("person_key") == person_key or person_key in keys:
            found.append(entry)
    return found

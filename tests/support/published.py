"""Two published versions compared by what they hold, not by their bytes: every file of one is in the other and says
the same, once each version's own stamps are set aside — its id, its time of writing and its data directory, which a
version names in its manifest, metadata and workbooks. Databases are compared table by table (row counts and row-hash
sums), workbooks part by part, the rest as text.

The change feed and the rosters' change sheets are the difference from the version before: compare two versions
published after the same one.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tests.support.checksums import database_checksums
from zhongtai.settings import Settings

# a workbook's creation and modification times, which openpyxl and our writer stamp with the version's time
WORKBOOK_STAMPS = ("docProps/core.xml",)


def current_version(settings: Settings) -> Path:
    return settings.current_snapshot.resolve()


def _stamps(version: Path, settings: Settings) -> list[tuple[str, str]]:
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    return [(manifest["version"], "<version>"), (manifest["created_at"], "<created>"), (str(settings.root), "<root>")]


def _normalised(text: str, stamps: list[tuple[str, str]]) -> str:
    for stamp, placeholder in stamps:
        text = text.replace(stamp, placeholder)
    return text


def _files(version: Path) -> set[str]:
    return {p.relative_to(version).as_posix() for p in version.rglob("*") if p.is_file()}


def _sqlite_rows(path: Path, stamps: list[tuple[str, str]], leave_out: tuple[str, ...]) -> dict[str, list[str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in con.execute("select name from sqlite_master where type = 'table' order by name")]
        out = {}
        for table in tables:
            cursor = con.execute(f'select * from "{table}"')
            keep = [i for i, d in enumerate(cursor.description) if d[0] not in leave_out]
            out[table] = sorted(_normalised(repr([row[i] for i in keep]), stamps) for row in cursor)
        return out
    finally:
        con.close()


def _workbook_parts(path: Path, stamps: list[tuple[str, str]]) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {
            name: _normalised(book.read(name).decode("utf-8"), stamps)
            for name in book.namelist()
            if name not in WORKBOOK_STAMPS
        }


def _manifest(path: Path, stamps: list[tuple[str, str]]) -> object:
    """The manifest without its files' byte counts and hashes (databases and workbooks differ in bytes when their
    contents do not; each file is compared on its own)."""
    manifest = json.loads(_normalised(path.read_text(encoding="utf-8"), stamps))
    manifest["files"] = sorted(entry["path"] for entry in manifest["files"])
    return manifest


def published_differences(a: Settings, b: Settings, leave_out: tuple[str, ...] = ()) -> Iterator[str]:
    """What differs between the current published versions of two data directories (columns named in `leave_out`
    are not compared in databases)."""
    va, vb = current_version(a), current_version(b)
    sa, sb = _stamps(va, a), _stamps(vb, b)
    fa, fb = _files(va), _files(vb)
    for only in sorted(fa ^ fb):
        yield f"{only}: only in {'the first' if only in fa else 'the second'}"
    for name in sorted(fa & fb):
        pa, pb = va / name, vb / name
        if name.endswith(".duckdb"):
            with duckdb.connect(str(pa), read_only=True) as ca, duckdb.connect(str(pb), read_only=True) as cb:
                left, right = database_checksums(ca, leave_out), database_checksums(cb, leave_out)
            yield from (f"{name}: {t}" for t in sorted(left.keys() | right.keys()) if left.get(t) != right.get(t))
        elif name.endswith(".sqlite"):
            left_rows, right_rows = _sqlite_rows(pa, sa, leave_out), _sqlite_rows(pb, sb, leave_out)
            yield from (
                f"{name}: {t}" for t in sorted(left_rows.keys() | right_rows.keys())
                if left_rows.get(t) != right_rows.get(t)
            )  # fmt: skip
        elif name.endswith(".xlsx"):
            left_parts, right_parts = _workbook_parts(pa, sa), _workbook_parts(pb, sb)
            yield from (
                f"{name}: {part}" for part in sorted(left_parts.keys() | right_parts.keys())
                if left_parts.get(part) != right_parts.get(part)
            )  # fmt: skip
        elif name == "manifest.json":
            if _manifest(pa, sa) != _manifest(pb, sb):
                yield name
        elif _normalised(pa.read_text(encoding="utf-8"), sa) != _normalised(pb.read_text(encoding="utf-8"), sb):
            yield name

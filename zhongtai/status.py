"""What was last loaded and published: read from the warehouse (read-only) and the published snapshot."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from zhongtai import bookkeeping
from zhongtai.settings import Settings


@dataclass
class Status:
    sources: list[dict[str, Any]] = field(default_factory=list)
    published: dict[str, Any] | None = None
    note: str | None = None


def read_status(settings: Settings) -> Status:
    status = Status()
    manifest = settings.current_snapshot / "manifest.json"
    if manifest.exists():
        status.published = json.loads(manifest.read_text(encoding="utf-8"))
    if not settings.warehouse_path.exists():
        status.note = "no warehouse yet"
        return status
    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.Error as exc:  # the pipeline holds the write lock while it runs
        status.note = f"warehouse busy: {str(exc).splitlines()[0]}"
        return status
    try:
        con.execute("set TimeZone = 'Asia/Shanghai'")  # shown in the district's time (DESIGN.md decision 7)
        status.sources = bookkeeping.source_status(con)
    except duckdb.Error:
        status.sources = []
    finally:
        con.close()
    return status

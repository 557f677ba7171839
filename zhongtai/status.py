"""What was last loaded and published: read from the warehouse (read-only) and the published snapshot."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

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
        rows = con.execute(
            """select source_id || '.' || entity, max(received_at)::varchar, sum(rows_loaded), sum(rows_quarantined),
                      count(*) filter (status = 'quarantined')
               from raw._deliveries group by all order by 1"""
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    status.sources = [
        {
            "source": r[0],
            "last_received": r[1],
            "rows_loaded": int(r[2] or 0),
            "rows_quarantined": int(r[3] or 0),
            "files_quarantined": int(r[4] or 0),
        }
        for r in rows
    ]
    return status

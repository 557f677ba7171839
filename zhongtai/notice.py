"""The publish notice: `published/status.json` says whether the snapshot being served is stale, why and since when.

Written by whatever refuses a publish (a blocking quality check, a catalog fault, the personal-data scan),
cleared by the next successful publish, read by the API to tell its users.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhongtai.files import atomic_write

FILE = "status.json"


def notice_path(published_dir: Path) -> Path:
    return published_dir / FILE


def read_notice(published_dir: Path) -> dict[str, Any]:
    """`{"stale": false}` when nothing is wrong (or nothing was ever refused)."""
    try:
        data = json.loads(notice_path(published_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"stale": False}
    return data if isinstance(data, dict) else {"stale": False}


def _write(published_dir: Path, data: dict[str, Any]) -> None:
    atomic_write(notice_path(published_dir), json.dumps(data, ensure_ascii=False, indent=2))


def mark_stale(published_dir: Path, reason: str, failed_checks: list[str] | None = None) -> dict[str, Any]:
    """Record a refused publish; `since` keeps the time of the first refusal in a row."""
    previous = read_notice(published_dir)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    current = os.path.realpath(published_dir / "current") if (published_dir / "current").exists() else None
    data = {
        "stale": True,
        "reason": reason[:4000],
        "failed_checks": sorted(failed_checks or []),
        "since": previous.get("since") if previous.get("stale") else now,
        "last_refused_at": now,
        "serving_version": Path(current).name if current else None,
    }
    _write(published_dir, data)
    return data


def clear_stale(published_dir: Path, version: str) -> None:
    _write(
        published_dir,
        {"stale": False, "version": version, "published_at": datetime.now(UTC).isoformat(timespec="seconds")},
    )

"""The later run of the `tiny` district: what reaches it after the first run, and what it looked like before.

On a copy of the first run's data directory, three things arrive before `zhongtai run` runs again:
- a system described only by a YAML file in an extra registry folder, with its first delivery
  (tests/support/onboarding);
- a week of the district's life, `zhongtai sandbox advance --days 7`: new, re-sent, cut-short and corrected files in the
  drop folders, new rows in the one-window and grid databases;
- a file that is not a workbook, dropped among the market registry's as if cut short in transit.

One run then has to load the new system, exactly the new deliveries (nothing seen before a second time), quarantine the
bad file while losing nothing else, and publish a new version. Everything the tests compare against is taken before
the run, from upstream files and the first run's warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from tests.support.onboarding import register_export, registry_env
from tests.support.pipeline import ZHONGTAI, pipeline_env, run_pipeline
from tests.support.readers import query, raw_counts, sandbox_as_of
from zhongtai.settings import Settings

BAD_FILE = "market_202612.xlsx"


def drop_files(settings: Settings) -> dict[str, str]:
    """Every file in the drop folders: path under upstream -> sha256."""
    root = settings.upstream
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "drops").rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def sqlite_value(db: Path, sql: str) -> Any:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@dataclass(frozen=True)
class Before:
    """The copy after the first run, before anything new arrived (the onboarded system's file excepted)."""

    deliveries: pl.DataFrame  # delivery_id, source_id, sha256 of every delivery recorded
    raw_counts: dict[str, int]
    version: str  # the published version `current` pointed at
    drops: dict[str, str]  # drop-folder files (with the onboarded system's) -> sha256
    onewindow_mark: str  # max(updatedAt) of the one-window database's person applications
    grid_marks: dict[str, int]  # max(id) of the grid database's residents and events
    as_of: dt.date


@dataclass(frozen=True)
class LaterTiny:
    settings: Settings  # the copy, its registry including the extra folder, after the later run
    rows: list[dict[str, str]]  # what the onboarded system delivered
    before: Before
    advanced: subprocess.CompletedProcess[str]  # `zhongtai sandbox advance --days 7`
    advance: dict[str, Any]  # the advance's record in the sandbox's summary.json
    drops_advanced: dict[str, str]  # drop-folder files right after the advance (before the bad file)
    run: subprocess.CompletedProcess[str]


def deliver_later_and_run(copy: Settings, registry: Path) -> LaterTiny:
    """Onboard the new system, advance the district a week, drop the bad file, run again (see the module's doc)."""
    settings = Settings(data_dir=copy.root, registry_dirs=str(registry))
    rows = register_export(settings, registry)
    ow, grid = settings.upstream / "onewindow" / "onewindow.sqlite", settings.upstream / "grid" / "grid.sqlite"
    before = Before(
        deliveries=query(settings, "select delivery_id, source_id, sha256 from raw._deliveries"),
        raw_counts=raw_counts(settings),
        version=os.readlink(settings.current_snapshot),
        drops=drop_files(settings),
        onewindow_mark=sqlite_value(ow, "select max(updatedAt) from person_applications"),
        grid_marks={t: sqlite_value(grid, f"select max(id) from {t}") for t in ("residents", "events")},
        as_of=sandbox_as_of(settings),
    )
    advanced = subprocess.run(
        [ZHONGTAI, "sandbox", "advance", "--days", "7"], env=pipeline_env(settings.root), capture_output=True, text=True
    )
    assert advanced.returncode == 0, advanced.stdout + advanced.stderr
    record = json.loads((settings.truth_dir / "summary.json").read_text(encoding="utf-8"))["advances"][-1]
    drops_advanced = drop_files(settings)
    (settings.upstream / "drops" / "market_registry" / BAD_FILE).write_bytes(
        b"PK\x03\x04 this workbook was cut short in transit"
    )
    run = run_pipeline(registry_env(settings))
    return LaterTiny(settings, rows, before, advanced, record, drops_advanced, run)

"""The roster writer: per village unit a workbook (population, legal persons, houses, 本次变化) and CSVs for cadres.

What each sheet holds is `roster_sheets.SHEETS`; every column's header and masking come from the catalog (the marts'
dbt meta) through the village-cadre policy. The change sheet compares each sheet with the same village's CSV in the
version `published/current` pointed at before this publish; `rosters/index.json` sums it up for the cadre page.
"""

from __future__ import annotations

import json
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from catalog.datasets import CatalogError, Channel
from orchestration.publish.context import PublishContext, Writer, source
from orchestration.publish.roster_cells import batch_rows, cell_columns, csv_header
from orchestration.publish.roster_changes import VillageChanges, village_changes
from orchestration.publish.roster_sheets import SHEETS, BuiltSheet, build_sheet
from orchestration.publish.roster_workbook import Sheet, changes_sheet, data_sheet, write_workbook

ROSTER_DATASET = "village_roster"
VILLAGE_DATASET = "village"
INDEX = "index.json"
BATCH_ROWS = 100_000  # residents per run of villages: ~100 MB of sheet XML in memory at once


def write(context: PublishContext, version_dir: Path) -> None:
    """One workbook and one CSV per sheet for every village unit; villages with nobody still get their headers."""
    roster = context.by_id.get(ROSTER_DATASET)
    if roster is None or not roster.published_to(Channel.roster):
        return
    if "village_code" not in {f.name for f in roster.fields}:
        raise CatalogError([f"{roster.id}: the roster needs a `village_code` column"])
    con = context.con
    out_dir = version_dir / "rosters"
    out_dir.mkdir()
    villages = _villages(context)
    sheets = [s for s in (build_sheet(context, spec) for spec in SHEETS) if s is not None]
    previous = _previous_rosters(context)
    index: dict[str, Any] = {"version": context.result.version, "created_at": context.result.created_at}
    index["previous_version"] = previous.parent.name if previous else None
    # What the cadre pages check an uploaded workbook against: each sheet's headers, which a cadre may correct
    # (the dates among them) and the lists they pick from.
    index["sheets"] = {
        s.spec.key: {
            "title": s.spec.title,
            "columns": [c.title for c in s.columns],
            "key": [c.title for c in s.columns if c.name in s.spec.row_key],
            "correctable": [c.title for c in s.columns if c.correctable],
            # what a correction of each correctable column is a correction of (the sheet's column name)
            "fields": {c.title: c.name for c in s.columns if c.correctable},
            "dates": [c.title for c in s.columns if c.correctable and c.is_date],
            "choices": {c.title: s.choices[c.name] for c in s.columns if c.name in s.choices},
        }
        for s in sheets
    }
    index["villages"] = {}
    typed = [(s, cell_columns(con, s)) for s in sheets]
    changes = village_changes(con, typed, previous)
    previous_version = previous.parent.name if previous else None
    population_rows = 0
    with ThreadPoolExecutor(max_workers=1) as saver:  # zlib and the disk while DuckDB builds the next villages
        pending: deque[Future[None]] = deque()
        for batch in _batches(context, sheets, sorted(set(villages) | _codes_with_rows(context, sheets))):
            built = {sheet.spec.key: batch_rows(con, sheet, cells, batch) for sheet, cells in typed}
            for code in batch:
                counts: dict[str, int] = {}
                parts, csvs = [], []
                for sheet, cells in typed:
                    rows, text, count = built[sheet.spec.key].pop(code, ("", "", 0))
                    parts.append(data_sheet(sheet, rows, count))
                    csvs.append((out_dir / f"{code}{sheet.spec.csv_suffix}.csv", csv_header(cells) + text))
                    counts[sheet.spec.key] = count
                found = changes.get(code, VillageChanges("", 0, {"added": 0, "removed": 0, "changed": 0}))
                parts.append(changes_sheet(found.rows, found.count, previous_version))
                pending.append(saver.submit(_save, out_dir / f"{code}.xlsx", parts, csvs, context.result.created_at))
                while len(pending) > 4:
                    pending.popleft().result()
                population_rows += counts.get("population", 0)
                index["villages"][code] = {"name": villages.get(code, ""), "rows": counts, "changes": found.kinds}
        for future in pending:
            future.result()
    (out_dir / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    context.result.rows["roster"] = {roster.id: population_rows}
    context.result.rosters = len(index["villages"])


def _save(path: Path, sheets: list[Sheet], csvs: list[tuple[Path, str]], created: str) -> None:
    write_workbook(path, sheets, created)
    for csv_path, text in csvs:
        csv_path.write_bytes(text.encode("utf-8-sig"))  # a byte-order mark, so Excel on a Chinese Windows reads it


def _batches(context: PublishContext, sheets: list[BuiltSheet], codes: list[str]) -> list[list[str]]:
    """The villages in runs of about BATCH_ROWS population rows: one query per sheet and run."""
    population = next((s for s in sheets if s.spec.key == "population"), None)
    sizes: dict[str, int] = {}
    if population is not None:
        sizes = dict(context.con.execute(f"select _village, count(*) from {population.table} group by 1").fetchall())
    batches: list[list[str]] = [[]]
    rows = 0
    for code in codes:
        if batches[-1] and rows + sizes.get(code, 0) > BATCH_ROWS:
            batches.append([])
            rows = 0
        batches[-1].append(code)
        rows += sizes.get(code, 0)
    return [b for b in batches if b]


def _villages(context: PublishContext) -> dict[str, str]:
    village = context.by_id.get(VILLAGE_DATASET)
    if village is None:
        return {}
    rows = context.con.execute(f"select village_code, village_name from {source(village)} order by 1").fetchall()
    return {code: name or "" for code, name in rows}


def _codes_with_rows(context: PublishContext, sheets: list[BuiltSheet]) -> set[str]:
    """Villages the population sheet names (a roster has a village even where `village` does not know it yet)."""
    population = [s for s in sheets if s.spec.key == "population"]
    if not population:
        return set()
    return {r[0] for r in context.con.execute(f"select distinct _village from {population[0].table}").fetchall()}


def _previous_rosters(context: PublishContext) -> Path | None:
    """The rosters folder of the version serving now (this publish's predecessor), if it has one."""
    current = context.settings.published_dir / "current"
    if not current.exists():
        return None
    folder = Path(os.path.realpath(current)) / "rosters"
    return folder if folder.is_dir() else None


WRITER = Writer("rosters", write)

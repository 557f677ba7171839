"""本次变化: what changed in a village's sheet since the previous published version, read from that version's CSV.

Rows are compared by the sheet's key as the cadre sees them (the same masked text the CSV holds), column by column
under the same Chinese header; a column new in this version is not reported as changed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from orchestration.publish.roster_sheets import BuiltSheet, SheetColumn

KIND_TITLES = {"added": "新增", "removed": "移出", "changed": "变更"}


@dataclass(frozen=True)
class Change:
    sheet: str  # the sheet's name (人口, 法人, 房屋)
    kind: str  # added | removed | changed
    key: str
    label: str  # whom or what the row names (a name, an address)
    column: str = ""  # header of the changed column
    old: str = ""
    new: str = ""


def cell_text(column: SheetColumn, value: Any) -> str:
    """A value as the cadre reads it, in the CSV and in the change sheet: codes in Chinese, dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return column.labels.get(text, text)


def previous_rows(path: Path) -> list[dict[str, str]] | None:
    """The previous version's CSV of this sheet as {header: text}, or None when it has none (no baseline)."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def sheet_changes(sheet: BuiltSheet, old: list[dict[str, str]] | None, rows: list[tuple[Any, ...]]) -> list[Change]:
    if old is None:
        return []
    cols = sheet.columns
    titles = [c.title for c in cols]
    key_at = [next(i for i, c in enumerate(cols) if c.name == k) for k in sheet.spec.row_key]
    label_at = next(i for i, c in enumerate(cols) if c.name == sheet.spec.row_label)
    if old and not all(titles[i] in old[0] for i in key_at):
        return []  # the key's header changed: nothing to compare with
    before = {" / ".join(r.get(titles[i], "") for i in key_at): r for r in old}
    changes: list[Change] = []
    seen = set()
    for row in rows:
        text = [cell_text(c, v) for c, v in zip(cols, row, strict=True)]
        key = " / ".join(text[i] for i in key_at)
        seen.add(key)
        prior = before.get(key)
        if prior is None:
            changes.append(Change(sheet.spec.title, "added", key, text[label_at]))
            continue
        for title, value in zip(titles, text, strict=True):
            if title in prior and prior[title] != value:
                changes.append(Change(sheet.spec.title, "changed", key, text[label_at], title, prior[title], value))
    label_title = titles[label_at]
    changes += [
        Change(sheet.spec.title, "removed", key, r.get(label_title, "")) for key, r in before.items() if key not in seen
    ]
    return changes

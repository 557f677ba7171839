"""What the cadre pages read of the published rosters: the village's summary in `rosters/index.json`, its files,
and the audit entry every download leaves (naming the persons the file holds, for `who-looked-at`)."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apis import audit_trail
from apis.auth import Principal
from zhongtai.settings import Settings

INDEX = "index.json"
# Which file a download name means, and how it is served.
DOWNLOADS: dict[str, tuple[str, str]] = {
    "xlsx": ("{code}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("{code}.csv", "text/csv; charset=utf-8"),
}


@dataclass(frozen=True)
class VillageRoster:
    """One village's rosters in the version `current` pointed at when the request started."""

    folder: Path
    version: str
    created_at: str
    previous_version: str | None
    summary: dict[str, Any]
    sheets: dict[str, Any]  # per sheet: headers, key, correctable columns, dates, choice lists

    def file(self, code: str, kind: str) -> Path:
        return self.folder / DOWNLOADS[kind][0].format(code=code)


def roster_index(settings: Settings) -> tuple[Path, dict[str, Any]] | None:
    """The rosters folder of the version serving now and its index; None when nothing is published yet."""
    folder = Path(os.path.realpath(settings.current_snapshot)) / "rosters"
    index_path = folder / INDEX
    if not index_path.is_file():
        return None
    return folder, json.loads(index_path.read_text(encoding="utf-8"))


def village_roster(settings: Settings, code: str) -> VillageRoster | None:
    """None when nothing is published yet, or the version has no roster of this village."""
    found = roster_index(settings)
    if found is None:
        return None
    folder, index = found
    summary = index.get("villages", {}).get(code)
    if summary is None:
        return None
    return VillageRoster(
        folder, index["version"], index["created_at"], index.get("previous_version"), summary, index.get("sheets", {})
    )


def person_keys(roster: VillageRoster, code: str) -> list[str]:
    """The person keys in the village's population sheet (its CSV's first column, 自然人键)."""
    with roster.file(code, "csv").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        return [row[0] for row in reader if row]


def record_download(settings: Settings, cadre: Principal, roster: VillageRoster, code: str, kind: str) -> None:
    what = {"village_code": code, "version": roster.version, "file": roster.file(code, kind).name}
    record(settings, cadre, "roster_download", {**what, "person_keys": person_keys(roster, code)})


def record(settings: Settings, cadre: Principal, action: str, what: dict[str, Any]) -> None:
    audit_trail.record(settings, cadre, "还数于村：村（居）干部核对本村（居）花名册", action, what)

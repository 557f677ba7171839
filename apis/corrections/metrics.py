"""How far the villages have verified their rosters and what became of their corrections, per village and for the
district: coverage (residents verified, corrected or confirmed, over the roster), corrections submitted / accepted /
rejected / applied, and the median days from submission to the first published roster that shows the value."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from apis.operational.models import Correction, CorrectionStatus
from apis.pages.cadre_rosters import VillageRoster, roster_index, village_roster
from apis.roster_upload import SHEET
from zhongtai.settings import Settings


def _published_at(roster: VillageRoster) -> datetime:
    at = datetime.fromisoformat(roster.created_at)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def refresh_applied(db: Session, settings: Settings) -> int:
    """Mark accepted corrections that the roster serving now shows as applied (with its version and time); returns
    how many were marked. The pipeline never writes here: the API sees the outcome in what was published."""
    waiting = db.scalars(
        select(Correction).where(Correction.status == CorrectionStatus.accepted, Correction.applied_at.is_(None))
    ).all()
    by_village: dict[str, list[Correction]] = defaultdict(list)
    for c in waiting:
        by_village[c.village_code].append(c)
    marked = 0
    for code, cases in by_village.items():
        roster = village_roster(settings, code)
        if roster is None or not roster.file(code, "csv").is_file():
            continue
        key = roster.sheets[SHEET]["key"][0]
        with roster.file(code, "csv").open(encoding="utf-8-sig", newline="") as f:
            rows = {r[key]: r for r in csv.DictReader(f)}
        for c in cases:
            row = rows.get(c.person_key)
            if row is not None and c.title is not None and row.get(c.title) == c.new_value:
                c.applied_version, c.applied_at = (
                    roster.version,
                    max(_published_at(roster), c.decided_at or c.submitted_at),
                )
                marked += 1
    return marked


@dataclass(frozen=True)
class Metrics:
    scope: str  # a village code, or "district"
    population: int  # residents in the roster serving now
    verified: int  # of them, corrected or confirmed at least once
    submitted: int  # corrections (confirmations not counted)
    accepted: int
    rejected: int
    applied: int
    pending: int
    median_days_to_apply: float | None

    @property
    def coverage(self) -> float | None:
        return self.verified / self.population if self.population else None


def population(settings: Settings) -> dict[str, int]:
    """Residents per village in the rosters serving now."""
    found = roster_index(settings)
    villages = found[1].get("villages", {}) if found else {}
    return {code: int(v.get("rows", {}).get(SHEET, 0)) for code, v in villages.items()}


def _days(c: Correction) -> float:
    assert c.applied_at is not None
    return (c.applied_at - c.submitted_at).total_seconds() / 86400


def _metrics(scope: str, population: int, cases: list[Correction]) -> Metrics:
    corrections = [c for c in cases if c.status != CorrectionStatus.confirmed]
    applied = [c for c in corrections if c.applied_at is not None]
    return Metrics(
        scope=scope,
        population=population,
        verified=len({c.person_key for c in cases}),
        submitted=len(corrections),
        accepted=sum(c.status == CorrectionStatus.accepted for c in corrections),
        rejected=sum(c.status == CorrectionStatus.rejected for c in corrections),
        applied=len(applied),
        pending=sum(c.status == CorrectionStatus.pending for c in corrections),
        median_days_to_apply=round(statistics.median(map(_days, applied)), 2) if applied else None,
    )


def village_metrics(db: Session, settings: Settings, codes: list[str] | None = None) -> list[Metrics]:
    """One row per village (those given, or every village with a correction), then the district's row."""
    cases = db.scalars(select(Correction)).all()
    by_village: dict[str, list[Correction]] = defaultdict(list)
    for c in cases:
        by_village[c.village_code].append(c)
    codes = sorted(by_village) if codes is None else codes
    people = population(settings)
    rows = [_metrics(code, people.get(code, 0), by_village.get(code, [])) for code in codes]
    rows.append(_metrics("district", sum(people.values()), list(cases)))
    return rows

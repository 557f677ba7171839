"""Stewards' quality page: per department, its systems worst first with their quarantine reasons, read from the
scorecards published in the analyst database (orchestration/publish/quality_scorecards.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from apis.auth import CurrentSteward
from apis.deps import SettingsDep
from apis.templating import render

router = APIRouter(prefix="/steward", include_in_schema=False)


def _rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_scorecards(database: Path, department: str | None) -> dict[str, Any]:
    """Departments with their worst score; for one department its systems worst first, reasons and GX results."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        departments = _rows(
            db,
            "select owner_department as department, count(*) as systems, min(score) as worst, "
            "round(avg(score), 1) as average from quality_source group by owner_department order by worst, department",
        )
        if department is None:
            return {"departments": departments}
        systems = _rows(db, "select * from quality_source where owner_department = ? order by score, source_id, "
                            "entity", (department,))  # fmt: skip
        reasons = _rows(
            db,
            "select source_id, entity, reason_code, column_name, sum(rows) as rows from quality_quarantine "
            "where owner_department = ? group by source_id, entity, reason_code, column_name order by rows desc",
            (department,),
        )
        checks = _rows(db, "select * from quality_check where owner_department = ? order by source_id, entity, suite",
                       (department,))  # fmt: skip
    for system in systems:
        key = (system["source_id"], system["entity"])
        system["reasons"] = [r for r in reasons if (r["source_id"], r["entity"]) == key]
        system["checks"] = [c for c in checks if (c["source_id"], c["entity"]) == key]
    return {"departments": departments, "systems": systems}


@router.get("/quality")
def steward_quality(
    request: Request, steward: CurrentSteward, settings: SettingsDep, department: str | None = None
) -> Response:
    """Steward."""
    database = Path(os.path.realpath(settings.current_snapshot)) / "analyst.sqlite"
    found: dict[str, Any] = {"departments": []}
    if database.is_file():
        found = read_scorecards(database, department)
    known = {d["department"] for d in found["departments"]}
    status = 404 if department is not None and department not in known else 200
    datasette = f"http://{settings.host}:{settings.datasette_port}"
    return render(
        request,
        "steward/quality.html",
        principal=steward,
        status_code=status,
        published=database.is_file(),
        department=department,
        datasette=datasette,
        **found,
    )

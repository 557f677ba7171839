"""Analysts' pages: where the analyst database and its dashboards are."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from apis.auth import CurrentAnalyst
from apis.pages.landing import landing

router = APIRouter(prefix="/analyst", include_in_schema=False)


@router.get("/")
def analyst_home(request: Request, analyst: CurrentAnalyst) -> Response:
    """Analyst."""
    return landing(request, analyst, heading="数据分析", coming=["脱敏分析库（Datasette）", "网格治理与质量看板"])

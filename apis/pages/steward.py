"""Data stewards' pages: clerical review of person matches, quality scorecards."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from apis.auth import CurrentSteward
from apis.pages.landing import landing

router = APIRouter(prefix="/steward", include_in_schema=False)


@router.get("/")
def steward_home(request: Request, steward: CurrentSteward) -> Response:
    """Steward."""
    return landing(
        request,
        steward,
        heading="数据管理",
        coming=["报表事项匹配确认"],
        links=[
            ("/steward/review/", "人员匹配人工复核（记录与候选人逐项对照，裁定关联、排除或新的自然人）"),
            ("/steward/quality", "各数据源质量评分卡（按主管部门，最差在前）"),
        ],
    )

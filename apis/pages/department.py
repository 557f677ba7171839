"""Department reviewers' pages: the review queue of the records their department owns."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from apis.auth import CurrentReviewer
from apis.pages.landing import landing

router = APIRouter(prefix="/department", include_in_schema=False)


@router.get("/")
def department_home(request: Request, reviewer: CurrentReviewer) -> Response:
    """Department reviewer."""
    return landing(
        request,
        reviewer,
        heading=f"{reviewer.scope} 审核",
        scope_label="部门",
        scope_value=reviewer.scope or "",
        coming=[],
        links=[
            ("/department/corrections/", "村（居）提交的更正待审核"),
            ("/department/applications/", "有条件开放数据的使用申请与调用量"),
            ("/department/challenge/", "揭榜挂帅：发布数据需求"),
        ],
        template="forms/department_landing.html",
    )

"""Enterprises' pages: their registration, API keys and applications for conditional data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from apis.auth import CurrentEnterprise
from apis.pages.landing import landing

router = APIRouter(prefix="/enterprise", include_in_schema=False)


@router.get("/")
def enterprise_home(request: Request, enterprise: CurrentEnterprise) -> Response:
    """Enterprise administrator."""
    return landing(
        request,
        enterprise,
        heading="企业开放数据服务",
        scope_label="统一社会信用代码",
        scope_value=enterprise.scope or "",
        coming=["接口密钥的申领与吊销", "有条件开放数据的使用申请", "调用量统计", "揭榜挂帅需求与响应"],
    )

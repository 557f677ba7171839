"""Village cadres' pages (还数于村): each cadre sees their own village only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CurrentCadre, in_scope
from apis.operational.accounts import village_names
from apis.pages.landing import landing

router = APIRouter(prefix="/cadre", include_in_schema=False)


@router.get("/")
def cadre_home(cadre: CurrentCadre) -> Response:
    """Cadre: go to the page of the village the account is scoped to."""
    return RedirectResponse(f"/cadre/{cadre.scope}/", status_code=303)


@router.get("/{village_code}/")
def village(request: Request, cadre: CurrentCadre, village_code: str) -> Response:
    """Cadre of this village only (another village's code answers 404)."""
    in_scope(cadre, village_code)
    return landing(
        request,
        cadre,
        heading=f"{village_names()[village_code]} 村（居）数据",
        scope_label="村（居）",
        scope_value=f"{village_names()[village_code]}（{village_code}）",
        coming=["本村（居）人口、法人、房屋花名册下载", "上传核对后的花名册、逐条更正", "更正的办理进度与结果"],
    )

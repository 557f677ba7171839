"""Village cadres' form downloads (填表报数): the forms departments send to their village, filled with what the
platform already holds; a refused form's automatic report needs nothing more from the village."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CurrentCadre, in_scope
from apis.deps import OperationalDb, SettingsDep
from apis.form_fill import NotPublished
from apis.operational import forms
from apis.pages.forms_common import DOWNLOAD_TITLES, STATUS_TITLES, download
from apis.templating import render

router = APIRouter(prefix="/cadre", include_in_schema=False)


@router.get("/{village_code}/forms/")
def village_forms(request: Request, cadre: CurrentCadre, db: OperationalDb, village_code: str) -> Response:
    """Cadre of this village only (another village's code answers 404): the forms sent to it, with downloads."""
    in_scope(cadre, village_code)
    return render(
        request,
        "forms/cadre.html",
        principal=cadre,
        heading="部门报表",
        village_code=village_code,
        forms=forms.forms_of(db, village=village_code),
        status_titles=STATUS_TITLES,
        download_titles=DOWNLOAD_TITLES,
    )


@router.get("/{village_code}/forms/{form_id}.xlsx")
def village_form_download(
    cadre: CurrentCadre, settings: SettingsDep, db: OperationalDb, village_code: str, form_id: int
) -> Response:
    """Cadre of this village only: a form sent to the village, filled from the current publish (audited)."""
    in_scope(cadre, village_code)
    form = forms.get_form(db, form_id)
    if form is None or village_code not in {v.code for v in form.villages}:
        raise HTTPException(status_code=404, detail="未找到该报表 (no such form)")
    try:
        return download(settings, cadre, form, village_code)
    except NotPublished:
        return RedirectResponse(f"/cadre/{village_code}/forms/", status_code=303)

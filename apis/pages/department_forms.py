"""Department clerks' form pages (填表报数): register a form by uploading its template, see at once which items the
platform holds, download the automatic reports and pre-filled forms, and the department's reduction dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentReviewer
from apis.deps import OperationalDb, SettingsDep
from apis.form_fill import NotPublished
from apis.operational import forms
from apis.operational.accounts import village_names
from apis.pages.forms_common import STATUS_TITLES, download, form_page_context
from apis.templating import render

router = APIRouter(prefix="/department/forms", include_in_schema=False)


@router.get("/")
def forms_home(request: Request, clerk: CurrentReviewer, db: OperationalDb) -> Response:
    """Department reviewer: the department's forms, the registration form and its reduction dashboard."""
    return _home(request, clerk, db)


def _home(request: Request, clerk: CurrentReviewer, db: OperationalDb, problem: str = "") -> Response:
    department = clerk.scope or ""
    return render(
        request,
        "forms/department.html",
        principal=clerk,
        heading=f"{department} 报表登记",
        forms=forms.forms_of(db, department),
        dashboard=forms.dashboard(db, department),
        frequencies=forms.FREQUENCIES,
        status_titles=STATUS_TITLES,
        villages=village_names(),
        problem=problem,
    )


@router.post("/", dependencies=[CsrfChecked])
async def register_upload(
    request: Request,
    clerk: CurrentReviewer,
    settings: SettingsDep,
    db: OperationalDb,
    template: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    frequency: Annotated[str, Form()] = "",
    villages: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Department reviewer: register a form from its uploaded template; a refusal is shown on the page, nothing kept."""
    if template is None or not template.filename:
        return _home(request, clerk, db, "请选择报表的 Excel 表样文件")
    data = await template.read(forms.MAX_BYTES + 1)
    request_ = forms.FormRequest(clerk.scope or "", purpose, frequency, villages or [], title)
    try:
        # every check comes before the first write: a refusal leaves nothing behind
        form = forms.register(
            settings, db, clerk=clerk.username, scope=clerk.scope, request=request_, data=data,
            file_name=template.filename,
        )  # fmt: skip
    except forms.FormRefusal as refusal:
        return _home(request, clerk, db, refusal.zh)
    return RedirectResponse(f"/department/forms/{form.id}", status_code=303)


@router.get("/{form_id}")
def form_detail(
    request: Request, clerk: CurrentReviewer, settings: SettingsDep, db: OperationalDb, form_id: int
) -> Response:
    """Department reviewer, own department's forms only (another's answers 404): the gate's answer item by item."""
    form = forms.get_form(db, form_id, clerk.scope)
    if form is None:
        raise HTTPException(status_code=404, detail="未找到该报表 (no such form)")
    return render(
        request,
        "forms/form.html",
        principal=clerk,
        **form_page_context(settings, db, form, f"/department/forms/{form.id}/{{code}}.xlsx"),
    )


@router.get("/{form_id}/{village_code}.xlsx")
def form_download(
    clerk: CurrentReviewer, settings: SettingsDep, db: OperationalDb, form_id: int, village_code: str
) -> Response:
    """Department reviewer, own department's forms only: the automatic report or pre-filled form of one target
    village, filled from the current publish (audited)."""
    form = forms.get_form(db, form_id, clerk.scope)
    if form is None or village_code not in {v.code for v in form.villages}:
        raise HTTPException(status_code=404, detail="未找到该报表 (no such form)")
    try:
        return download(settings, clerk, form, village_code)
    except NotPublished:
        return RedirectResponse(f"/department/forms/{form.id}", status_code=303)

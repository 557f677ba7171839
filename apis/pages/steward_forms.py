"""Stewards' review of form item matches: confirm or correct each; a confirmed element teaches the dictionary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentSteward
from apis.deps import OperationalDb, SettingsDep
from apis.operational import forms
from apis.operational.models import FormLesson
from apis.templating import render

router = APIRouter(prefix="/steward/forms", include_in_schema=False)


@router.get("/")
def review_queue(
    request: Request, steward: CurrentSteward, settings: SettingsDep, db: OperationalDb, problem: str = ""
) -> Response:
    """Steward: the matches no one has reviewed, least confident first, and the labels taught so far."""
    try:
        elements = forms.matcher(settings, db).elements
    except forms.FormRefusal as refusal:
        elements, problem = [], refusal.zh
    return render(
        request,
        "forms/steward.html",
        principal=steward,
        heading="报表数据项匹配复核",
        items=forms.pending_items(db),
        elements=elements,
        lessons=db.query(FormLesson).order_by(FormLesson.id.desc()).limit(50).all(),
        problem=problem,
    )


@router.post("/items/{item_id}", dependencies=[CsrfChecked])
def review_item(
    steward: CurrentSteward,
    settings: SettingsDep,
    db: OperationalDb,
    item_id: int,
    element: Annotated[str, Form()] = forms.NOT_HELD,
) -> Response:
    """Steward: confirm the match (its own element) or correct it (another element, or none); back to the queue."""
    try:
        forms.review(settings, db, item_id, element, steward.username)
    except forms.FormRefusal as refusal:
        return RedirectResponse(f"/steward/forms/?problem={refusal.code}", status_code=303)
    return RedirectResponse("/steward/forms/", status_code=303)

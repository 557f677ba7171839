"""The report-form registry as JSON, for departments' programs (a clerk's signed-in session): register a form by its
item labels or its template, and read the gate's answer and the department's dashboard."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from apis.auth import CurrentReviewer
from apis.deps import OperationalDb, SettingsDep
from apis.errors import ApiError, ErrorBody
from apis.operational import forms
from apis.operational.models import ReportForm

router = APIRouter(prefix="/api/forms", tags=["forms"])

_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "表样或请求有误 Bad template or request"},
    403: {"model": ErrorBody, "description": "只能为本部门登记 A clerk registers for their own department only"},
    404: {"model": ErrorBody, "description": "没有这份报表，或属于其他部门 No such form of your department"},
    409: {"model": ErrorBody, "description": "本部门已登记同一报表 Your department already registered this form"},
    413: {"model": ErrorBody, "description": "表样超过 5 MB The template is larger than 5 MB"},
    503: {"model": ErrorBody, "description": "尚未发布数据快照 Nothing published yet"},
}


class ItemIn(BaseModel):
    label: str = Field(description="数据项名称，照表头原样 the item's label as written on the form")


class FormIn(BaseModel):
    department: str = Field(description="发文部门，须为本人所属部门 the issuing department: the clerk's own")
    title: str = Field(default="", description="报表名称 the form's title (from the template when empty)")
    purpose: str = Field(default="", description="用途 what the form is for")
    frequency: str = Field(description="填报频次 once | monthly | quarterly | yearly")
    villages: list[str] = Field(description="下发的村（居）代码 the target villages' 12-digit codes")
    items: list[ItemIn] = Field(default=[], description="数据项（无表样时）the items, when no template is sent")
    template_base64: str | None = Field(default=None, description="Excel 表样（base64）the .xlsx template, base64")


class ItemOut(BaseModel):
    label: str
    derivable: bool
    dataset: str | None
    field: str | None
    confidence: float
    reason: str
    also_asked_by: list[str]


class FormOut(BaseModel):
    id: int
    department: str
    title: str
    frequency: str
    status: str = Field(description="refused（全部已有，改为自动报表）| prefilled（部分预填）| allowed")
    villages: list[str]
    items: list[ItemOut]


def _out(db: OperationalDb, form: ReportForm) -> FormOut:
    dup = forms.duplicates(db, form)
    return FormOut(
        id=form.id,
        department=form.department,
        title=form.title,
        frequency=form.frequency,
        status=form.status,
        villages=[v.code for v in form.villages],
        items=[
            ItemOut(
                label=i.label,
                derivable=i.derivable,
                dataset=i.dataset,
                field=i.field,
                confidence=i.confidence,
                reason=i.reason,
                also_asked_by=dup.get(i.position, []),
            )
            for i in form.items
        ],
    )


@router.post(
    "",
    status_code=201,
    summary="登记报表 Register a form",
    description="比对每个数据项，全部已有则不予下发（改为自动报表），部分已有则预填。Matches every item; a fully "
    "derivable form is refused and replaced by an automatic report, a partly derivable one is pre-filled.",
    responses={s: _ANSWERS[s] for s in (400, 403, 409, 413, 503)},
)
def register_form(body: FormIn, clerk: CurrentReviewer, settings: SettingsDep, db: OperationalDb) -> FormOut:
    """Department reviewer: registers for their own department only."""
    if body.template_base64:
        try:
            data = base64.b64decode(body.template_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "bad_base64", "template_base64 is not base64", "表样不是 base64 编码") from None
        file_name = "template.xlsx"
    else:
        if not body.items:
            raise ApiError(400, "no_items", "the form has no items", "报表没有数据项")
        too_long = [i.label for i in body.items if len(i.label) > 200]
        if too_long:
            raise ApiError(
                400, "label_too_long", "an item label is longer than 200 characters", "数据项名称超过 200 个字符"
            )
        data, file_name = forms.template_from_labels(body.title, [i.label for i in body.items]), "api.xlsx"
    request = forms.FormRequest(body.department, body.purpose, body.frequency, body.villages, body.title)
    try:
        form = forms.register(
            settings, db, clerk=clerk.username, scope=clerk.scope, request=request, data=data, file_name=file_name
        )
    except forms.FormRefusal as refusal:
        raise ApiError(refusal.status, refusal.code, refusal.en, refusal.zh) from None
    return _out(db, form)


@router.get(
    "/dashboard",
    summary="填表报数成效 The reduction dashboard",
    description="本部门登记、不予下发、预填的报表数，免填数据项，精简率（按月）。Forms registered, refused and "
    "pre-filled, items saved, reduction rate, overall and per month, for the clerk's department.",
)
def form_dashboard(clerk: CurrentReviewer, db: OperationalDb) -> dict[str, Any]:
    """Department reviewer: their own department's figures."""
    return forms.dashboard(db, clerk.scope)


@router.get(
    "/{form_id}",
    summary="报表比对结果 The gate's answer for a form",
    responses={404: _ANSWERS[404]},
)
def read_form(form_id: int, clerk: CurrentReviewer, db: OperationalDb) -> FormOut:
    """Department reviewer: own department's forms only."""
    form = forms.get_form(db, form_id, clerk.scope)
    if form is None:
        raise ApiError(404, "unknown_form", "no such form of your department", "本部门没有这份报表")
    return _out(db, form)

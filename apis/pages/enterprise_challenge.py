"""Enterprises' challenge pages (揭榜挂帅): take an open data need with a proposal, then say what was delivered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentEnterprise, Principal, record
from apis.deps import OperationalDb, SettingsDep
from apis.operational import challenge
from apis.operational.models import NEED_STATUS_TITLES, ChallengeNeed, Enterprise, NeedStatus
from apis.pages.enterprise import _enterprise
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/enterprise/challenge", include_in_schema=False)

NeedId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOTICES = {
    "taken": "揭榜成功，方案已提交发布部门。",
    "delivered": "交付说明已提交，等待发布部门验收。",
    "empty_proposal": "请填写方案后再揭榜。",
    "long_proposal": "方案过长（最多 5000 字）。",
    "already_taken": "该需求已被揭榜，不再接受方案。",
    "past_deadline": "该需求已过截止日期。",
    "empty_delivery_note": "请填写交付说明。",
    "long_delivery_note": "交付说明过长（最多 5000 字）。",
    "not_taker": "只有揭榜企业可以交付。",
    "not_taken": "只有已揭榜、尚未交付的需求可以交付。",
}


@router.get("/")
def enterprise_needs(request: Request, principal: CurrentEnterprise, db: OperationalDb, notice: str = "") -> Response:
    """Enterprise administrator: open needs to take, and the needs this enterprise took."""
    enterprise = _enterprise(db, principal)
    mine = db.scalars(
        select(ChallengeNeed).where(ChallengeNeed.taker_id == enterprise.id).order_by(ChallengeNeed.taken_at.desc())
    )
    return render(
        request,
        "challenge/enterprise.html",
        principal=principal,
        enterprise=enterprise,
        open_needs=challenge.list_needs(db, status=NeedStatus.open.value),
        mine=list(mine),
        titles=NEED_STATUS_TITLES,
        notice=NOTICES.get(notice, ""),
    )


def _need(db: OperationalDb, need_id: int) -> ChallengeNeed:
    need = challenge.get_need(db, need_id)
    if need is None:
        raise HTTPException(status_code=404, detail="没有此需求 (no such need)")
    return need


Step = Callable[[Session, ChallengeNeed, Enterprise, str], object]


def _act(
    db: Session, settings: Settings, principal: Principal, need_id: int, step: Step, text: str, done: str
) -> Response:
    """Take one step of a need with the enterprise's text (proposal or delivery note); the refusal's notice when the
    step does not apply, else the audit record and the step's notice (action `challenge_need_<done>`)."""
    need, enterprise = _need(db, need_id), _enterprise(db, principal)
    try:
        step(db, need, enterprise, text)
    except challenge.ChallengeError as exc:
        return RedirectResponse(f"/enterprise/challenge/?notice={exc.code}", status_code=303)
    what = {"need_id": need.id, "uscc": principal.scope, "status": need.status}
    record(settings, who=principal.username, role=principal.role.value, action=f"challenge_need_{done}", what=what)
    return RedirectResponse(f"/enterprise/challenge/?notice={done}", status_code=303)


@router.post("/{need_id}/take", dependencies=[CsrfChecked])
def take_need(
    need_id: NeedId,
    principal: CurrentEnterprise,
    db: OperationalDb,
    settings: SettingsDep,
    proposal: Annotated[str, Form()] = "",
) -> Response:
    """Enterprise administrator: take an open need (揭榜) with a proposal, before its deadline."""
    return _act(db, settings, principal, need_id, challenge.take, proposal, "taken")


@router.post("/{need_id}/deliver", dependencies=[CsrfChecked])
def deliver_need(
    need_id: NeedId,
    principal: CurrentEnterprise,
    db: OperationalDb,
    settings: SettingsDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Enterprise administrator, needs this enterprise took only: say what was delivered."""
    return _act(db, settings, principal, need_id, challenge.deliver, note, "delivered")

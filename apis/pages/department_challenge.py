"""Department reviewers' challenge pages (揭榜挂帅): publish a data need, follow it, accept its delivery. A
department sees and acts on its own needs only; another department's need answers 404."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentReviewer, Principal, in_scope, record
from apis.deps import OperationalDb, SettingsDep
from apis.operational import challenge
from apis.operational.models import NEED_STATUS_TITLES, ChallengeNeed
from apis.pages.portal import current
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/department/challenge", include_in_schema=False)

NeedId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# What a refused step's code means on the page it redirects to (Post/Redirect/Get: a reload never posts again).
NOTICES = {
    "published": "需求已发布。",
    "accepted": "已验收。",
    "not_delivered": "只有已交付的需求可以验收。",
}


def _datasets(settings: Settings) -> dict[str, str]:
    snapshot = current(settings)
    return {d["id"]: d["title"] for d in snapshot.datasets.values()} if snapshot else {}


def _list(
    request: Request,
    reviewer: Principal,
    db: OperationalDb,
    settings: Settings,
    *,
    problems: list[str] | None = None,
    form: Mapping[str, object] | None = None,
    notice: str = "",
) -> Response:
    return render(
        request,
        "challenge/department.html",
        principal=reviewer,
        needs=challenge.list_needs(db, department=reviewer.scope),
        datasets=_datasets(settings),
        titles=NEED_STATUS_TITLES,
        problems=problems or [],
        form=form or {"title": "", "description": "", "datasets": [], "deadline": ""},
        notice=NOTICES.get(notice, ""),
        today=challenge.today().isoformat(),
    )


@router.get("/")
def department_needs(
    request: Request, reviewer: CurrentReviewer, db: OperationalDb, settings: SettingsDep, notice: str = ""
) -> Response:
    """Department reviewer: the department's published needs, and the form to publish another."""
    return _list(request, reviewer, db, settings, notice=notice)


@router.post("/", dependencies=[CsrfChecked])
def publish_need(
    request: Request,
    reviewer: CurrentReviewer,
    db: OperationalDb,
    settings: SettingsDep,
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    datasets: Annotated[list[str] | None, Form()] = None,
    deadline: Annotated[str, Form()] = "",
) -> Response:
    """Department reviewer: publish a need for the department; every problem of the form is shown at once."""
    chosen = [d for d in datasets or [] if d]
    problems = challenge.check_need(title, description, chosen, deadline, _datasets(settings))
    if problems:
        form = {"title": title, "description": description, "datasets": chosen, "deadline": deadline}
        return _list(request, reviewer, db, settings, problems=problems, form=form)
    need = challenge.publish_need(
        db,
        department=reviewer.scope or "",
        title=title,
        description=description,
        datasets=chosen,
        deadline=date.fromisoformat(deadline.strip()),
        by=reviewer.username,
    )
    _audit(settings, reviewer, "challenge_need_published", need)
    return RedirectResponse(f"/department/challenge/{need.id}?notice=published", status_code=303)


def _own(db: OperationalDb, reviewer: Principal, need_id: int) -> ChallengeNeed:
    need = challenge.get_need(db, need_id)
    in_scope(reviewer, need.department if need else "")
    assert need is not None  # in_scope refused a missing need: no department is ""
    return need


@router.get("/{need_id}")
def department_need(
    request: Request, need_id: NeedId, reviewer: CurrentReviewer, db: OperationalDb, notice: str = ""
) -> Response:
    """Department reviewer, own department's needs only: the need, the taker's proposal and delivery."""
    need = _own(db, reviewer, need_id)
    return render(
        request,
        "challenge/department_need.html",
        principal=reviewer,
        need=need,
        titles=NEED_STATUS_TITLES,
        notice=NOTICES.get(notice, ""),
    )


@router.post("/{need_id}/accept", dependencies=[CsrfChecked])
def accept_need(need_id: NeedId, reviewer: CurrentReviewer, db: OperationalDb, settings: SettingsDep) -> Response:
    """Department reviewer, own department's needs only: accept a delivered need."""
    need = _own(db, reviewer, need_id)
    try:
        challenge.accept(db, need, reviewer.scope or "")
    except challenge.ChallengeError as exc:
        return RedirectResponse(f"/department/challenge/{need.id}?notice={exc.code}", status_code=303)
    _audit(settings, reviewer, "challenge_need_accepted", need)
    return RedirectResponse(f"/department/challenge/{need.id}?notice=accepted", status_code=303)


def _audit(settings: Settings, who: Principal, action: str, need: ChallengeNeed) -> None:
    what = {"need_id": need.id, "department": need.department, "status": need.status}
    record(settings, who=who.username, role=who.role.value, action=action, what=what)

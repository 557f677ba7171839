"""A department's review queue of the villages' corrections (还数于村): each correction of an attribute the
department owns is a case to accept, or reject with a reason; the outcome goes back to the cadre and, as a
delivery, to survivorship."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentReviewer, Principal
from apis.corrections.metrics import refresh_applied, village_metrics
from apis.corrections.review import decide, queue
from apis.deps import SettingsDep
from apis.operational.accounts import village_names
from apis.operational.db import session_scope
from apis.pages.cadre import STATUS_TITLES
from apis.pages.cadre_rosters import record
from apis.queued_decisions import decide_queued_case
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/department/corrections", include_in_schema=False)


@router.get("/")
def corrections(request: Request, reviewer: CurrentReviewer, settings: SettingsDep) -> Response:
    """Department reviewer: the cases of the attributes the department owns, and the villages' metrics."""
    return queue_page(request, reviewer, settings)


def queue_page(
    request: Request, reviewer: Principal, settings: Settings, message: str | None = None, status_code: int = 200
) -> Response:
    with session_scope(settings) as db:
        refresh_applied(db, settings)
        cases = queue(db, reviewer.scope or "")
        metrics = village_metrics(db, settings)
    if cases:
        keys = sorted({c.person_key for c in cases})
        record(settings, reviewer, "correction_queue_view", {"department": reviewer.scope, "person_keys": keys})
    return render(
        request,
        "department/corrections.html",
        principal=reviewer,
        heading=f"{reviewer.scope} · 村（居）更正审核",
        cases=cases,
        metrics=metrics,
        village_names=village_names(),
        status_titles=STATUS_TITLES,
        message=message,
        status_code=status_code,
    )


@router.post("/{correction_id}/decide", dependencies=[CsrfChecked])
def decide_case(
    request: Request,
    reviewer: CurrentReviewer,
    settings: SettingsDep,
    correction_id: int,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Department reviewer of the owning department only (another department's case answers 404): accept, or
    reject with a reason (audited)."""

    def take(db: Session) -> dict[str, Any]:
        case = decide(db, settings, reviewer, correction_id, decision, reason)
        return {
            "department": reviewer.scope,
            "correction_id": case.id,
            "village_code": case.village_code,
            "decision": case.status,
            "person_keys": [case.person_key],
        }

    return decide_queued_case(
        settings,
        take,
        lambda what: record(settings, reviewer, "correction_decision", what),
        lambda message, status: queue_page(request, reviewer, settings, message=message, status_code=status),
        "/department/corrections/",
    )

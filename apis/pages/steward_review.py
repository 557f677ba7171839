"""Stewards' clerical review of person matches: the review queue side by side with its evidence, and one of three
decisions per case (link to a candidate, not this candidate, a new person), audited and applied on the next run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from apis import audit_trail
from apis.auth import CsrfChecked, CurrentSteward, Principal
from apis.deps import SettingsDep
from apis.match_review import (
    COMPARISON_TITLES,
    DECISION_TITLES,
    FIELDS,
    anchor,
    decide,
    read_queue,
)
from apis.operational.db import session_scope
from apis.queued_decisions import decide_queued_case
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/steward/review", include_in_schema=False)
PURPOSE = "自然人匹配人工复核：数据管理员裁定实体解析送复核的匹配"


@router.get("/")
def review_queue(request: Request, steward: CurrentSteward, settings: SettingsDep) -> Response:
    """Steward: the person matches waiting for a decision, each record beside its candidates."""
    return queue_page(request, steward, settings)


def queue_page(
    request: Request, steward: Principal, settings: Settings, message: str | None = None, status_code: int = 200
) -> Response:
    with session_scope(settings) as db:
        queue = read_queue(db, settings)
        pending = sum(1 for c in queue.cases if c.decided is None)
    if queue.cases:
        keys = sorted({c.person_key for case in queue.cases for c in case.candidates})
        audit_trail.record(settings, steward, PURPOSE, "match_review_view", {"version": queue.version,
                                                                              "person_keys": keys})  # fmt: skip
    return render(
        request,
        "steward/review.html",
        principal=steward,
        status_code=status_code,
        queue=queue,
        pending=pending,
        fields=FIELDS,
        comparison_titles=COMPARISON_TITLES,
        decision_titles=DECISION_TITLES,
        message=message,
    )


@router.post("/decide", dependencies=[CsrfChecked])
def decide_case(
    request: Request,
    steward: CurrentSteward,
    settings: SettingsDep,
    source_id: Annotated[str, Form()] = "",
    entity: Annotated[str, Form()] = "",
    record_id: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    candidate: Annotated[str, Form()] = "",
) -> Response:
    """Steward only: decide one case of the current queue (audited); an unknown case answers 404."""
    if not all((source_id, entity, record_id, role)):
        return queue_page(request, steward, settings, "请从复核队列中选择案例 (choose a case from the queue)", 400)
    case_key = (source_id, entity, record_id, role)

    def take(db: Session) -> dict[str, Any]:
        row, case = decide(db, settings, steward, case_key, decision, candidate)
        return {
            "decision_id": row.id,
            "version": row.version,
            "record": {"source_id": source_id, "entity": entity, "record_id": record_id, "role": role},
            "decision": row.decision,
            "candidate_person_key": row.candidate_person_key,
            "delivery_file": row.delivery_file,
            "person_keys": sorted({c.person_key for c in case.candidates}),
        }

    return decide_queued_case(
        settings,
        take,
        lambda what: audit_trail.record(settings, steward, PURPOSE, "match_decision", what),
        lambda message, status: queue_page(request, steward, settings, message, status),
        f"/steward/review/#{anchor(case_key)}",
    )

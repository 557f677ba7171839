"""A department's review queue: the corrections of the attributes it owns, accepted or rejected with a reason. Each
decision is dropped as a delivery of the village-verification source, which is how survivorship learns of it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from apis.auth import Principal
from apis.corrections.delivery import SOURCE_ID
from apis.operational.models import Correction, CorrectionStatus, now
from apis.queued_decisions import DecisionRefused, drop_decision
from zhongtai.settings import Settings


def queue(db: Session, department: str) -> Sequence[Correction]:
    """The department's cases, pending first, then the latest decided."""
    cases = select(Correction).where(Correction.department == department)
    pending = db.scalars(cases.where(Correction.status == CorrectionStatus.pending).order_by(Correction.id)).all()
    decided = db.scalars(
        cases.where(Correction.status != CorrectionStatus.pending).order_by(Correction.decided_at.desc()).limit(200)
    ).all()
    return [*pending, *decided]


def decide(
    db: Session, settings: Settings, reviewer: Principal, correction_id: int, decision: str, reason: str
) -> Correction:
    """Accept, or reject with a reason, one pending case of the reviewer's department (another department's case
    is not found). `decision` is "accept" or "reject"."""
    case = db.get(Correction, correction_id)
    if case is None or case.department != reviewer.scope:
        raise DecisionRefused("未找到该更正", 404)
    if decision not in ("accept", "reject"):
        raise DecisionRefused("请选择采纳或不采纳", 400)
    accept = decision == "accept"
    if case.status != CorrectionStatus.pending:
        raise DecisionRefused(f"该更正已审核（{case.status}），不能重复审核")
    reason = reason.strip()
    if not accept and not reason:
        raise DecisionRefused("不采纳须填写理由", 400)
    case.status = CorrectionStatus.accepted if accept else CorrectionStatus.rejected
    case.decided_by, case.decided_at, case.reason = reviewer.username, now(), reason[:500] or None
    drop_decision(
        settings,
        SOURCE_ID,
        case.id,
        {
            "correction_id": case.id,
            "decision": case.status,
            "department": case.department,
            "reviewer": reviewer.username,
            "decided_at": case.decided_at,
            "reason": case.reason,
        },
    )
    return case

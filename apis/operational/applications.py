"""Applications for conditional (有条件开放) datasets and the grants they give; usage counts read back per
enterprise and per department. Every write to applications goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apis.operational.models import ApplicationStatus, DataApplication, Enterprise, UsageCount, now

CONDITIONAL = "有条件开放"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 3 * 366  # a grant lasts three years at most; renewing is a new application
MAX_PURPOSE = 2000


class ApplicationError(ValueError):
    """An application or decision that cannot be made; the message (Chinese, then English) is shown as it is."""


def conditional_entries(datasets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The published datasets an enterprise may apply for."""
    return [d for d in datasets.values() if d["open_level"] == CONDITIONAL]


def granted_fields(entry: dict[str, Any], asked: list[str]) -> list[str]:
    """The asked fields in the dataset's order, with its primary key always among them: paging walks the key."""
    declared = [f["name"] for f in entry["fields"]]
    unknown = [f for f in asked if f not in declared]
    if unknown:
        raise ApplicationError(f"数据集没有字段 {unknown[0][:60]} (no such field in the dataset)")
    wanted = set(asked) | set(entry["primary_key"])
    return [f for f in declared if f in wanted]


def expiry_of(day: date) -> datetime:
    """An expiry date means "through that day" in Asia/Shanghai."""
    return datetime.combine(day + timedelta(days=1), time(), SHANGHAI)


def apply(
    db: Session,
    enterprise: Enterprise,
    entry: dict[str, Any] | None,
    *,
    applied_by: str,
    purpose: str,
    fields: list[str],
    until: date,
) -> DataApplication:
    if entry is None:
        raise ApplicationError("未找到该数据集 (unknown dataset)")
    if entry["open_level"] != CONDITIONAL:
        raise ApplicationError(
            f"数据集 {entry['id']} 为{entry['open_level']}数据，不受理申请 (only conditional ones take applications)"
        )
    purpose = purpose.strip()
    if not purpose or len(purpose) > MAX_PURPOSE:
        raise ApplicationError(f"请写明用途（1 至 {MAX_PURPOSE} 字）(state the purpose, 1 to {MAX_PURPOSE} characters)")
    if not fields:
        raise ApplicationError("请至少选择一个字段 (choose at least one field)")
    today = now().astimezone(SHANGHAI).date()
    if not today <= until <= today + timedelta(days=MAX_DAYS):
        raise ApplicationError(
            f"有效期须在今天至 {MAX_DAYS} 天之内 (the expiry must be between today and {MAX_DAYS} days from now)"
        )
    application = DataApplication(
        enterprise_id=enterprise.id,
        dataset_id=entry["id"],
        department=entry["owner_department"],
        purpose=purpose,
        fields=",".join(granted_fields(entry, fields)),
        expires_at=expiry_of(until),
        status=ApplicationStatus.pending.value,
        reason="",
        applied_by=applied_by,
    )
    db.add(application)
    db.flush()
    return application


def of_enterprise(db: Session, enterprise_id: int, application_id: int) -> DataApplication | None:
    """One of this enterprise's applications; another enterprise's is None, as if it did not exist."""
    found = db.get(DataApplication, application_id)
    return found if found is not None and found.enterprise_id == enterprise_id else None


def of_department(db: Session, department: str | None, application_id: int) -> DataApplication | None:
    found = db.get(DataApplication, application_id)
    return found if found is not None and found.department == department else None


def list_for_enterprise(db: Session, enterprise_id: int) -> list[DataApplication]:
    query = select(DataApplication).where(DataApplication.enterprise_id == enterprise_id)
    return list(db.scalars(query.order_by(DataApplication.id.desc())))


def list_for_department(db: Session, department: str | None) -> list[DataApplication]:
    query = select(DataApplication).where(DataApplication.department == department)
    return list(db.scalars(query.order_by(DataApplication.status != "pending", DataApplication.id.desc())))


def decide(db: Session, application: DataApplication, *, approve: bool, by: str, reason: str = "") -> None:
    """Approve (as asked) or reject with a reason; only a pending application can be decided."""
    if application.status != ApplicationStatus.pending.value:
        raise ApplicationError(f"申请已{_STATUS_ZH[application.status]}，不能再审 (already decided)")
    reason = reason.strip()
    if not approve and not reason:
        raise ApplicationError("驳回须写明理由 (a rejection needs a reason)")
    if approve and application.expires_at <= now():
        raise ApplicationError("申请的有效期已过，不能批准 (the requested expiry has passed)")
    application.status = (ApplicationStatus.approved if approve else ApplicationStatus.rejected).value
    application.reason = reason[:2000]
    application.decided_by = by
    application.decided_at = now()


_STATUS_ZH = {"pending": "待审核", "approved": "批准", "rejected": "驳回"}


@dataclass(frozen=True)
class Standing:
    """What an enterprise holds for one dataset: the live grant, or why it has none."""

    grant: DataApplication | None
    refusal: str  # "" with a grant; else no_application | application_pending | application_rejected | …expired
    latest: DataApplication | None


def standing(db: Session, enterprise_id: int, dataset_id: str) -> Standing:
    """The live approved application (the most recently decided if several), else the most telling refusal."""
    found = list(
        db.scalars(
            select(DataApplication)
            .where(DataApplication.enterprise_id == enterprise_id, DataApplication.dataset_id == dataset_id)
            .order_by(DataApplication.id.desc())
        )
    )
    at = now()
    live = [a for a in found if a.status == "approved" and a.expires_at > at]
    if live:
        return Standing(max(live, key=lambda a: a.decided_at or a.created_at), "", None)
    for status, refusal in (
        ("approved", "application_expired"),
        ("pending", "application_pending"),
        ("rejected", "application_rejected"),
    ):
        latest = next((a for a in found if a.status == status), None)
        if latest is not None:
            return Standing(None, refusal, latest)
    return Standing(None, "no_application", None)


# ------------------------------------------------------------------------------------------------ usage


@dataclass(frozen=True)
class Usage:
    who: str  # key prefix, or an enterprise's name
    dataset_id: str
    requests: int
    rows: int


def usage_of_enterprise(db: Session, enterprise_id: int) -> list[Usage]:
    """Per key and dataset, all days together."""
    query = (
        select(UsageCount.key_prefix, UsageCount.dataset_id, func.sum(UsageCount.requests), func.sum(UsageCount.rows))
        .where(UsageCount.enterprise_id == enterprise_id)
        .group_by(UsageCount.key_prefix, UsageCount.dataset_id)
        .order_by(UsageCount.key_prefix, UsageCount.dataset_id)
    )
    return [Usage(k, d, int(r), int(n)) for k, d, r, n in db.execute(query)]


def usage_of_datasets(db: Session, dataset_ids: list[str]) -> list[Usage]:
    """Per dataset and enterprise (anonymous callers together), all days together."""
    query = (
        select(
            UsageCount.dataset_id,
            func.coalesce(Enterprise.name, "匿名"),
            func.sum(UsageCount.requests),
            func.sum(UsageCount.rows),
        )
        .outerjoin(Enterprise, Enterprise.id == UsageCount.enterprise_id)
        .where(UsageCount.dataset_id.in_(dataset_ids))
        .group_by(UsageCount.dataset_id, Enterprise.name)
        .order_by(UsageCount.dataset_id, Enterprise.name)
    )
    return [Usage(who, d, int(r), int(n)) for d, who, r, n in db.execute(query)]

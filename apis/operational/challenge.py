"""The challenge (揭榜挂帅): every write to a data need goes through these functions, which enforce its life
open → taken → delivered → accepted and say, in Chinese and English, why a step is refused."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from apis.operational.models import ChallengeNeed, Enterprise, NeedStatus, now

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_DATASETS = 20


class ChallengeError(ValueError):
    """A step that cannot be taken: `code` is machine-readable, `zh` and `en` are shown as they are."""

    def __init__(self, code: str, en: str, zh: str) -> None:
        super().__init__(f"{en} ({zh})")
        self.code, self.en, self.zh = code, en, zh


def today() -> date:
    """The district's date (deadlines are dates in Asia/Shanghai)."""
    return datetime.now(SHANGHAI).date()


def check_need(title: str, description: str, datasets: Iterable[str], deadline: str, known: Iterable[str]) -> list[str]:
    """Every problem with a need a department is about to publish, as (Chinese) messages; empty when it is fine."""
    problems = []
    if not title.strip():
        problems.append("请填写需求标题")
    elif len(title) > MAX_TITLE:
        problems.append(f"标题不能超过 {MAX_TITLE} 字")
    if not description.strip():
        problems.append("请写明需求说明：要解决什么问题、需要哪些数据")
    elif len(description) > MAX_TEXT:
        problems.append(f"需求说明不能超过 {MAX_TEXT} 字")
    chosen = list(datasets)
    unknown = sorted(set(chosen) - set(known))
    if not chosen:
        problems.append("请至少选择一个相关数据集")
    elif unknown:
        problems.append(f"数据集 {'、'.join(unknown)} 不在当前发布的目录中")
    elif len(chosen) > MAX_DATASETS:
        problems.append(f"最多选择 {MAX_DATASETS} 个数据集")
    try:
        due = date.fromisoformat(deadline.strip())
    except ValueError:
        problems.append("截止日期须为 YYYY-MM-DD 格式的日期")
    else:
        if due < today():
            problems.append("截止日期不能早于今天")
    return problems


def publish_need(
    session: Session, *, department: str, title: str, description: str, datasets: list[str], deadline: date, by: str
) -> ChallengeNeed:
    need = ChallengeNeed(
        department=department,
        title=title.strip(),
        description=description.strip(),
        datasets=list(dict.fromkeys(datasets)),
        deadline=deadline,
        status=NeedStatus.open.value,
        published_by=by,
        proposal="",
        delivery_note="",
    )
    session.add(need)
    session.flush()
    return need


def list_needs(session: Session, *, status: str | None = None, department: str | None = None) -> list[ChallengeNeed]:
    query = select(ChallengeNeed).order_by(ChallengeNeed.created_at.desc(), ChallengeNeed.id.desc())
    if status is not None:
        query = query.where(ChallengeNeed.status == status)
    if department is not None:
        query = query.where(ChallengeNeed.department == department)
    return list(session.scalars(query))


def get_need(session: Session, need_id: int) -> ChallengeNeed | None:
    return session.get(ChallengeNeed, need_id)


def _text(value: str, what_zh: str, what_en: str) -> str:
    value = value.strip()
    if not value:
        raise ChallengeError(f"empty_{what_en}", f"the {what_en} is empty", f"请填写{what_zh}")
    if len(value) > MAX_TEXT:
        raise ChallengeError(f"long_{what_en}", f"the {what_en} is over {MAX_TEXT} characters", f"{what_zh}过长")
    return value


def take(session: Session, need: ChallengeNeed, enterprise: Enterprise, proposal: str) -> ChallengeNeed:
    """An enterprise takes an open need with its proposal (揭榜): open → taken, before the deadline only."""
    text = _text(proposal, "方案", "proposal")
    if need.status != NeedStatus.open.value:
        raise ChallengeError("already_taken", "this need is no longer open", "该需求已被揭榜，不再接受方案")
    if need.deadline < today():
        raise ChallengeError("past_deadline", "the deadline of this need has passed", "该需求已过截止日期")
    # Compare-and-set: of two enterprises taking it at once, only the first update finds it open.
    taken = session.execute(
        update(ChallengeNeed)
        .where(ChallengeNeed.id == need.id, ChallengeNeed.status == NeedStatus.open.value)
        .values(status=NeedStatus.taken.value, taker_id=enterprise.id, proposal=text, taken_at=now())
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise ChallengeError("already_taken", "this need is no longer open", "该需求已被揭榜，不再接受方案")
    session.refresh(need)
    return need


def deliver(session: Session, need: ChallengeNeed, enterprise: Enterprise, note: str) -> ChallengeNeed:
    """The enterprise that took a need says what it delivered: taken → delivered."""
    text = _text(note, "交付说明", "delivery_note")
    if need.taker_id != enterprise.id:
        raise ChallengeError("not_taker", "only the enterprise that took this need delivers it", "只有揭榜企业可以交付")
    if need.status != NeedStatus.taken.value:
        raise ChallengeError("not_taken", "only a taken need can be delivered", "只有已揭榜的需求可以交付")
    need.status, need.delivery_note, need.delivered_at = NeedStatus.delivered.value, text, now()
    return need


def accept(session: Session, need: ChallengeNeed, department: str) -> ChallengeNeed:
    """The department that published a need accepts its delivery: delivered → accepted."""
    if need.department != department:
        raise ChallengeError("not_owner", "only the publishing department accepts", "只有发布需求的部门可以验收")
    if need.status != NeedStatus.delivered.value:
        raise ChallengeError("not_delivered", "only a delivered need can be accepted", "只有已交付的需求可以验收")
    need.status, need.accepted_at = NeedStatus.accepted.value, now()
    return need

"""Clerical review of person matches: the queue entity resolution published (`review.sqlite` of the current
snapshot), and a steward's decision on one case — link to a candidate, not this candidate, or a new person — stored
in the operational database and dropped as a delivery of the `match_review` source, which the next run applies."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from apis.auth import Principal
from apis.operational.models import MatchDecision, MatchDecisionKind, now
from apis.queued_decisions import DecisionRefused, drop_decision
from zhongtai.settings import Settings

SOURCE_ID = "match_review"
FILE = "review.sqlite"
# The fields compared side by side, with their titles (the order of the page's rows).
FIELDS = [
    ("name", "姓名"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("id17", "身份证号前 17 位"),
    ("phone", "联系电话"),
    ("village_code", "村居代码"),
    ("address", "地址"),
    ("house_no", "门牌号"),
]
COMPARISON_TITLES = {
    "id17": "身份证号前 17 位",
    "name": "姓名",
    "birth_date": "出生日期",
    "sex": "性别",
    "phone": "联系电话",
    "village_code": "村居",
    "address": "地址",
    "house_no": "门牌号",
}
DECISION_TITLES = {"link": "关联到此候选人", "reject": "不是此候选人", "new_person": "新的自然人"}


def anchor(case_key: tuple[str, str, str, str]) -> str:
    """A case's id in the page (letters and digits only), for links and tests."""
    return "case-" + "-".join(case_key).encode().hex()[:40]


@dataclass
class Candidate:
    rank: int
    person_key: str
    match_probability: float
    match_weight: float
    values: dict[str, Any]
    evidence: list[dict[str, Any]]

    @property
    def prior_weight(self) -> float:
        """The weight before any comparison (log2 odds that two random records are one person): with the
        comparisons' weights it sums to the match weight."""
        return self.match_weight - sum(float(e["weight"]) for e in self.evidence)


@dataclass
class Case:
    source_id: str
    entity: str
    record_id: str
    role: str
    values: dict[str, Any]
    candidates: list[Candidate] = field(default_factory=list)
    decided: MatchDecision | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source_id, self.entity, self.record_id, self.role)

    @property
    def anchor(self) -> str:
        return anchor(self.key)


@dataclass(frozen=True)
class Queue:
    version: str | None  # the published version the queue comes from; None when nothing is published
    cases: list[Case]


def current_version(settings: Settings) -> tuple[str | None, Path]:
    folder = Path(os.path.realpath(settings.current_snapshot))
    database = folder / FILE
    return (folder.name if database.is_file() else None), database


def read_queue(db: Session, settings: Settings) -> Queue:
    """The current snapshot's review cases, each with its candidates best first and the decision taken on it on
    this version's queue, if any."""
    version, database = current_version(settings)
    if version is None:
        return Queue(None, [])
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute("select * from review_case order by source_id, entity, record_id, role, rank").fetchall()
    cases: dict[tuple[str, str, str, str], Case] = {}
    for row in rows:
        key = (row["source_id"], row["entity"], row["record_id"], row["role"])
        case = cases.get(key)
        if case is None:
            case = cases[key] = Case(*key, values={f: row[f"mention_{f}"] for f, _ in FIELDS})
        case.candidates.append(
            Candidate(
                rank=int(row["rank"]),
                person_key=row["candidate_person_key"],
                match_probability=float(row["match_probability"]),
                match_weight=float(row["match_weight"]),
                values={f: row[f"candidate_{f}"] for f, _ in FIELDS},
                evidence=json.loads(row["evidence"]),
            )
        )
    decided = db.scalars(select(MatchDecision).where(MatchDecision.version == version)).all()
    for decision in decided:
        key = (decision.source_id, decision.entity, decision.record_id, decision.role)
        if key in cases:
            cases[key].decided = decision
    return Queue(version, list(cases.values()))


def decide(
    db: Session,
    settings: Settings,
    steward: Principal,
    case_key: tuple[str, str, str, str],
    decision: str,
    candidate: str,
) -> tuple[MatchDecision, Case]:
    """Decide one case of the current queue: `decision` is link / reject (naming one of its candidates by person
    key) or new_person. Refused: no such case (404), a bad decision or candidate (400), decided already (409)."""
    queue = read_queue(db, settings)
    case = next((c for c in queue.cases if c.key == case_key), None)
    if queue.version is None or case is None:
        raise DecisionRefused("未找到该复核案例 (no such review case)", 404)
    if decision not in {k.value for k in MatchDecisionKind}:
        raise DecisionRefused("请选择关联、不是此候选人或新的自然人 (choose link, reject or new_person)", 400)
    keys = {c.person_key for c in case.candidates}
    if decision != MatchDecisionKind.new_person and candidate not in keys:
        raise DecisionRefused("所选候选人不在此案例的候选人之中 (the candidate is not one of this case's)", 400)
    if case.decided is not None:
        raise DecisionRefused(
            "此案例已在本版本裁定，下次运行后生效 (already decided on this version; it applies on the next run)"
        )
    row = MatchDecision(
        source_id=case.source_id,
        entity=case.entity,
        record_id=case.record_id,
        role=case.role,
        decision=decision,
        candidate_person_key=None if decision == MatchDecisionKind.new_person else candidate,
        version=queue.version,
        decided_by=steward.username,
        decided_at=now(),
        delivery_file="",
    )
    db.add(row)
    db.flush()
    path = drop_decision(
        settings,
        SOURCE_ID,
        row.id,
        {
            "decision_id": row.id,
            "source_id": row.source_id,
            "entity": row.entity,
            "record_id": row.record_id,
            "role": row.role,
            "decision": row.decision,
            "candidate_person_key": row.candidate_person_key,
            "steward": row.decided_by,
            "decided_at": row.decided_at,
        },
    )
    row.delivery_file = path.name
    case.decided = row
    return row, case

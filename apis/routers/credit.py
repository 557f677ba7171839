"""Public credit lookup by unified social credit code: the public part of an enterprise's credit profile, read from
the open credit datasets of the published snapshot (licences and penalties inside their publication window, the red,
black and watch lists, the grade with its explanation). Sole traders' codes name a person: never answered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path
from pydantic import BaseModel

from apis.deps import ServingDep, SnapshotDep
from apis.errors import ApiError, responses
from zhongtai.identifiers import IdReason, InvalidIdentifier, normalise_uscc
from zhongtai.sql import quote_identifier

router = APIRouter(prefix="/v1/credit", tags=["credit"])

OPEN = "无条件开放"
RECORDS, LISTS, GRADES, DIRECTORY = (
    "credit_publicity",
    "credit_lists",
    "enterprise_credit_grade",
    "enterprise_directory",
)
_RECORD_FIELDS = ("record_type", "title", "decided_on", "authority", "published_from", "published_until")
_CHECKS = {
    IdReason.missing: ("the code is empty", "代码为空"),
    IdReason.bad_length: ("it must have 18 characters", "应为 18 位"),
    IdReason.bad_character: (
        "it uses a character outside 0-9 A-H J-N P-R T U W-Y",
        "含有不允许的字符（不用 I、O、S、V、Z）",
    ),
    IdReason.bad_area: ("characters 3-8 must be an administrative division code", "第 3 至 8 位应为行政区划代码"),
    IdReason.bad_check: ("its check character (GB 32100) is wrong", "校验码（GB 32100）不符"),
    IdReason.bad_org_code_check: (
        "the organisation code inside it (characters 9-17, GB 11714) fails its check",
        "其中的组织机构代码（第 9 至 17 位，GB 11714）校验不符",
    ),
}


class CreditRecord(BaseModel):
    record_type: str | None
    title: str | None
    decided_on: date | None
    authority: str | None
    published_from: date | None
    published_until: date | None


class Grade(BaseModel):
    grade: str | None
    score: int | None
    explanation: str


class CreditProfile(BaseModel):
    uscc: str
    name: str | None
    status: str | None
    version: str
    grade: Grade | None
    licences: list[CreditRecord]
    penalties: list[CreditRecord]
    red_list: list[CreditRecord]
    black_list: list[CreditRecord]
    watch_list: list[CreditRecord]


def _valid(uscc: str) -> str:
    try:
        return normalise_uscc(uscc)
    except InvalidIdentifier as exc:
        en, zh = _CHECKS[exc.reason]
        raise ApiError(
            400,
            f"bad_uscc_{exc.reason.value}",
            f"{uscc[:40]!r} is not a unified social credit code: {en}",
            f"{uscc[:40]!r} 不是有效的统一社会信用代码：{zh}",
            param="uscc",
        ) from None


def _rows(con: Any, snapshot: Any, dataset: str, columns: tuple[str, ...], uscc: str, today: date) -> list[dict]:
    """The enterprise's rows of an open dataset of the snapshot, inside their publication window today."""
    entry = snapshot.datasets.get(dataset)
    if entry is None or entry["open_level"] != OPEN:
        return []
    q = quote_identifier
    window = "and (published_until is null or published_until > ?)" if "published_until" in columns else ""
    sql = (
        f"select {', '.join(q(c) for c in columns)} from {q(dataset)} where uscc = ? {window} "
        f"order by {'decided_on desc nulls last, ' if 'decided_on' in columns else ''}1"
    )
    cur = con.execute(sql, [uscc, today] if window else [uscc])
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]


@router.get(
    "/{uscc}",
    summary="企业信用查询 Public credit lookup",
    description="按统一社会信用代码查询企业信用信息的公开部分：公示期内的行政许可和行政处罚（双公示）、红名单、黑名单和"
    "重点关注名单，以及信用等级及其说明。代码不符合 GB 32100 时返回 400 并指出哪一项校验未通过；未找到该企业，"
    "或为个体工商户（其代码和名称属个人信息，不公开查询）时返回 404。"
    "The public part of an enterprise's credit profile by unified social credit code: licences and penalties inside "
    "their publication window (双公示), the red, black and watch lists, and the grade with its explanation. 400 "
    "naming the failed GB 32100 check for a malformed code; 404 for an unknown enterprise or a sole trader "
    "(个体工商户, whose code and name are personal data).",
    responses=responses(400, 404),
)
def lookup(
    uscc: Annotated[
        str,
        Path(max_length=40, description="统一社会信用代码 unified social credit code", examples=["91350100M000100Y43"]),
    ],
    snapshot: SnapshotDep,
    con: ServingDep,
) -> CreditProfile:
    """Public."""
    code = _valid(uscc)
    if code.startswith("92"):  # registered by market regulation (9) as 个体工商户 (2)
        raise ApiError(
            404,
            "sole_trader",
            "sole traders' credit information names a person and is not answered publicly",
            "个体工商户的信用信息含个人信息，不提供公开查询",
            param="uscc",
        )
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    directory = _rows(con, snapshot, DIRECTORY, ("name", "status"), code, today)
    records = _rows(con, snapshot, RECORDS, ("enterprise_name", *_RECORD_FIELDS), code, today)
    lists = _rows(con, snapshot, LISTS, ("enterprise_name", "list_kind", *_RECORD_FIELDS), code, today)
    cols = ("enterprise_name", "grade", "grade_description", "score", "published_record_count", "blacklist_count")
    grades = _rows(con, snapshot, GRADES, cols, code, today)
    if not (directory or records or lists or grades):
        raise ApiError(
            404,
            "unknown_enterprise",
            f"no enterprise with code {code} in the open data of version {snapshot.version}",
            f"版本 {snapshot.version} 的开放数据中没有统一社会信用代码为 {code} 的企业",
            param="uscc",
        )
    names = [r["name"] for r in directory] + [r["enterprise_name"] for r in records + lists + grades]
    grade = None
    if grades:
        g = grades[0]
        grade = Grade(
            grade=g["grade"],
            score=g["score"],
            explanation=f"信用等级 {g['grade']}（{g['grade_description']}）：评分 {g['score']} 分，"
            f"公示中的信用记录 {g['published_record_count']} 条，"
            f"其中失信黑名单和限制高消费记录 {g['blacklist_count']} 条。",
        )

    def pick(rows: list[dict], key: str, value: str) -> list[CreditRecord]:
        return [CreditRecord(**{f: r[f] for f in _RECORD_FIELDS}) for r in rows if r[key] == value]

    return CreditProfile(
        uscc=code,
        name=next((n for n in names if n), None),
        status=directory[0]["status"] if directory else None,
        version=snapshot.version,
        grade=grade,
        licences=pick(records, "record_type", "行政许可"),
        penalties=pick(records, "record_type", "行政处罚"),
        red_list=pick(lists, "list_kind", "红名单"),
        black_list=pick(lists, "list_kind", "黑名单"),
        watch_list=pick(lists, "list_kind", "重点关注名单"),
    )

"""The challenge (揭榜挂帅) in the API: departments' published data needs, their status and who took them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from apis.deps import OperationalDb
from apis.errors import ApiError, ErrorBody
from apis.operational import challenge
from apis.operational.models import NEED_STATUS_TITLES, ChallengeNeed

router = APIRouter(prefix="/v1/challenge", tags=["challenge"])

STATUS_DOC = "状态 status: `open` 征集中 → `taken` 已揭榜 → `delivered` 已交付 → `accepted` 已验收"
NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="需求编号 need id", examples=[1])]


class NeedDataset(BaseModel):
    id: str
    url: str = Field(description="数据集说明 the dataset's description in the API")


class NeedOut(BaseModel):
    id: int
    title: str
    description: str
    department: str = Field(description="发布部门 publishing department")
    datasets: list[NeedDataset]
    deadline: date = Field(description="揭榜截止日期 last day to take it")
    status: Literal["open", "taken", "delivered", "accepted"] = Field(description=STATUS_DOC)
    status_title: str
    taker: str | None = Field(description="揭榜企业 the enterprise that took it")
    created_at: datetime
    taken_at: datetime | None
    delivered_at: datetime | None
    accepted_at: datetime | None
    portal_url: str


class NeedList(BaseModel):
    total: int
    needs: list[NeedOut]


def need_out(need: ChallengeNeed) -> NeedOut:
    return NeedOut(
        id=need.id,
        title=need.title,
        description=need.description,
        department=need.department,
        datasets=[NeedDataset(id=d, url=f"/v1/datasets/{d}") for d in need.datasets],
        deadline=need.deadline,
        status=need.status,  # type: ignore[arg-type]
        status_title=NEED_STATUS_TITLES[need.status],
        taker=need.taker.name if need.taker else None,
        created_at=need.created_at,
        taken_at=need.taken_at,
        delivered_at=need.delivered_at,
        accepted_at=need.accepted_at,
        portal_url=f"/portal/challenge/{need.id}",
    )


@router.get(
    "/needs",
    summary="揭榜挂帅需求 Published data needs",
    description="各部门发布的数据需求（揭榜挂帅），新发布的在前；企业登录门户后可揭榜（提交方案）、交付，由发布部门验收。"
    f"{STATUS_DOC}。The data needs departments published (newest first); an enterprise takes one with a proposal "
    "on the portal, delivers, and the publishing department accepts. Proposals and delivery notes are shown to the "
    "department and the enterprise only.",
)
def list_needs(
    db: OperationalDb,
    status: Annotated[
        Literal["open", "taken", "delivered", "accepted"] | None,
        Query(description=f"只看此状态 only this {STATUS_DOC}"),
    ] = None,
) -> NeedList:
    """Public."""
    needs = [need_out(n) for n in challenge.list_needs(db, status=status)]
    return NeedList(total=len(needs), needs=needs)


@router.get(
    "/needs/{need_id}",
    summary="一项需求 One data need",
    description=f"一项数据需求及其进展。One data need and how far it has got. {STATUS_DOC}. "
    "404 if there is no such need.",
    responses={404: {"model": ErrorBody, "description": "没有此需求 No such need"}},
)
def get_need(need_id: NeedId, db: OperationalDb) -> NeedOut:
    """Public."""
    need = challenge.get_need(db, need_id)
    if need is None:
        raise ApiError(404, "unknown_need", f"no data need {need_id}", f"没有编号为 {need_id} 的需求", param="need_id")
    return need_out(need)

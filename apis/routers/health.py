"""Liveness and the published version being served."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from apis.deps import NoticeDep, SnapshotDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    created_at: str
    stale: bool = False
    stale_reason: str | None = None
    stale_since: str | None = None
    failed_checks: list[str] = []


@router.get(
    "/health",
    summary="健康检查 Health",
    description="服务状态与当前发布版本；若最近一次发布被拒（质量检查未通过等），`stale` 为 true 并说明原因。"
    "Status and the published version being served; 503 before the first publish. `stale` is true when a newer "
    "publish was refused (a blocking quality check failed, the catalog or the personal-data scan refused it): "
    "the previous version keeps serving, and `stale_reason`, `stale_since` and `failed_checks` say why.",
)
def health(snapshot: SnapshotDep, notice: NoticeDep) -> Health:
    """Public."""
    return Health(
        status="stale" if notice.stale else "ok",
        version=snapshot.version,
        created_at=snapshot.created_at,
        stale=notice.stale,
        stale_reason=notice.get("reason") if notice.stale else None,
        stale_since=notice.get("since") if notice.stale else None,
        failed_checks=list(notice.get("failed_checks") or []) if notice.stale else [],
    )

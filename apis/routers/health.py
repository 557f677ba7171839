"""Liveness and the published version being served."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from apis.deps import SnapshotDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    created_at: str


@router.get(
    "/health",
    summary="健康检查 Health",
    description="服务状态与当前发布版本。Status and the published version being served; 503 before the first publish.",
)
def health(snapshot: SnapshotDep) -> Health:
    return Health(status="ok", version=snapshot.version, created_at=snapshot.created_at)

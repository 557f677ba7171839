"""Who a key belongs to: lets an enterprise's program check its key before it reads anything."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from apis.auth import ApiKey

router = APIRouter(prefix="/v1", tags=["access"])


class WhoAmI(BaseModel):
    key_prefix: str
    uscc: str
    enterprise_name: str
    expires_at: datetime | None


@router.get(
    "/whoami",
    summary="密钥归属 Who this key belongs to",
    description="返回接口密钥所属企业及密钥有效期。Returns the enterprise an API key belongs to and when the key "
    "expires; 401 without a key or with an unknown, revoked or expired one.",
)
def whoami(key: ApiKey) -> WhoAmI:
    """API key."""
    return WhoAmI(
        key_prefix=key.key_prefix, uscc=key.uscc, enterprise_name=key.enterprise_name, expires_at=key.expires_at
    )

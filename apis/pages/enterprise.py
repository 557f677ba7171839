"""Enterprises' pages: their registration and API keys (issued once, revocable); applications come with issue 10."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentEnterprise, Principal, record
from apis.deps import OperationalDb, SettingsDep
from apis.operational import accounts
from apis.operational.models import ApiKey, Enterprise, now
from apis.templating import render

router = APIRouter(prefix="/enterprise", include_in_schema=False)


def _enterprise(db: OperationalDb, principal: Principal) -> Enterprise:
    enterprise = db.scalar(select(Enterprise).where(Enterprise.uscc == principal.scope))
    if enterprise is None:  # the account was made with it; gone only if removed by hand
        raise HTTPException(status_code=404, detail="未找到本企业的登记信息 (enterprise not registered)")
    return enterprise


def _page(request: Request, principal: Principal, db: OperationalDb, new_secret: str = "") -> Response:
    enterprise = _enterprise(db, principal)
    keys = db.scalars(select(ApiKey).where(ApiKey.enterprise_id == enterprise.id).order_by(ApiKey.created_at.desc()))
    return render(
        request,
        "enterprise/index.html",
        principal=principal,
        enterprise=enterprise,
        keys=list(keys),
        new_secret=new_secret,
        now=now(),
        heading="企业开放数据服务",
        scope_label="统一社会信用代码",
        scope_value=principal.scope,
    )


@router.get("/")
def enterprise_home(request: Request, principal: CurrentEnterprise, db: OperationalDb) -> Response:
    """Enterprise administrator: the enterprise's registration and its keys."""
    return _page(request, principal, db)


@router.post("/keys", dependencies=[CsrfChecked])
def issue_key(
    request: Request,
    principal: CurrentEnterprise,
    db: OperationalDb,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=100)] = "",
    valid_days: Annotated[int, Form(ge=0, le=3650)] = 365,
) -> Response:
    """Enterprise administrator: a new key, shown on this answer only (not in a URL, not stored)."""
    enterprise = _enterprise(db, principal)
    expires = now() + timedelta(days=valid_days) if valid_days else None
    issued = accounts.issue_key(db, enterprise, name=name.strip(), expires_at=expires)
    record(
        settings,
        who=principal.username,
        role=principal.role.value,
        action="api_key_issued",
        what={"uscc": enterprise.uscc, "key_prefix": issued.key.prefix},
    )
    return _page(request, principal, db, new_secret=issued.secret)


@router.post("/keys/{prefix}/revoke", dependencies=[CsrfChecked])
def revoke_key(principal: CurrentEnterprise, db: OperationalDb, settings: SettingsDep, prefix: str) -> Response:
    """Enterprise administrator, own keys only (another enterprise's key answers 404)."""
    enterprise = _enterprise(db, principal)
    try:
        accounts.revoke_key(db, enterprise, prefix)
    except accounts.AccountError:
        raise HTTPException(status_code=404, detail="没有此密钥 (no such key)") from None
    record(
        settings,
        who=principal.username,
        role=principal.role.value,
        action="api_key_revoked",
        what={"uscc": enterprise.uscc, "key_prefix": prefix},
    )
    return RedirectResponse("/enterprise/", status_code=303)

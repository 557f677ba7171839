"""Enterprises' pages: their registration, API keys (issued once, revocable), applications for conditional datasets
and their usage."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentEnterprise, Principal, record
from apis.deps import OperationalDb, SettingsDep, get_snapshot
from apis.errors import ApiError
from apis.operational import accounts, applications
from apis.operational.models import ApiKey, Enterprise, now
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/enterprise", include_in_schema=False)


def _enterprise(db: OperationalDb, principal: Principal) -> Enterprise:
    enterprise = db.scalar(select(Enterprise).where(Enterprise.uscc == principal.scope))
    if enterprise is None:  # the account was made with it; gone only if removed by hand
        raise HTTPException(status_code=404, detail="未找到本企业的登记信息 (enterprise not registered)")
    return enterprise


def published_datasets(settings: Settings) -> dict[str, dict[str, Any]]:
    """The current snapshot's datasets, or none before the first publish."""
    try:
        return get_snapshot(settings).datasets
    except ApiError:
        return {}


def _page(
    request: Request,
    principal: Principal,
    db: OperationalDb,
    settings: Settings,
    *,
    new_secret: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    enterprise = _enterprise(db, principal)
    keys = db.scalars(select(ApiKey).where(ApiKey.enterprise_id == enterprise.id).order_by(ApiKey.created_at.desc()))
    return render(
        request,
        "enterprise/index.html",
        principal=principal,
        status_code=status_code,
        enterprise=enterprise,
        keys=list(keys),
        new_secret=new_secret,
        error=error,
        conditional=applications.conditional_entries(published_datasets(settings)),
        applications=applications.list_for_enterprise(db, enterprise.id),
        usage=applications.usage_of_enterprise(db, enterprise.id),
        default_until=(now().astimezone(applications.SHANGHAI).date() + timedelta(days=365)).isoformat(),
        now=now(),
        heading="企业开放数据服务",
        scope_label="统一社会信用代码",
        scope_value=principal.scope,
    )


@router.get("/")
def enterprise_home(
    request: Request, principal: CurrentEnterprise, db: OperationalDb, settings: SettingsDep
) -> Response:
    """Enterprise administrator: the enterprise's registration, keys, applications and usage."""
    return _page(request, principal, db, settings)


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
    return _page(request, principal, db, settings, new_secret=issued.secret)


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


@router.post("/applications", dependencies=[CsrfChecked])
def apply(
    request: Request,
    principal: CurrentEnterprise,
    db: OperationalDb,
    settings: SettingsDep,
    dataset_id: Annotated[str, Form(max_length=100)] = "",
    purpose: Annotated[str, Form(max_length=applications.MAX_PURPOSE)] = "",
    fields: Annotated[list[str] | None, Form()] = None,
    until: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Enterprise administrator: apply for a conditional dataset, stating purpose, fields and expiry."""
    enterprise = _enterprise(db, principal)
    entry = published_datasets(settings).get(dataset_id)
    try:
        try:
            day = date.fromisoformat(until.strip())
        except ValueError:
            raise applications.ApplicationError(
                "有效期须为 YYYY-MM-DD 格式的日期 (expiry: a date YYYY-MM-DD)"
            ) from None
        made = applications.apply(
            db, enterprise, entry, applied_by=principal.username, purpose=purpose, fields=fields or [], until=day
        )
    except applications.ApplicationError as exc:
        return _page(request, principal, db, settings, error=str(exc), status_code=400)
    record(
        settings,
        who=principal.username,
        role=principal.role.value,
        action="application_submitted",
        what={"uscc": enterprise.uscc, "application": made.id, "dataset": made.dataset_id, "fields": made.field_list},
    )
    return RedirectResponse(f"/enterprise/applications/{made.id}", status_code=303)


@router.get("/applications/{application_id}")
def application_page(
    request: Request, principal: CurrentEnterprise, db: OperationalDb, application_id: int
) -> Response:
    """Enterprise administrator, own applications only (another enterprise's answers 404)."""
    enterprise = _enterprise(db, principal)
    found = applications.of_enterprise(db, enterprise.id, application_id)
    if found is None:
        raise HTTPException(status_code=404, detail="没有此申请 (no such application)")
    return render(
        request,
        "enterprise/application.html",
        principal=principal,
        application=found,
        now=now(),
    )

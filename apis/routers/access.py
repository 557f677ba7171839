"""Access for enterprises' programs: self-registration, who a key belongs to, the enterprise's applications for
conditional datasets and its usage."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from apis.auth import ApiKey, record
from apis.deps import OperationalDb, SettingsDep
from apis.errors import ApiError, responses
from apis.operational import accounts, applications
from apis.operational.models import DataApplication, now

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


class Registration(BaseModel):
    uscc: str = Field(max_length=40, description="统一社会信用代码（GB 32100，18 位）", examples=["91440604MA51AAAA1X"])
    name: str = Field(max_length=200, description="企业名称 registered name")
    username: str = Field(max_length=64, description="管理员用户名 the administrator's username (no spaces)")
    password: str = Field(max_length=200, description="管理员密码，至少 10 个字符 at least 10 characters")
    contact_name: str = Field(default="", max_length=100)
    contact_email: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=40)


class Registered(BaseModel):
    uscc: str
    name: str
    username: str
    sign_in_url: str


@router.post(
    "/enterprises",
    status_code=201,
    summary="企业注册 Register an enterprise",
    description="以统一社会信用代码（按 GB 32100 校验）登记企业并开设企业管理员账号；"
    "管理员登录 `/sign-in` 后申领接口密钥、申请有条件开放数据。同一代码只能登记一次（409）。"
    "Registers an enterprise by its USCC (checked against GB 32100) "
    "with its administrator account, who then signs in on `/sign-in` to take API keys and apply for conditional "
    "datasets. 400 for an invalid USCC, username or password; 409 when the USCC or username is taken.",
    responses=responses(400, 409),
)
def register(body: Registration, db: OperationalDb, settings: SettingsDep) -> Registered:
    """Public: anyone may register an enterprise."""
    try:
        account = accounts.self_register(
            db,
            uscc=body.uscc,
            name=body.name,
            username=body.username,
            password=body.password,
            contact_name=body.contact_name,
            contact_email=body.contact_email,
            contact_phone=body.contact_phone,
        )
    except accounts.AccountError as exc:
        raise _account_error(exc) from None
    record(
        settings, who=account.username, role=account.role, action="enterprise_registered", what={"uscc": account.scope}
    )
    return Registered(
        uscc=account.scope or "", name=body.name.strip(), username=account.username, sign_in_url="/sign-in"
    )


def _account_error(exc: accounts.AccountError) -> ApiError:
    """An AccountError's message is "中文 (English)": split it into the error shape."""
    text = str(exc)
    parts = re.match(r"^(.*?) \((.*?)\)(.*)$", text, re.S)
    zh, en = (parts[1] + parts[3], parts[2] + parts[3]) if parts else (text, text)
    if isinstance(exc, accounts.Taken):
        return ApiError(409, "already_registered", en, zh)
    return ApiError(400, "bad_registration", en, zh)


class ApplicationOut(BaseModel):
    id: int
    dataset_id: str
    department: str
    purpose: str
    fields: list[str]
    expires_at: datetime
    status: str = Field(description="pending 待审核 | approved 已批准 | rejected 已驳回")
    reason: str = Field(description="驳回理由 the reason of a rejection")
    created_at: datetime
    decided_at: datetime | None
    live: bool = Field(description="已批准且未过期 approved and not expired")


def application_out(a: DataApplication) -> ApplicationOut:
    return ApplicationOut(
        id=a.id,
        dataset_id=a.dataset_id,
        department=a.department,
        purpose=a.purpose,
        fields=a.field_list,
        expires_at=a.expires_at,
        status=a.status,
        reason=a.reason,
        created_at=a.created_at,
        decided_at=a.decided_at,
        live=a.status == "approved" and a.expires_at > now(),
    )


@router.get(
    "/applications",
    summary="本企业的数据申请 This enterprise's applications",
    description="密钥所属企业的有条件开放数据申请及其审批结果（申请在企业页面 `/enterprise/` 提交）。The applications "
    "for conditional datasets of the key's enterprise, with their decisions (made on the page `/enterprise/`).",
)
def list_applications(key: ApiKey, db: OperationalDb) -> list[ApplicationOut]:
    """API key: the key's own enterprise only."""
    return [application_out(a) for a in applications.list_for_enterprise(db, key.enterprise_id)]


@router.get(
    "/applications/{application_id}",
    summary="一项数据申请 One application",
    description="本企业的一项申请；其他企业的申请与不存在的申请一样答 404。One of this enterprise's applications; "
    "another enterprise's answers 404, as if it did not exist.",
    responses=responses(404),
)
def get_application(
    key: ApiKey, db: OperationalDb, application_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> ApplicationOut:
    """API key: the key's own enterprise only."""
    found = applications.of_enterprise(db, key.enterprise_id, application_id)
    if found is None:
        raise ApiError(
            404,
            "unknown_application",
            f"no application {application_id} of this enterprise",
            f"本企业没有编号为 {application_id} 的申请",
            param="application_id",
        )
    return application_out(found)


class UsageOut(BaseModel):
    key_prefix: str
    # Not `dataset_id`: clients (and schemathesis' inferred links) would feed its null into dataset routes.
    dataset: str | None = Field(description="数据集（不涉及数据集的接口为 null）dataset, null for other routes")
    requests: int
    rows: int


@router.get(
    "/usage",
    summary="本企业的调用量 This enterprise's usage",
    description="按密钥与数据集统计的请求数与返回行数（累计）。"
    "Requests and rows served, per key and dataset, all days.",
)
def usage(key: ApiKey, db: OperationalDb) -> list[UsageOut]:
    """API key: the key's own enterprise only."""
    return [
        UsageOut(key_prefix=u.who, dataset=u.dataset_id or None, requests=u.requests, rows=u.rows)
        for u in applications.usage_of_enterprise(db, key.enterprise_id)
    ]

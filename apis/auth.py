"""Who may see what, decided here alone: sessions for people, keys for programs, one dependency per role, CSRF.

Every page and route declares the role it serves with one of `CurrentCadre`, `CurrentReviewer`, `CurrentSteward`,
`CurrentAnalyst`, `CurrentEnterprise` (a signed-in person) or `ApiKey` (an enterprise's program); a route with none
is public and says so in its docstring. `required_role(route)` reads the declaration back, so the role × route matrix
test covers every route without a list kept by hand.

CSRF: a double-submit token of our own, on itsdangerous. starlette-csrf reads the token only from a request header,
which a plain HTML form cannot send without JavaScript (pages work without it, DESIGN.md §6 item 12); here the
browser holds a random nonce in a cookie and every form carries the same nonce signed with the server's secret,
checked by `CsrfChecked` on every form post.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyHeader
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.routing import Mount

from apis.deps import SettingsDep
from apis.operational import accounts
from apis.operational.db import session_scope
from apis.operational.models import Role
from zhongtai import audit
from zhongtai.settings import Settings

SESSION_COOKIE = "zhongtai_session"
CSRF_COOKIE = "zhongtai_csrf"
CSRF_FIELD = "csrf_token"

# Where each role lands after sign-in; each prefix belongs to that role's pages alone.
LANDING: dict[Role, str] = {
    Role.cadre: "/cadre/",
    Role.department_reviewer: "/department/",
    Role.steward: "/steward/",
    Role.analyst: "/analyst/",
    Role.enterprise_admin: "/enterprise/",
}
ROLE_TITLES: dict[Role, str] = {
    Role.cadre: "村（居）干部",
    Role.department_reviewer: "部门审核员",
    Role.steward: "数据管理员",
    Role.analyst: "数据分析员",
    Role.enterprise_admin: "企业管理员",
}


@dataclass(frozen=True)
class Principal:
    """A signed-in person, detached from the database session that found them."""

    account_id: int
    username: str
    display_name: str
    role: Role
    scope: str | None

    @property
    def role_title(self) -> str:
        return ROLE_TITLES[self.role]


@dataclass(frozen=True)
class KeyHolder:
    """The enterprise behind a valid API key."""

    key_prefix: str
    enterprise_id: int
    uscc: str
    enterprise_name: str
    expires_at: datetime | None


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page (handled in `apis.main`)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class NotYourRole(Exception):
    """Signed in, but this page serves another role: 403 page (handled in `apis.main`)."""

    def __init__(self, principal: Principal, wanted: Role) -> None:
        self.principal = principal
        self.wanted = wanted


# ------------------------------------------------------------------------------------------------ secrets, CSRF


def session_secret(settings: Settings) -> str:
    """The configured secret, or a random one kept in the data directory so every worker and restart agrees."""
    if settings.session_secret:
        return settings.session_secret
    return _secret_file(settings.root / "secrets" / "session_secret")


@lru_cache(maxsize=4)
def _secret_file(path: Path) -> str:
    """Read the secret, or create it: written whole to a private temporary file, then linked into place, so two
    workers starting together agree on one secret and neither reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


def _csrf_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(settings), salt="zhongtai-csrf")


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce: from its cookie, or a new one that `apis.main` sets as the cookie."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_new_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.state.csrf_new_nonce = nonce
    return nonce


def csrf_token(request: Request) -> str:
    """The token a form carries in its hidden `csrf_token` field."""
    return str(_csrf_serializer(request.app.state.settings).dumps(csrf_nonce(request)))


def check_csrf(request: Request, settings: SettingsDep, token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> None:
    """403 unless the form's token is signed by us and names the nonce in this browser's cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    try:
        signed = _csrf_serializer(settings).loads(token, max_age=settings.session_max_hours * 3600)
    except BadSignature:
        signed = None
    if not cookie or not signed or not secrets.compare_digest(str(signed), cookie):
        raise HTTPException(
            status_code=403, detail="表单已失效或来源不明，请刷新页面后重试 (CSRF token missing or invalid)"
        )


CsrfChecked = Depends(check_csrf)


# ------------------------------------------------------------------------------------------------ sign-in throttling

_limiter = MovingWindowRateLimiter(MemoryStorage())


@lru_cache(maxsize=4)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


# A village office or department shares one address behind its router: an address may fail this many times
# more than one account before it waits too.
ADDRESS_FACTOR = 5


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _throttles(address: str, settings: Settings, username: str) -> list[tuple[RateLimitItem, str]]:
    per_account = _limit(settings.sign_in_limit)
    per_address = type(per_account)(per_account.amount * ADDRESS_FACTOR, per_account.multiples)
    return [(per_account, f"user:{username.strip().lower()}"), (per_address, f"addr:{address}")]


def sign_in_allowed(address: str, settings: Settings, username: str) -> bool:
    """False once an account has failed `sign_in_limit` times in the moving window (an address: five times that).

    Counters are kept per process: with N workers an attacker gets at most N times the limit, still slow enough
    against argon2-hashed passwords; a shared store can replace MemoryStorage without touching the callers."""
    return all(_limiter.test(limit, "sign-in", key) for limit, key in _throttles(address, settings, username))


def sign_in_failed(address: str, settings: Settings, username: str) -> None:
    for limit, key in _throttles(address, settings, username):
        _limiter.hit(limit, "sign-in", key)


# ------------------------------------------------------------------------------------------------ people


def principal_of(request: Request, settings: Settings) -> Principal | None:
    """The person signed in through this request's session cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with session_scope(settings) as db:
        web = accounts.resume_session(db, token, settings)
        if web is None:
            return None
        a = web.account
        return Principal(a.id, a.username, a.display_name, Role(a.role), a.scope)


def optional_principal(request: Request, settings: SettingsDep) -> Principal | None:
    return principal_of(request, settings)


MaybeSignedIn = Annotated[Principal | None, Depends(optional_principal)]


def require(role: Role) -> Callable[..., Principal]:
    """The dependency of one role: the signed-in person if they hold it; sign-in page if no one; 403 otherwise."""

    def dependency(request: Request, settings: SettingsDep) -> Principal:
        principal = principal_of(request, settings)
        if principal is None:
            raise SignInRequired(request.url.path)
        if principal.role is not role:
            raise NotYourRole(principal, role)
        return principal

    dependency.role = role  # type: ignore[attr-defined]
    dependency.__name__ = f"current_{role.value}"
    return dependency


CurrentCadre = Annotated[Principal, Depends(require(Role.cadre))]
CurrentReviewer = Annotated[Principal, Depends(require(Role.department_reviewer))]
CurrentSteward = Annotated[Principal, Depends(require(Role.steward))]
CurrentAnalyst = Annotated[Principal, Depends(require(Role.analyst))]
CurrentEnterprise = Annotated[Principal, Depends(require(Role.enterprise_admin))]


def in_scope(principal: Principal, value: str) -> None:
    """404, never 403, for another village's (department's, enterprise's) things: a wrong-scope caller learns
    nothing, not even that it exists."""
    if principal.scope != value:
        raise HTTPException(status_code=404, detail="未找到 (not found)")


# ------------------------------------------------------------------------------------------------ programs

_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="企业的接口密钥 An enterprise's API key (issued on the portal, shown once)",
)


def key_holder(request: Request, settings: Settings, secret: str | None) -> KeyHolder | None:
    """The enterprise behind this live key, or None; looked up once per request (the quota asks first)."""
    cached = request.scope.setdefault("state", {}).get("key_holder", _UNSEEN)
    if cached is not _UNSEEN:
        return cached  # type: ignore[no-any-return]
    holder = None
    if secret:
        with session_scope(settings) as db:
            key = accounts.find_key(db, secret)
            if key is not None:
                e = key.enterprise
                holder = KeyHolder(key.prefix, e.id, e.uscc, e.name, key.expires_at)
    request.state.key_holder = holder
    return holder


_UNSEEN = object()


def api_key(request: Request, settings: SettingsDep, secret: Annotated[str | None, Depends(_key_header)]) -> KeyHolder:
    """401 without a key, or with an unknown, revoked or expired one."""
    if not secret:
        raise HTTPException(status_code=401, detail="需要接口密钥 X-API-Key (an API key is required)")
    holder = key_holder(request, settings, secret)
    if holder is None:
        raise HTTPException(
            status_code=401, detail="接口密钥无效、已吊销或已过期 (API key unknown, revoked or expired)"
        )
    return holder


api_key.role = "api_key"  # type: ignore[attr-defined]
ApiKey = Annotated[KeyHolder, Depends(api_key)]


@dataclass(frozen=True)
class RouteEntry:
    path: str
    methods: frozenset[str]
    role: Role | str | None
    endpoint: Callable[..., Any] | None


def route_table(app: FastAPI) -> list[RouteEntry]:
    """Every route the app answers (included routers flattened), with the role it declares; mounts left out."""
    table = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        if isinstance(original, Mount) or context.path is None:
            continue
        role = required_role(original) if isinstance(original, APIRoute) else None
        table.append(RouteEntry(context.path, frozenset(context.methods or ()), role, context.endpoint))
    return table


def required_role(route: APIRoute) -> Role | str | None:
    """The role a route declares (a `Role`, or "api_key"), or None for a public route."""

    def walk(dependant: Dependant) -> Role | str | None:
        role: Any = getattr(dependant.call, "role", None)
        if role is not None:
            return role  # type: ignore[no-any-return]
        for sub in dependant.dependencies:
            found = walk(sub)
            if found is not None:
                return found
        return None

    return walk(route.dependant)


# ------------------------------------------------------------------------------------------------ audit


def record(settings: Settings, *, who: str, role: str, action: str, what: dict[str, Any] | None = None) -> None:
    """Sign-in, sign-out and key events into the hash-chained audit log."""
    audit.append(audit.log_path(settings.root), who=who, role=role, purpose="access", action=action, what=what)


def sign_in_url(next_path: str) -> str:
    return f"/sign-in?next={quote(next_path)}"

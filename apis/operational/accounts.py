"""Accounts, sign-in sessions, enterprises and API keys: every write to them goes through these functions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from apis.operational.models import Account, ApiKey, Enterprise, Role, WebSession, now
from zhongtai.identifiers import InvalidIdentifier, normalise_uscc
from zhongtai.settings import Settings

KEY_PREFIX = "zt_"


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is shown to the person as it is."""


class Taken(AccountError):
    """The USCC or username is registered already."""


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHash:
    """Argon2id with pwdlib's recommended parameters (DESIGN.md §6 item 11)."""
    return PasswordHash.recommended()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_password() -> str:
    return secrets.token_urlsafe(12)


@lru_cache(maxsize=1)
def village_names() -> dict[str, str]:
    from zhongtai.reference import load_divisions

    villages = load_divisions().filter(level="village")
    return dict(zip(villages["code"].to_list(), villages["name"].to_list(), strict=True))


def check_scope(role: Role, scope: str | None) -> str | None:
    """The scope each role needs: a village code of the district, a department, an enterprise's USCC; none else."""
    scope = (scope or "").strip() or None
    if role is Role.cadre:
        if scope not in village_names():
            raise AccountError(f"村居干部账号须限定一个本区村（居）代码，{scope!r} 不是 (a cadre needs a village code)")
    elif role is Role.department_reviewer:
        if not scope:
            raise AccountError("部门审核账号须写明所属部门 (a department reviewer needs a department)")
    elif role is Role.enterprise_admin:
        try:
            scope = normalise_uscc(scope)
        except InvalidIdentifier as exc:
            raise AccountError(f"统一社会信用代码无效 (invalid USCC): {exc}") from None
    elif scope:
        raise AccountError(f"{role.value} 账号不限定范围 (this role has no scope)")
    return scope


def add_account(
    session: Session,
    *,
    username: str,
    role: Role,
    password: str,
    display_name: str = "",
    scope: str | None = None,
    enterprise_name: str | None = None,
) -> Account:
    """Create an account; an enterprise administrator's enterprise is registered with it if it is new."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError(f"用户名无效 (invalid username): {username!r}")
    if len(password) < 10:
        raise AccountError("密码至少 10 个字符 (a password has at least 10 characters)")
    if session.scalar(select(Account).where(Account.username == username)) is not None:
        raise Taken(f"用户名已存在 (username taken): {username}")
    scope = check_scope(role, scope)
    if role is Role.enterprise_admin and scope is not None:
        register_enterprise(session, uscc=scope, name=enterprise_name or display_name or scope, exist_ok=True)
    account = Account(
        username=username,
        display_name=display_name or username,
        role=role.value,
        scope=scope,
        password_hash=password_hasher().hash(password),
        disabled=False,
    )
    session.add(account)
    session.flush()
    return account


def get_account(session: Session, username: str) -> Account:
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise AccountError(f"没有此用户 (no such account): {username}")
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.role, Account.username)))


def set_disabled(session: Session, username: str, disabled: bool = True) -> Account:
    """Disable (or enable) an account; disabling ends its open sessions at once."""
    account = get_account(session, username)
    account.disabled = disabled
    if disabled:
        end_sessions(session, account)
    return account


def set_password(session: Session, username: str, password: str) -> Account:
    """A new password ends every open session of the account."""
    if len(password) < 10:
        raise AccountError("密码至少 10 个字符 (a password has at least 10 characters)")
    account = get_account(session, username)
    account.password_hash = password_hasher().hash(password)
    end_sessions(session, account)
    return account


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The account if the password is right and the account enabled; None otherwise, in about the same time
    whether or not the username exists, so timing does not tell which usernames are taken."""
    account = session.scalar(select(Account).where(Account.username == username.strip()))
    hasher = password_hasher()
    if account is None:
        hasher.verify(password, _dummy_hash())
        return None
    valid, updated = hasher.verify_and_update(password, account.password_hash)
    if not valid or account.disabled:
        return None
    if updated:
        account.password_hash = updated
    return account


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return password_hasher().hash(secrets.token_hex(16))


# ------------------------------------------------------------------------------------------------ sessions


def start_session(session: Session, account: Account, settings: Settings) -> str:
    """Open a session and return its token (for the cookie; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    at = now()
    session.add(
        WebSession(
            token_hash=sha256(token),
            account_id=account.id,
            created_at=at,
            last_seen_at=at,
            expires_at=at + timedelta(hours=settings.session_max_hours),
        )
    )
    account.last_sign_in_at = at
    return token


def resume_session(session: Session, token: str, settings: Settings) -> WebSession | None:
    """The live session of this token, its idle clock reset; None if unknown, ended, expired, idle too long or its
    account disabled."""
    web = session.scalar(select(WebSession).where(WebSession.token_hash == sha256(token)))
    at = now()
    if web is None or web.ended_at is not None or web.account.disabled:
        return None
    if at >= web.expires_at or at - web.last_seen_at >= timedelta(minutes=settings.session_idle_minutes):
        web.ended_at = at
        return None
    # Write the idle clock at most once a minute: a page with several requests needs one write, not several.
    if at - web.last_seen_at > timedelta(minutes=1):
        web.last_seen_at = at
    return web


def end_session(session: Session, token: str) -> WebSession | None:
    web = session.scalar(select(WebSession).where(WebSession.token_hash == sha256(token)))
    if web is not None and web.ended_at is None:
        web.ended_at = now()
        return web
    return None


def end_sessions(session: Session, account: Account) -> None:
    at = now()
    for web in session.scalars(
        select(WebSession).where(WebSession.account_id == account.id, WebSession.ended_at.is_(None))
    ):
        web.ended_at = at


# ------------------------------------------------------------------------------------------------ enterprises, keys


def register_enterprise(
    session: Session,
    *,
    uscc: str,
    name: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    exist_ok: bool = False,
) -> Enterprise:
    """Register a market entity by its USCC, checked against GB 32100 (check digit and organisation code)."""
    try:
        code = normalise_uscc(uscc)
    except InvalidIdentifier as exc:
        raise AccountError(f"统一社会信用代码无效 (invalid USCC): {exc}") from None
    existing = session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if existing is not None:
        if exist_ok:
            return existing
        raise Taken(f"该统一社会信用代码已登记 (already registered): {code}")
    if not name.strip():
        raise AccountError("企业名称不能为空 (an enterprise needs a name)")
    enterprise = Enterprise(
        uscc=code,
        name=name.strip(),
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def self_register(
    session: Session,
    *,
    uscc: str,
    name: str,
    username: str,
    password: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Account:
    """An enterprise registers itself: the enterprise (a USCC registered once) and its administrator's account."""
    enterprise = register_enterprise(
        session,
        uscc=uscc,
        name=name,
        contact_name=contact_name.strip()[:100],
        contact_email=contact_email.strip()[:200],
        contact_phone=contact_phone.strip()[:40],
    )
    return add_account(
        session,
        username=username,
        role=Role.enterprise_admin,
        password=password,
        display_name=contact_name.strip()[:100] or enterprise.name,
        scope=enterprise.uscc,
    )


@dataclass(frozen=True)
class IssuedKey:
    """The key's secret exists only here, once: show it to the enterprise and forget it."""

    secret: str
    key: ApiKey


def issue_key(
    session: Session, enterprise: Enterprise, *, name: str = "", expires_at: datetime | None = None
) -> IssuedKey:
    prefix = KEY_PREFIX + secrets.token_hex(4)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        prefix=prefix,
        key_hash=sha256(secret),
        enterprise_id=enterprise.id,
        name=name,
        created_at=now(),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return IssuedKey(secret, key)


def revoke_key(session: Session, enterprise: Enterprise, prefix: str) -> ApiKey:
    """Revoke one of this enterprise's keys; another enterprise's key is 'not found', never revoked."""
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.enterprise_id == enterprise.id))
    if key is None:
        raise AccountError(f"没有此密钥 (no such key): {prefix}")
    if key.revoked_at is None:
        key.revoked_at = now()
    return key


def find_key(session: Session, secret: str) -> ApiKey | None:
    """The live key with this secret: not revoked, not expired; None otherwise."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256(secret)))
    at = now()
    if key is None or key.revoked_at is not None or (key.expires_at is not None and at >= key.expires_at):
        return None
    if key.last_used_at is None or at - key.last_used_at > timedelta(minutes=1):
        key.last_used_at = at  # at most one write a minute per key, not one per request
    return key


# ------------------------------------------------------------------------------------------------ the demo

DEMO_ENTERPRISE_USCC = "91440604MA4DEM010A"


def demo_accounts(session: Session) -> list[tuple[Account, str]]:
    """One account per role for `zhongtai demo`, each with a fresh random password (returned, never stored)."""
    first_village = min(village_names())
    wanted = [
        (Role.cadre, "demo-cadre", f"{village_names()[first_village]}干部", first_village),
        (Role.department_reviewer, "demo-reviewer", "区民政局审核员", "区民政局"),
        (Role.steward, "demo-steward", "区数据管理员", None),
        (Role.analyst, "demo-analyst", "区数据分析员", None),
        (Role.enterprise_admin, "demo-enterprise", "示范科技有限公司", DEMO_ENTERPRISE_USCC),
    ]
    made = []
    for role, username, name, scope in wanted:
        password = new_password()
        existing = session.scalar(select(Account).where(Account.username == username))
        if existing is None:
            account = add_account(
                session, username=username, role=role, password=password, display_name=name, scope=scope
            )
        else:
            account = set_password(session, username, password)
            account.disabled = False
        made.append((account, password))
    return made

"""Sign-in for the analyst Datasette: accounts and sessions of the operational database (argon2 via pwdlib).

datasette-auth-passwords checks only its own PBKDF2 hashes, so it cannot read our argon2 accounts; this is the small
plugin that can. The gate (`gate`) runs outside all of Datasette: without a live session every URL answers with the
sign-in page (a redirect to it, or 401 for JSON and CSV), so nothing — table, query, row, metadata or dashboard —
is served to an anonymous caller. A session is a row of the operational `sessions` table, so it expires, idles out
and ends at sign-out, on disable and on a password change exactly as the pages' sessions do. The form's CSRF token is
Datasette's own (`ds_csrftoken`, checked on every POST before the route runs).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from apis.auth import record, sign_in_allowed, sign_in_failed
from apis.operational import accounts
from apis.operational.db import session_scope
from apis.operational.models import Role
from zhongtai.settings import Settings

COOKIE = "zhongtai_datasette"
SIGN_IN, SIGN_OUT = "/-/sign-in", "/-/sign-out"
ROLES = (Role.analyst, Role.steward)  # who may use the analyst database
# All an anonymous caller may fetch: the sign-in form, and the stylesheet it is drawn with.
OPEN_PATHS = frozenset({SIGN_IN, "/-/static/app.css", "/favicon.ico"})
DATA_SUFFIXES = (".json", ".csv")

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def actor_of(settings: Settings, token: str | None) -> dict[str, str] | None:
    """The Datasette actor of a live session of an analyst or steward, or None."""
    if not token:
        return None
    with session_scope(settings) as db:
        web = accounts.resume_session(db, token, settings)
        if web is None or Role(web.account.role) not in ROLES:
            return None
        a = web.account
        return {"id": a.username, "role": a.role, "display": a.display_name}


def cookie_of(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if name in jar:
                return jar[name].value
    return None


def wants_data(scope: Scope) -> bool:
    """A JSON or CSV URL (or `_format=`): answered 401 in JSON rather than redirected to a page."""
    query = scope.get("query_string", b"").decode("latin-1")
    return str(scope["path"]).endswith(DATA_SUFFIXES) or "_format=" in query


async def refuse(scope: Scope, send: Any) -> None:
    """The anonymous answer to every URL but the sign-in form's: the way to the sign-in page, and no data."""
    target = scope["path"] + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
    location = f"{SIGN_IN}?next={quote(target, safe='')}"
    if wants_data(scope):
        status, kind = 401, b"application/json; charset=utf-8"
        body = json.dumps(
            {"ok": False, "error": "需要登录 (sign-in required)", "sign_in": location}, ensure_ascii=False
        ).encode("utf-8")
    else:
        status, kind, body = 302, b"text/html; charset=utf-8", f'<a href="{location}">登录</a>'.encode()
    headers = [(b"content-type", kind), (b"cache-control", b"no-store")]
    if status == 302:
        headers.append((b"location", location.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def gate(settings: Settings, app: ASGIApp, on_actor: Callable[..., Awaitable[None]] | None = None) -> ASGIApp:
    """Resolve the actor once per request (into `scope["zhongtai_actor"]`); refuse anonymous callers; hand signed-in
    requests to `on_actor(app, scope, receive, send, actor)` (the query audit) when given."""

    async def gated(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        actor = await asyncio.to_thread(actor_of, settings, cookie_of(scope, COOKIE))
        if actor is None:
            if scope["path"] in OPEN_PATHS:
                await app(scope, receive, send)
            else:
                await refuse(scope, send)
            return
        scope = dict(scope, zhongtai_actor=actor)
        if on_actor is None:
            await app(scope, receive, send)
        else:
            await on_actor(app, scope, receive, send, actor)

    return gated


def safe_next(next_path: str) -> str:
    """A path of this Datasette only: never another host (`//evil`, `\\evil`) and never back to the form."""
    if next_path.startswith("/") and not next_path.startswith(("//", "/\\")) and not next_path.startswith(SIGN_IN):
        return next_path
    return "/"


async def sign_in_page(datasette: Any, request: Any) -> Any:
    """GET: the form. POST (Datasette has checked its CSRF token): check the password, open a session, go on."""
    from datasette.utils.asgi import Response

    settings: Settings = datasette._zhongtai_settings

    async def page(error: str = "", username: str = "", status: int = 200, next_path: str = "") -> Any:
        next_path = next_path or request.args.get("next", "")
        html = await datasette.render_template(
            "zhongtai_sign_in.html",
            {"error": error, "username": username, "next": next_path, "signed_in": None},
            request=request,
        )
        return Response.html(html, status=status)

    if request.method != "POST":
        return await page()
    form = await request.post_vars()
    username, password = form.get("username", "").strip(), form.get("password", "")
    next_path = form.get("next", "")
    address = (request.scope.get("client") or ("-",))[0]
    if not username or not password:
        return await page("请填写用户名和密码。", username, 400, next_path)
    if not sign_in_allowed(address, settings, username):
        record(settings, who=username, role="anonymous", action="datasette_sign_in_throttled")
        return await page("登录失败次数过多，请稍后再试。", username, 429, next_path)
    token, role = await asyncio.to_thread(_open_session, settings, username, password)
    if token is None:
        sign_in_failed(address, settings, username)
        record(settings, who=username, role=role or "anonymous", action="datasette_sign_in_failed")
        message = "此账号无权使用分析库。" if role else "用户名或密码错误，或账号已停用。"
        return await page(message, username, 403 if role else 401, next_path)
    record(settings, who=username, role=str(role), action="datasette_sign_in")
    response = Response.redirect(safe_next(next_path))
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


def _open_session(settings: Settings, username: str, password: str) -> tuple[str | None, str | None]:
    """(session token, role) when the password is right and the role may use Datasette; (None, role) when the role
    may not; (None, None) when the password is wrong or the account disabled."""
    with session_scope(settings) as db:
        account = accounts.authenticate(db, username, password)
        if account is None:
            return None, None
        if Role(account.role) not in ROLES:
            return None, account.role
        return accounts.start_session(db, account, settings), account.role


async def sign_out_page(datasette: Any, request: Any) -> Any:
    """GET: a button (a POST with Datasette's CSRF token, so no other site can sign you out). POST: end the session."""
    from datasette.utils.asgi import Response

    settings: Settings = datasette._zhongtai_settings
    actor = request.actor or {}
    if request.method != "POST":
        html = await datasette.render_template(
            "zhongtai_sign_in.html", {"signed_in": actor, "error": "", "username": "", "next": ""}, request=request
        )
        return Response.html(html)
    token = request.cookies.get(COOKIE)
    if token:
        await asyncio.to_thread(_end_session, settings, token)
        record(settings, who=actor.get("id", "-"), role=actor.get("role", "-"), action="datasette_sign_out")
    response = Response.redirect(SIGN_IN)
    response.set_cookie(COOKIE, "", max_age=0, httponly=True, samesite="lax", secure=settings.cookie_secure)
    return response


def _end_session(settings: Settings, token: str) -> None:
    with session_scope(settings) as db:
        accounts.end_session(db, token)

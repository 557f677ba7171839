"""Sign-in and sign-out pages (public: anyone may open the sign-in form), and the public home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import (
    LANDING,
    SESSION_COOKIE,
    CsrfChecked,
    MaybeSignedIn,
    client_address,
    record,
    sign_in_allowed,
    sign_in_failed,
)
from apis.deps import SettingsDep
from apis.operational import accounts
from apis.operational.db import session_scope
from apis.operational.models import Role
from apis.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(next_path: str, role: Role) -> str:
    """Only a path of this site, never another host (`//evil`), and only under the role's own pages."""
    landing = LANDING[role]
    if next_path.startswith(landing) and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return landing


@router.get("/")
def home(request: Request, principal: MaybeSignedIn) -> Response:
    """Public: what zhongtai is and where to go."""
    return render(request, "home.html", principal=principal, home=LANDING[principal.role] if principal else "/")


@router.get("/sign-in")
def sign_in_form(request: Request, principal: MaybeSignedIn, next: str = "") -> Response:
    """Public: the sign-in form; someone already signed in goes to their own page."""
    if principal is not None:
        return RedirectResponse(LANDING[principal.role], status_code=303)
    return render(request, "auth/sign_in.html", next=next, username="", error="")


@router.post("/sign-in", dependencies=[CsrfChecked])
def sign_in(
    request: Request,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Public: check the password (throttled per account and per address), open a session, go to the role's page."""

    def again(error: str, status_code: int) -> Response:
        return render(request, "auth/sign_in.html", next=next, username=username, error=error, status_code=status_code)

    if not username.strip() or not password:
        return again("请填写用户名和密码。", 400)  # not a guess: not counted against the account
    if not sign_in_allowed(client_address(request), settings, username):
        record(settings, who=username, role="anonymous", action="sign_in_throttled")
        return again("登录失败次数过多，请稍后再试。", 429)
    with session_scope(settings) as db:
        account = accounts.authenticate(db, username, password)
        if account is None:
            token = None
        else:
            token = accounts.start_session(db, account, settings)
            role = Role(account.role)
    if token is None:
        sign_in_failed(client_address(request), settings, username)
        record(settings, who=username, role="anonymous", action="sign_in_failed")
        return again("用户名或密码错误，或账号已停用。", 401)
    record(settings, who=username, role=role.value, action="sign_in")
    response = RedirectResponse(_safe_next(next, role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request, settings: SettingsDep) -> Response:
    """Public: end this browser's session, if any (a post with a CSRF token, so no other site can sign you out)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with session_scope(settings) as db:
            web = accounts.end_session(db, token)
            who = (web.account.username, web.account.role) if web is not None else None
        if who:
            record(settings, who=who[0], role=who[1], action="sign_out")
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

"""Self-registration of an enterprise (public): the enterprise, by its USCC, and its administrator's account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CsrfChecked, MaybeSignedIn, record
from apis.deps import SettingsDep
from apis.operational import accounts
from apis.operational.db import session_scope
from apis.templating import render

router = APIRouter(include_in_schema=False)

FIELDS = ("uscc", "name", "username", "contact_name", "contact_email", "contact_phone")


@router.get("/register")
def register_form(request: Request, principal: MaybeSignedIn) -> Response:
    """Public: the registration form."""
    return render(request, "enterprise/register.html", principal=principal, form={}, error="")


@router.post("/register", dependencies=[CsrfChecked])
def register(
    request: Request,
    principal: MaybeSignedIn,
    settings: SettingsDep,
    uscc: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    contact_name: Annotated[str, Form(max_length=100)] = "",
    contact_email: Annotated[str, Form(max_length=200)] = "",
    contact_phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Public: register; a bad or taken USCC, username or password shows the form again with the reason."""
    form = dict(zip(FIELDS, (uscc, name, username, contact_name, contact_email, contact_phone), strict=True))
    try:
        with session_scope(settings) as db:
            account = accounts.self_register(db, password=password, **form)
            who, code = account.username, account.scope
    except accounts.AccountError as exc:
        status = 409 if isinstance(exc, accounts.Taken) else 400
        return render(
            request, "enterprise/register.html", principal=principal, form=form, error=str(exc), status_code=status
        )
    record(settings, who=who, role="enterprise_admin", action="enterprise_registered", what={"uscc": code})
    return RedirectResponse("/sign-in?registered=1&next=/enterprise/", status_code=303)

"""The Jinja2 templates of every page: one base layout, the CSRF field and the signed-in person available to all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from apis.auth import CSRF_FIELD, Principal, csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["csrf_field"] = CSRF_FIELD


def render(
    request: Request, name: str, *, principal: Principal | None = None, status_code: int = 200, **context: Any
) -> Response:
    """A page; `principal` shows who is signed in (and the sign-out button) in the layout's header."""
    return templates.TemplateResponse(request, name, {"principal": principal, **context}, status_code=status_code)

"""What every audience's landing page shares: who is signed in, the scope they hold, what comes next."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from apis.auth import Principal
from apis.templating import render


def landing(
    request: Request,
    principal: Principal,
    *,
    heading: str,
    coming: list[str],
    scope_label: str = "",
    scope_value: str = "",
    template: str = "landing.html",
    links: list[tuple[str, str]] | None = None,
) -> Response:
    return render(
        request,
        template,
        principal=principal,
        heading=heading,
        coming=coming,
        scope_label=scope_label,
        scope_value=scope_value,
        links=links or [],
    )

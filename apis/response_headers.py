"""The headers every answer gets on its way out, as plain ASGI middleware (Starlette's BaseHTTPMiddleware cost every
request an extra task and memory stream): `X-Zhongtai-Stale`, and the CSRF cookie a page minted."""

from __future__ import annotations

from fastapi import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apis.auth import CSRF_COOKIE
from apis.deps import current_notice


class ResponseHeaders:
    """ASGI middleware (plain, not BaseHTTPMiddleware, which cost every request an extra task and stream): every
    answer says `X-Zhongtai-Stale` (and since when), and a page that rendered a form and minted a CSRF nonce
    (apis.auth.csrf_nonce) hands it to the browser as the cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                settings = scope["app"].state.settings
                headers = MutableHeaders(scope=message)
                notice = current_notice(settings.published_dir)
                headers["X-Zhongtai-Stale"] = "true" if notice.get("stale") else "false"
                if notice.get("stale") and notice.get("since"):
                    headers["X-Zhongtai-Stale-Since"] = str(notice["since"])
                nonce = scope.get("state", {}).get("csrf_new_nonce")
                if nonce:
                    cookie = Response()
                    cookie.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=settings.cookie_secure)
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_headers)

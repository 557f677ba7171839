"""The API's one error shape: a machine code, a Chinese and an English message, and the parameter at fault."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer of the JSON routes. `detail` (English, then Chinese in brackets) is always there, so
    a client written against FastAPI's plain `{"detail": …}` keeps working; the data routes fill the rest."""

    detail: str = Field(description="英文说明（中文说明） English message (Chinese message)")
    code: str | None = Field(default=None, description="机器可读的错误代码 machine-readable code, e.g. `unknown_field`")
    message_zh: str | None = Field(default=None, description="中文说明 Chinese message")
    message_en: str | None = Field(default=None, description="English message")
    param: str | None = Field(default=None, description="出错的参数或字段 the parameter or field at fault")


class ApiError(HTTPException):
    """An HTTPException that renders as ErrorBody; `param` names the offending parameter or field."""

    def __init__(
        self, status_code: int, code: str, en: str, zh: str, *, param: str | None = None, headers: Any = None
    ) -> None:
        super().__init__(status_code=status_code, detail=f"{en} ({zh})", headers=headers)
        self.body = ErrorBody(detail=f"{en} ({zh})", code=code, message_zh=zh, message_en=en, param=param)


async def api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body.model_dump(), status_code=exc.status_code, headers=exc.headers)


_WHAT = {
    304: "未修改：与 If-None-Match / If-Modified-Since 所给版本相同 Not modified since the version you hold",
    400: "请求参数有误（未知字段、运算符或取值不合法、游标伪造或不属于本查询）Bad request: unknown field, bad operator "
    "or value, forged or foreign cursor",
    401: "没有密钥，或密钥无效、已吊销、已过期 No valid API key",
    403: "该数据集需申请审批（有条件开放）This dataset needs an approved application",
    404: "未找到该数据集 Unknown dataset",
    409: "与已有登记冲突（如统一社会信用代码已登记）Conflicts with an existing registration",
    410: "游标所属的发布版本已不存在，请从第一页重新开始 The cursor's published version is gone; start again",
    429: "请求过于频繁，超过配额；`Retry-After` 给出等待秒数 Over the quota: wait `Retry-After` seconds",
    503: "尚未发布数据快照 No published snapshot yet",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the statuses a route can answer besides 200 (and FastAPI's own 422)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 304:
            out[status] = {"description": _WHAT[status]}
        else:
            out[status] = {"model": ErrorBody, "description": _WHAT[status]}
        if status == 429:
            out[status]["headers"] = QUOTA_HEADERS
    return out


_SECONDS = {"type": "string", "pattern": "^[0-9]+$"}
QUOTA_HEADERS: dict[str, Any] = {
    "Retry-After": {"description": "再过多少秒可重试 seconds to wait", "schema": _SECONDS},
    "RateLimit-Limit": {"description": "本窗口配额 requests allowed in the window", "schema": _SECONDS},
    "RateLimit-Remaining": {"description": "本窗口剩余 requests left in the window", "schema": _SECONDS},
    "RateLimit-Reset": {"description": "本窗口还剩多少秒 seconds until the window resets", "schema": _SECONDS},
}


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def document(
    routers: Iterable[APIRouter],
    *,
    snapshot: Callable[..., Any],
    key: Callable[..., Any],
    everywhere: Iterable[int] = (),
) -> None:
    """Add to every JSON route the answers its dependencies give: 503 where it reads the published snapshot, 401
    where it needs an API key, 401 and 403 where it needs a signed-in role (`apis.auth.require`), and `everywhere`
    (429: the quota counts every API route) — so the OpenAPI
    description lists them without each route repeating it. Call it before the routers are included (inclusion
    copies each route's responses)."""
    everywhere = tuple(everywhere)
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            calls = set(_calls(route.dependant))
            for status, dependency in ((503, snapshot), (401, key)):
                if dependency in calls and status not in route.responses:
                    route.responses[status] = responses(status)[status]
            if any(getattr(call, "role", None) is not None for call in calls):  # a signed-in role's JSON route
                for status, what in ((401, "未登录 Not signed in"), (403, "账号角色不符 Signed in with another role")):
                    route.responses.setdefault(status, {**responses(status)[status], "description": what})
            for status in everywhere:
                route.responses.setdefault(status, responses(status)[status])

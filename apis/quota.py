"""API quotas and usage: a fixed window per API key (or, without one, per client address), counted in the
operational database, with `RateLimit-*` headers on every answer and 429 + `Retry-After` past the limit.

Why the operational database: it is the one store every uvicorn worker already shares (and every host, once it is
PostgreSQL), so N workers count against one number instead of N. `limits` ships storages for memory, Redis,
Memcached, MongoDB and etcd but none for SQL, and zhongtai runs no Redis; one `insert … on conflict do update …
returning` per request is atomic on SQLite (one writer at a time, WAL) and on PostgreSQL (row lock), and hands back
the count and the window's end in one round trip. `limits` still parses the quota strings of the settings.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from limits import RateLimitItem, parse
from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apis.auth import _key_header, key_holder
from apis.deps import SettingsDep
from apis.errors import ApiError
from apis.operational.db import counter_scope
from apis.operational.models import QuotaWindow, UsageCount
from zhongtai.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Window:
    """Where a caller stands in its current window."""

    limit: int
    hits: int
    resets_at: float
    length: int  # seconds in a window

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.hits)

    def reset_in(self, at: float) -> int:
        # never more than a window: another worker may have opened it a moment after this request read its clock
        return max(1, min(self.length, math.ceil(self.resets_at - at)))

    def headers(self, at: float) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_in(at)),
        }


@lru_cache(maxsize=8)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


def _insert(db: Session) -> Any:
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def hit(db: Session, bucket: str, item: RateLimitItem, at: float) -> Window:
    """Count one request of `bucket`: a window that has ended starts again at this request."""
    table = QuotaWindow.__table__
    ends = at + item.get_expiry()
    over = table.c.resets_at <= at
    stmt = _insert(db)(table).values(bucket=bucket, hits=1, resets_at=ends)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.bucket],
        set_={
            "hits": case((over, 1), else_=table.c.hits + 1),
            "resets_at": case((over, ends), else_=table.c.resets_at),
        },
    ).returning(table.c.hits, table.c.resets_at)
    hits, resets_at = db.execute(stmt).one()
    if random.random() < 0.002:  # now and then, forget windows that ended long ago
        db.execute(delete(QuotaWindow).where(QuotaWindow.resets_at < at - 86400))
    return Window(item.amount, int(hits), float(resets_at), int(item.get_expiry()))


def enforce_quota(request: Request, settings: SettingsDep, secret: Annotated[str | None, Depends(_key_header)]) -> None:
    """Every API route's first dependency: count the request, 429 past the caller's quota."""
    holder = key_holder(request, settings, secret)
    if holder is not None:
        bucket, item = f"key:{holder.key_prefix}", _limit(settings.quota_keyed)
    else:
        address = request.client.host if request.client else "-"
        bucket, item = f"addr:{address}", _limit(settings.quota_anonymous)
    at = time.time()
    with counter_scope(settings) as db:
        window = hit(db, bucket, item, at)
    request.state.quota = (window, at)
    request.state.usage = (
        holder.key_prefix if holder else ANONYMOUS,
        holder.enterprise_id if holder else None,
        str(request.path_params.get("dataset_id", ""))[:100],
    )
    if window.hits > window.limit:
        wait = window.reset_in(at)
        raise ApiError(
            429,
            "over_quota",
            f"over the quota of {item}: wait {wait} s"
            + ("" if holder else ", or use an API key for a higher quota (register on /register)"),
            f"请求过于频繁，已超过配额（{item}），请 {wait} 秒后再试"
            + ("" if holder else "；使用接口密钥可获得更高配额"),
            headers={"Retry-After": str(wait), **window.headers(at)},
        )


def rows_served(request: Request, rows: int) -> None:
    """A route that reads records reports how many it served, for the usage counts."""
    request.state.rows_served = getattr(request.state, "rows_served", 0) + rows


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, SHANGHAI).date().isoformat()


def count_usage(settings: Settings, usage: tuple[str, int | None, str], rows: int, at: float) -> None:
    key_prefix, enterprise_id, dataset_id = usage
    table = UsageCount.__table__
    with counter_scope(settings) as db:
        stmt = _insert(db)(table).values(
            day=_day(at),
            key_prefix=key_prefix,
            dataset_id=dataset_id,
            enterprise_id=enterprise_id,
            requests=1,
            rows=rows,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.day, table.c.key_prefix, table.c.dataset_id],
            set_={"requests": table.c.requests + 1, "rows": table.c.rows + rows},
        )
        db.execute(stmt)


class QuotaHeaders:
    """ASGI middleware: the caller's `RateLimit-*` headers on every API answer, and the usage count of answered ones.
    A streamed export reports its rows while it streams, so the count waits for the body's end: it is written before
    the last chunk goes out, so a client that has the whole answer finds it counted (and also when it is cut short).
    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which ran every request through an extra task and stream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answered: list[int] = []  # the status, once the answer starts
        counted = False

        async def count() -> None:
            nonlocal counted
            state = scope.get("state", {})
            if counted or "usage" not in state or not answered or answered[0] >= 400:
                return
            counted = True
            rows = state.get("rows_served", 0)
            await run_in_threadpool(count_usage, scope["app"].state.settings, state["usage"], rows, time.time())

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])
                state = scope.get("state", {})
                if "quota" in state:
                    window, at = state["quota"]
                    headers = MutableHeaders(scope=message)
                    for name, value in window.headers(at).items():
                        headers.setdefault(name, value)
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                await count()
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            await count()  # an answer cut short still counts what it served

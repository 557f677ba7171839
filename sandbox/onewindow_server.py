"""The simulated one-window service's HTTP API: paged, incremental reads of onewindow.sqlite.

Two ways to page, as a well-built upstream offers them:
- page numbers (`page`, `page_size`; the answer has `total`): LIMIT/OFFSET, so each page is slower than the last;
- a keyset cursor: every answer's `next` is an opaque token for the rows after its last one (by updatedAt, then
  the key), sent back as `cursor`. Each page is one index range read, as fast as the first.
Both take `updated_since` (rows updated strictly after an instant).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import random
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from zhongtai.settings import Settings

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MAX_PAGE_SIZE = 1000

# path -> (table, key column); the key breaks ties between rows updated in the same second
RESOURCES = {
    "person-applications": ("person_applications", "applicationNo"),
    "enterprise-applications": ("enterprise_applications", "applicationNo"),
    "credit-records": ("credit_records", "recordNo"),
}


@dataclass(frozen=True)
class Faults:
    """Misbehaviour a real upstream shows; all off by default, switched on by tests of the pipeline's retries."""

    error_rate: float = 0.0  # share of data requests answered 503
    rate_limit_per_second: float = 0.0  # above this, requests get 429 with Retry-After; 0 means unlimited
    seed: int = 0


def onewindow_db(settings: Settings) -> Path:
    return settings.upstream / "onewindow" / "onewindow.sqlite"


def _since(value: str | None) -> str | None:
    """Normalise an ISO timestamp to the stored form (+08:00, seconds) so comparing strings compares instants."""
    if value is None:
        return None
    text = value.strip()
    if "T" in text and " " in text:
        text = text.replace(" ", "+")  # an unescaped '+' in a query string arrives as a space
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"updated_since is not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def encode_cursor(resource: str, updated_at: str, key: str | int) -> str:
    """The opaque `next` token: the resource and the (updatedAt, key) of the last row served."""
    raw = json.dumps([resource, updated_at, key], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(resource: str, token: str) -> tuple[str, str | int]:
    """(updatedAt, key) of a token this resource issued; 400 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        name, updated_at, key = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise HTTPException(400, f"cursor is not a token this service issued: {token[:80]!r}") from None
    if name != resource or not isinstance(updated_at, str) or not isinstance(key, str | int):
        raise HTTPException(400, f"cursor was issued for another resource or is damaged: {token[:80]!r}")
    return updated_at, key


def create_app(settings: Settings, faults: Faults | None = None) -> FastAPI:
    """The app reads the database per request, read-only, so a regenerated database is picked up at once."""
    app = FastAPI(title="一门式政务服务平台（模拟）", version="1")
    db_path = onewindow_db(settings)

    if faults and (faults.error_rate or faults.rate_limit_per_second):
        rng = random.Random(faults.seed)
        lock = threading.Lock()
        window: list[float] = []

        @app.middleware("http")
        async def misbehave(request: Request, call_next: Any) -> Any:
            if request.url.path.startswith("/api/"):
                with lock:
                    now = time.monotonic()
                    window[:] = [t for t in window if now - t < 1.0]
                    if faults.rate_limit_per_second and len(window) >= faults.rate_limit_per_second:
                        return JSONResponse({"detail": "rate limited"}, status_code=429, headers={"Retry-After": "1"})
                    window.append(now)
                    fail = rng.random() < faults.error_rate
                if fail:
                    return JSONResponse({"detail": "upstream unavailable"}, status_code=503)
            return await call_next(request)

    def connect() -> sqlite3.Connection:
        if not db_path.exists():
            raise HTTPException(503, "one-window database not generated yet: run `zhongtai sandbox generate`")
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        return con

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "database": db_path.exists()}

    def make_route(resource: str, table: str, key: str) -> Any:
        def read(
            updated_since: Annotated[
                str | None, Query(description="ISO 8601 timestamp; rows updated strictly after it")
            ] = None,
            page: Annotated[int, Query(ge=1)] = 1,
            page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 500,
            cursor: Annotated[
                str | None, Query(description="the `next` token of the previous answer: keyset paging, no page")
            ] = None,
        ) -> dict[str, Any]:
            since = _since(updated_since)
            where: list[str] = ["updatedAt > ?"] if since else []
            params: list[str | int] = [since] if since else []
            if cursor is not None:
                if page != 1:
                    raise HTTPException(400, "page and cursor cannot be combined: follow `next` alone")
                where.append(f"(updatedAt, {key}) > (?, ?)")
                params += list(decode_cursor(resource, cursor))
            clause = f"WHERE {' AND '.join(where)}" if where else ""
            con = connect()
            try:
                # one row more than the page says whether another page follows, without counting
                rows = con.execute(
                    f"SELECT * FROM {table} {clause} ORDER BY updatedAt, {key} LIMIT ? OFFSET ?",
                    [*params, page_size + 1, (page - 1) * page_size],
                ).fetchall()
                total = None
                if cursor is None:
                    total = con.execute(f"SELECT count(*) FROM {table} {clause}", params).fetchone()[0]
            finally:
                con.close()
            items = [dict(r) for r in rows[:page_size]]
            has_more = len(rows) > page_size
            last = items[-1] if items and has_more else None
            answer: dict[str, Any] = {
                "items": items,
                "page_size": page_size,
                "has_more": has_more,
                "next": encode_cursor(resource, last["updatedAt"], last[key]) if last else None,
            }
            if cursor is None:
                answer |= {"page": page, "total": total}
            return answer

        return read

    for path, (table, key) in RESOURCES.items():
        app.add_api_route(f"/api/v1/{path}", make_route(path, table, key), methods=["GET"], name=table)
    return app


def serve(settings: Settings, faults: Faults | None = None) -> None:
    import uvicorn

    uvicorn.run(create_app(settings, faults), host=settings.host, port=settings.sandbox_port, log_level="warning")

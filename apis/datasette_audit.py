"""Every query a signed-in analyst runs in Datasette goes into the hash-chained audit log, with the person keys of
the rows it returned.

How rows are found: each database's `execute` (the one door through which Datasette runs table views, arbitrary SQL,
canned queries, row pages, facets and dashboard charts) is wrapped on the instance. While a request runs, the wrapper
collects the statements and every returned value shaped like a key (a short run of letters, digits, `-` or `_`;
`zhongtai.keys` makes 24 hex digits), whatever its column is called, so an alias, a join or a CTE does not hide one.
When the response has been sent, the candidates are looked up in the published persons table (named in the
metadata's plugin config, indexed on its key): those found are the `person_keys` of the request's single audit
entry, which `zhongtai audit who-looked-at` reads. A request that ran no statement (a static file, the sign-in form)
is not audited.

A table page reads one row past the page to know whether there is a next one; that row's person is listed too: the
audit may over-report by that row, it never misses one. Every request answers at most `max_returned_rows` rows (CSV
streaming of a whole table is switched off in `apis.datasette.datasette_command`), so an entry names at most that
many keys per statement; paging is more requests.
"""

from __future__ import annotations

import asyncio
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from apis.datasette_sign_in import ASGIApp, Scope
from zhongtai import audit
from zhongtai.settings import Settings
from zhongtai.sql import quote_identifier

KEY_SHAPE = re.compile(r"[0-9A-Za-z_-]{8,64}")
MAX_SQL_CHARS = 2000
CHUNK = 500  # keys per lookup (SQLite allows 999 parameters in old builds)


@dataclass
class Capture:
    """What one request made Datasette run."""

    statements: dict[str, str] = field(default_factory=dict)  # sql → database (insertion-ordered, deduplicated)
    candidates: dict[str, set[str]] = field(default_factory=dict)  # database → values shaped like a key
    rows: int = 0


_current: ContextVar[Capture | None] = ContextVar("zhongtai_datasette_capture", default=None)


def watch(database: Any) -> None:
    """Wrap one Datasette `Database`'s `execute` so the current request's capture sees its statements and rows."""
    original = database.execute
    name = database.name

    async def execute(sql: str, *args: Any, **kwargs: Any) -> Any:
        results = await original(sql, *args, **kwargs)
        capture = _current.get()
        if capture is not None:
            capture.statements.setdefault(sql.strip()[:MAX_SQL_CHARS], name)
            found = capture.candidates.setdefault(name, set())
            for row in results.rows:
                capture.rows += 1
                found.update(v for v in row if isinstance(v, str) and KEY_SHAPE.fullmatch(v))
        return results

    database.execute = execute
    database._zhongtai_unwatched_execute = original


async def person_keys(datasette: Any, capture: Capture, person_table: dict[str, str]) -> list[str]:
    """The candidates that are keys of published persons (none when the version publishes no persons table)."""
    table, column = person_table.get("table"), person_table.get("column", "person_key")
    found: set[str] = set()
    for name, candidates in capture.candidates.items():
        if not candidates:
            continue
        db = datasette.databases.get(name)
        if db is None or not table or not await db.table_exists(table):
            continue
        execute = getattr(db, "_zhongtai_unwatched_execute", db.execute)
        values = sorted(candidates)
        for i in range(0, len(values), CHUNK):
            chunk = values[i : i + CHUNK]
            sql = (
                f"select {quote_identifier(column)} from {quote_identifier(table)} "
                f"where {quote_identifier(column)} in ({', '.join('?' * len(chunk))})"
            )
            found.update(r[0] for r in (await execute(sql, chunk)).rows)
    return sorted(found)


def auditor(datasette: Any, settings: Settings, person_table: dict[str, str]) -> Any:
    """The `on_actor` step of the sign-in gate: run the request under a capture, then write its audit entry."""

    async def audited(app: ASGIApp, scope: Scope, receive: Any, send: Any, actor: dict[str, str]) -> None:
        capture = Capture()
        status = {"code": 0}

        async def watching_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        token = _current.set(capture)
        try:
            await app(scope, receive, watching_send)
        finally:
            _current.reset(token)
            if capture.statements:
                keys = await person_keys(datasette, capture, person_table)
                what = {
                    "channel": "datasette",
                    "path": scope["path"],
                    "params": dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"))),
                    "status": status["code"],
                    "databases": sorted(set(capture.statements.values())),
                    "sql": list(capture.statements),
                    "rows": capture.rows,
                    "person_keys": keys,
                }
                await asyncio.to_thread(
                    audit.append,
                    audit.log_path(settings.root),
                    who=actor["id"],
                    role=actor["role"],
                    purpose="analysis",
                    action="datasette_query",
                    what=what,
                )

    return audited

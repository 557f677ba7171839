"""Typed API dependencies: settings, the published snapshot resolved per request, a read-only connection to it,
and a unit of work on the operational database."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from apis.errors import ApiError
from apis.operational.db import session_scope
from catalog.channels import STORED_IN_KEY_ORDER
from zhongtai.notice import notice_path, read_notice
from zhongtai.settings import Settings

NO_SNAPSHOT = "no published snapshot yet: run the pipeline's publish step first"
NO_SNAPSHOT_ZH = "尚未发布数据快照，请先运行发布"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _settings(request: Request) -> Settings:
    """get_settings as a dependency: async, so FastAPI answers it in the event loop instead of handing it to a
    worker thread and back (a sync dependency costs a thread hop per request)."""
    return get_settings(request)


SettingsDep = Annotated[Settings, Depends(_settings)]


@dataclass(frozen=True)
class Snapshot:
    """One published version; its files never change once `current` points at it."""

    path: Path
    version: str
    created_at: str
    datasets: dict[str, dict[str, Any]]


@lru_cache(maxsize=16)
def _load_snapshot(path: str) -> Snapshot:
    catalog = json.loads((Path(path) / "catalog.json").read_text(encoding="utf-8"))
    return Snapshot(
        path=Path(path),
        version=catalog["version"],
        created_at=catalog["created_at"],
        datasets={d["id"]: d for d in catalog["datasets"]},
    )


def _complete(real: str) -> bool:
    return all(os.path.isfile(os.path.join(real, name)) for name in ("catalog.json", "serving.duckdb"))


def get_snapshot(settings: SettingsDep) -> Snapshot:
    """Resolve `current` now, so a request reads one version start to end even if publish switches it meanwhile."""
    real = os.path.realpath(settings.current_snapshot)
    if not _complete(real):
        raise ApiError(503, "no_snapshot", NO_SNAPSHOT, NO_SNAPSHOT_ZH)
    return _load_snapshot(real)


def snapshot_at(settings: Settings, version: str) -> Snapshot | None:
    """A published version by name (a cursor pins one), or None when it is not there (any more)."""
    published = os.path.realpath(settings.published_dir)
    real = os.path.realpath(os.path.join(published, version))
    if os.path.dirname(real) != published or not _complete(real):
        return None
    return _load_snapshot(real)


@lru_cache(maxsize=4)
def _serving_database(path: str, _identity: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published serving file and process, kept open: opening the file was most of a
    records request's time (bench/serving.py). `_identity` (device, inode, mtime) keys the cache to the file itself,
    so a version folder replaced under the same name is opened afresh. An evicted connection's database stays open
    while a request still reads from one of its cursors."""
    con = duckdb.connect(path, read_only=True)
    # DuckDB's default, said out loud: a table stored in key order is read in key order without a sort (key_ordered)
    con.execute("set preserve_insertion_order = true")
    return con


_serving_lock = threading.Lock()


def open_serving(snapshot: Snapshot) -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the snapshot's serving database (its own connection to the shared, already open
    database, so requests in other threads run beside it); the caller closes it."""
    path = str(snapshot.path / "serving.duckdb")
    found = os.stat(path)
    with _serving_lock:
        con = _serving_database(path, (found.st_dev, found.st_ino, found.st_mtime_ns)).cursor()
    con.execute("set TimeZone = 'Asia/Shanghai'")
    return con


@lru_cache(maxsize=16)
def _key_ordered(path: str, _identity: tuple[int, int, int]) -> frozenset[str]:
    con = _serving_database(path, _identity).cursor()
    try:
        found = con.execute("select table_name from duckdb_tables() where comment = ?", [STORED_IN_KEY_ORDER])
        return frozenset(r[0] for r in found.fetchall())
    finally:
        con.close()


def key_ordered(snapshot: Snapshot) -> frozenset[str]:
    """The snapshot's serving tables stored in primary-key order (catalog.channels.STORED_IN_KEY_ORDER); a table
    published before the serving writer sorted them is not among them and is read with its ORDER BY."""
    path = str(snapshot.path / "serving.duckdb")
    found = os.stat(path)
    with _serving_lock:
        return _key_ordered(path, (found.st_dev, found.st_ino, found.st_mtime_ns))


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


def get_serving(snapshot: SnapshotDep) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the snapshot's serving database, closed after the request."""
    con = open_serving(snapshot)
    try:
        yield con
    finally:
        con.close()


ServingDep = Annotated[duckdb.DuckDBPyConnection, Depends(get_serving)]


class Notice(dict):  # type: ignore[type-arg]
    """published/status.json: whether the snapshot served is stale because a newer publish was refused."""

    @property
    def stale(self) -> bool:
        return bool(self.get("stale"))


_notices: dict[Path, tuple[tuple[int, int, int] | None, dict[str, Any]]] = {}


def current_notice(published_dir: Path) -> dict[str, Any]:
    """published/status.json as read_notice() gives it, parsed again only when the file changed: every response
    carries its `X-Zhongtai-Stale`, and a stat costs far less than reading and parsing JSON. The notice is replaced
    by a rename (zhongtai.files.atomic_write), so a new one always has a new inode."""
    try:
        found = os.stat(notice_path(published_dir))
        identity: tuple[int, int, int] | None = (found.st_ino, found.st_mtime_ns, found.st_size)
    except FileNotFoundError:
        identity = None
    cached = _notices.get(published_dir)
    if cached is None or cached[0] != identity:
        cached = (identity, read_notice(published_dir))
        _notices[published_dir] = cached
    return cached[1]


def get_notice(settings: SettingsDep) -> Notice:
    return Notice(current_notice(settings.published_dir))


NoticeDep = Annotated[Notice, Depends(get_notice)]


def get_operational(settings: SettingsDep) -> Iterator[Session]:
    """A unit of work on the operational database, committed before the response leaves (scope="function"), so
    the next request of the same browser already sees it."""
    with session_scope(settings) as db:
        yield db


OperationalDb = Annotated[Session, Depends(get_operational, scope="function")]

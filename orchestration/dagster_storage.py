"""Dagster's SQLite run and event-log storage, with each database's connections kept for the life of the process.

Dagster's own SQLite storages build a new SQLAlchemy engine for every statement they run (`NullPool`, disposed
after use): every event a run stores — a `tiny` run stores about 3,000, and its asset checks look up their targets'
latest materialisations hundreds of times — costs a new engine, a new SQLite connection and a fresh compilation of
its INSERT, since SQLAlchemy caches compiled statements per engine. Profiled on a `tiny` refresh, that bookkeeping took
about a third of the run process's CPU. These subclasses keep one engine per database file (the run history, the
cross-run index and the current runs' event logs; a few at a time), so a connection is reused and each statement
compiled once. Nothing else changes: the same files, schema and transactions, so `dagster dev` and a run of the
previous storage read them alike. SQLite's locking works per transaction, not per connection, so the webserver
reading while the run writes is as before.

dagster.yaml names these classes; `base_dir` defaults to where Dagster's defaults put them under DAGSTER_HOME.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

# Engines kept open per storage: the index and the run histories of the runs being written or read now.
KEPT_ENGINES = 4


class _Engines:
    """At most `KEPT_ENGINES` engines by connection string, least recently used disposed first."""

    def __init__(self) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conn_string: str) -> Engine:
        with self._lock:
            engine = self._engines.pop(conn_string, None)
            if engine is None:
                engine = create_engine(conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            self._engines[conn_string] = engine
            while len(self._engines) > KEPT_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    def dispose(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


def _base_dir(config: dict[str, Any], *under: str) -> str:
    return str(config.get("base_dir") or os.path.join(os.environ["DAGSTER_HOME"], *under))


class _Pooled:
    """What both storages add to Dagster's: a base_dir setting, and their kept engines disposed of with them."""

    _engines: _Engines

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    def dispose(self) -> None:
        self._engines.dispose()
        super().dispose()  # type: ignore[misc]


class PooledSqliteEventLogStorage(_Pooled, SqliteEventLogStorage):
    """Dagster's per-run SQLite event logs and their cross-run index, with connections kept per file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines = _Engines()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledSqliteEventLogStorage:
        return cls(_base_dir(dict(config_value or {}), "history", "runs"), inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def wipe(self) -> None:
        self._engines.dispose()  # the run files are deleted: no connection may keep one open
        super().wipe()


class PooledSqliteRunStorage(_Pooled, SqliteRunStorage):
    """Dagster's SQLite run history, with its connections kept."""

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines = _Engines()
        super().__init__(conn_string, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Any) -> PooledSqliteRunStorage:
        return cls.from_local(_base_dir(dict(config_value or {}), "history"), inst_data=inst_data)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engines.get(self._conn_string).connect() as conn, conn.begin():
            yield conn

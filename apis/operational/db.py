"""Open the operational database (SQLite in WAL mode by default, PostgreSQL by URL) and migrate it with Alembic."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from zhongtai.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the pages read while a sign-in writes; foreign keys are off in SQLite unless asked for;
    # busy_timeout makes a second worker wait for the write lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma journal_mode=wal")
    cursor.execute("pragma foreign_keys=on")
    cursor.execute("pragma busy_timeout=10000")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per database URL and process."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def engine(settings: Settings) -> Engine:
    return engine_for(settings.operational_url)


@lru_cache(maxsize=8)
def _sessionmaker(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A unit of work: committed when the block ends normally, rolled back when it raises."""
    with _sessionmaker(settings.operational_url)() as session, session.begin():
        yield session


def _counter_pragmas(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma synchronous=normal")
    cursor.close()


@lru_cache(maxsize=8)
def _counter_sessionmaker(url: str) -> sessionmaker[Session]:
    """Sessions for counters: on SQLite their own pool, whose connections commit with synchronous=NORMAL."""
    if make_url(url).get_backend_name() != "sqlite":
        return _sessionmaker(url)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _counter_pragmas)
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def counter_scope(settings: Settings) -> Iterator[Session]:
    """A unit of work for the per-request counters (quota windows, usage counts), committed without waiting for the
    disk: with the default synchronous=FULL each of the two commits of every API request waited for an fsync of the
    WAL (about 2 ms each on an idle disk, far more on a busy one). A crashed process loses nothing and the database
    stays whole either way; only an OS crash or power cut could forget the last counts. Registrations, keys and
    applications keep their fsync (session_scope). PostgreSQL: `synchronous_commit = off` for the transaction."""
    with _counter_sessionmaker(settings.operational_url)() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("set local synchronous_commit to off"))
        yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # A literal % in a password would otherwise be read as configparser interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run at every start (a database at head is left alone), also by
    several workers at once: SQLite's are serialised by a lock file beside it, PostgreSQL's by an advisory lock."""
    url = settings.operational_url
    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or not database or database == ":memory:":
        command.upgrade(alembic_config(url), revision)
        return
    lock = Path(database).with_suffix(".migrate.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            command.upgrade(alembic_config(url), revision)
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def current_revision(settings: Settings) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine(settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

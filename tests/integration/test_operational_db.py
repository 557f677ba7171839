"""The operational database, the same tests on SQLite (WAL) and on a throwaway PostgreSQL cluster: migrations up
from empty, accounts, sessions that expire, enterprises by USCC, hashed API keys, no plaintext secret stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from stdnum.cn import uscc as stdnum_uscc

from apis.operational import accounts
from apis.operational.db import alembic_config, current_revision, engine, session_scope, upgrade
from apis.operational.models import Account, Base, Enterprise, Role, WebSession
from tests.support.operational import fresh_postgres_database, postgres_cluster
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

VILLAGE = "440604010001"
PASSWORD = "correct-horse-battery-7"


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "data")
    url = fresh_postgres_database(request.getfixturevalue("postgres"))
    return Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    upgrade(settings)
    return settings


def test_migrations_run_up_from_empty_match_the_models_and_run_down_again(settings: Settings) -> None:
    from alembic import command

    assert current_revision(settings) is None
    upgrade(settings)
    assert current_revision(settings) is not None
    tables = set(inspect(engine(settings)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    # The migrations build exactly what the models describe (raises if autogenerate would find a difference).
    command.check(alembic_config(settings.operational_url))
    upgrade(settings)  # at head already: nothing to do, no error
    command.downgrade(alembic_config(settings.operational_url), "base")
    assert not set(Base.metadata.tables) & set(inspect(engine(settings)).get_table_names())
    upgrade(settings)
    assert set(Base.metadata.tables) <= set(inspect(engine(settings)).get_table_names())


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    upgrade(settings)
    assert settings.operational_url.endswith("/operational.sqlite")
    with engine(settings).connect() as con:
        assert con.execute(text("pragma journal_mode")).scalar() == "wal"
        assert con.execute(text("pragma foreign_keys")).scalar() == 1


def test_an_account_signs_in_with_its_password_only_and_not_once_disabled(migrated: Settings) -> None:
    with session_scope(migrated) as db:
        accounts.add_account(db, username="li", role=Role.cadre, password=PASSWORD, scope=VILLAGE, display_name="李")
    with session_scope(migrated) as db:
        assert accounts.authenticate(db, "li", PASSWORD) is not None
        assert accounts.authenticate(db, "li", PASSWORD + "x") is None
        assert accounts.authenticate(db, "nobody", PASSWORD) is None
        accounts.set_disabled(db, "li")
    with session_scope(migrated) as db:
        assert accounts.authenticate(db, "li", PASSWORD) is None


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.cadre, None),
        (Role.cadre, "440604999999"),  # not a village of the district
        (Role.department_reviewer, ""),
        (Role.enterprise_admin, "91440604MA4DEM010B"),  # wrong check character
        (Role.steward, VILLAGE),  # a steward has no scope
    ],
)
def test_an_account_needs_the_scope_its_role_requires(migrated: Settings, role: Role, scope: str | None) -> None:
    with pytest.raises(accounts.AccountError), session_scope(migrated) as db:
        accounts.add_account(db, username="x", role=role, password=PASSWORD, scope=scope)
    with session_scope(migrated) as db:
        assert db.scalar(select(Account).where(Account.username == "x")) is None


def test_sessions_end_when_idle_too_long_too_old_at_sign_out_or_when_the_password_changes(migrated: Settings) -> None:
    with session_scope(migrated) as db:
        account = accounts.add_account(db, username="wang", role=Role.steward, password=PASSWORD)
        idle, old, out, pw = (accounts.start_session(db, account, migrated) for _ in range(4))
    with session_scope(migrated) as db:
        for token in (idle, old, out, pw):
            web = accounts.resume_session(db, token, migrated)
            assert web is not None and web.created_at.tzinfo is not None
        sessions = {w.token_hash: w for w in db.scalars(select(WebSession))}
        at = datetime.now(UTC)
        sessions[accounts.sha256(idle)].last_seen_at = at - timedelta(minutes=migrated.session_idle_minutes + 1)
        sessions[accounts.sha256(old)].expires_at = at - timedelta(seconds=1)
        accounts.end_session(db, out)
    with session_scope(migrated) as db:
        assert accounts.resume_session(db, idle, migrated) is None
        assert accounts.resume_session(db, old, migrated) is None
        assert accounts.resume_session(db, out, migrated) is None
        assert accounts.resume_session(db, "not-a-token", migrated) is None
        assert accounts.resume_session(db, pw, migrated) is not None
        accounts.set_password(db, "wang", "another-password-9")
    with session_scope(migrated) as db:
        assert accounts.resume_session(db, pw, migrated) is None


def test_enterprises_register_by_a_valid_uscc_once(migrated: Settings) -> None:
    code = make_uscc("9", "1", "440604", "MA51TEXT")
    assert stdnum_uscc.is_valid(code)  # an independent implementation agrees it is valid
    with session_scope(migrated) as db:
        enterprise = accounts.register_enterprise(db, uscc=code.lower(), name="佛山测试有限公司")
        assert enterprise.uscc == code
    for bad in (code[:-1] + ("0" if code[-1] != "0" else "1"), "123", ""):
        assert not stdnum_uscc.is_valid(bad)
        with pytest.raises(accounts.AccountError), session_scope(migrated) as db:
            accounts.register_enterprise(db, uscc=bad, name="假公司")
    with pytest.raises(accounts.AccountError), session_scope(migrated) as db:
        accounts.register_enterprise(db, uscc=code, name="重复登记")


def test_api_keys_work_until_revoked_or_expired_and_only_their_owner_revokes_them(migrated: Settings) -> None:
    with session_scope(migrated) as db:
        mine = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51AAAA"), name="甲公司")
        other = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51BBBB"), name="乙公司")
        live = accounts.issue_key(db, mine, name="生产")
        expired = accounts.issue_key(db, mine, expires_at=datetime.now(UTC) - timedelta(seconds=1))
        revoked = accounts.issue_key(db, mine)
        assert live.secret.startswith(live.key.prefix)
    with session_scope(migrated) as db, pytest.raises(accounts.AccountError):
        accounts.revoke_key(db, other, revoked.key.prefix)
    with session_scope(migrated) as db:
        accounts.revoke_key(db, mine, revoked.key.prefix)
    with session_scope(migrated) as db:
        found = accounts.find_key(db, live.secret)
        assert found is not None and found.enterprise.name == "甲公司"
        assert accounts.find_key(db, expired.secret) is None
        assert accounts.find_key(db, revoked.secret) is None
        assert accounts.find_key(db, live.secret + "x") is None


def test_no_password_or_key_secret_is_stored_in_plain_text(migrated: Settings) -> None:
    with session_scope(migrated) as db:
        accounts.add_account(
            db,
            username="ent",
            role=Role.enterprise_admin,
            password=PASSWORD,
            scope=accounts.DEMO_ENTERPRISE_USCC,
            display_name="示范",
        )
        account = accounts.authenticate(db, "ent", PASSWORD)
        assert account is not None
        token = accounts.start_session(db, account, migrated)
        secret = accounts.issue_key(db, db.scalars(select(Enterprise)).one()).secret
    dumped = []
    with engine(migrated).connect() as con:
        for table in Base.metadata.sorted_tables:
            dumped += [str(value) for row in con.execute(table.select()) for value in row]
    assert dumped
    assert any(v.startswith("$argon2id$") for v in dumped)
    for plain in (PASSWORD, token, secret):
        assert not any(plain in value for value in dumped)
    if migrated.database_url is None:  # SQLite: not in the file's bytes either, WAL included
        files = Path(migrated.root).glob("operational.sqlite*")
        for path in files:
            for plain in (PASSWORD, token, secret):
                assert plain.encode() not in path.read_bytes(), path


def test_the_served_app_signs_people_in_and_out_on_this_database(migrated: Settings) -> None:
    """The same app under uvicorn, on SQLite and on PostgreSQL (ZHONGTAI_DATABASE_URL)."""
    import os

    import httpx

    from tests.support.operational import form_token, served_api, sign_in

    with session_scope(migrated) as db:
        accounts.add_account(db, username="zhao", role=Role.steward, password=PASSWORD, display_name="赵管理员")
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(migrated.root)}
    if migrated.database_url:
        env["ZHONGTAI_DATABASE_URL"] = migrated.database_url
    with served_api(env) as base:
        client = sign_in(base, "zhao", PASSWORD)
        page = client.get("/steward/")
        assert page.status_code == 200 and "赵管理员" in page.text
        assert client.post("/sign-out", data={"csrf_token": form_token(client, "/steward/")}).status_code == 303
        with httpx.Client(base_url=base, cookies=dict(client.cookies), timeout=30) as after:
            assert after.get("/steward/", follow_redirects=False).status_code == 303
        client.close()
    with session_scope(migrated) as db:
        account = accounts.get_account(db, "zhao")
        assert account.last_sign_in_at is not None and account.last_sign_in_at.tzinfo is not None
        assert all(w.ended_at is not None for w in db.scalars(select(WebSession)))

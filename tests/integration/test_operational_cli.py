"""`zhongtai users …`, `zhongtai db upgrade` and the demo's accounts, run as a steward would from a shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from apis.operational import accounts
from apis.operational.db import alembic_config, current_revision, session_scope
from apis.operational.models import Role
from zhongtai import audit
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

ZHONGTAI = str(Path(sys.executable).parent / "zhongtai")


def zhongtai(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(data), "COLUMNS": "200"}
    return subprocess.run([ZHONGTAI, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_users_are_added_listed_disabled_and_given_new_passwords(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    upgraded = zhongtai(data, "db", "upgrade")
    head = ScriptDirectory.from_config(alembic_config(settings.operational_url)).get_current_head()
    assert upgraded.returncode == 0 and f"revision {head}" in upgraded.stdout, upgraded.stdout + upgraded.stderr
    assert current_revision(settings) == head

    added = zhongtai(data, "users", "add", "lihua", "--role", "cadre", "--scope", "440604010001", "--name", "李华")
    assert added.returncode == 0, added.stdout + added.stderr
    password = re.search(r"password: (\S+)", added.stdout)
    assert password
    with session_scope(settings) as db:
        assert accounts.authenticate(db, "lihua", password.group(1)) is not None

    for bad in (
        ["users", "add", "x", "--role", "cadre", "--scope", "110101001001"],  # not a village of the district
        ["users", "add", "x", "--role", "mayor"],
        ["users", "add", "lihua", "--role", "steward"],  # taken
        ["users", "disable", "nobody"],
    ):
        refused = zhongtai(data, *bad)
        assert refused.returncode == 1 and "✗" in refused.stdout and "Traceback" not in refused.stderr, bad

    listed = zhongtai(data, "users", "list")
    assert "lihua" in listed.stdout and "440604010001" in listed.stdout and "1 accounts" in listed.stdout

    assert zhongtai(data, "users", "disable", "lihua").returncode == 0
    with session_scope(settings) as db:
        assert accounts.authenticate(db, "lihua", password.group(1)) is None
    assert zhongtai(data, "users", "disable", "lihua", "--enable").returncode == 0
    changed = zhongtai(data, "users", "passwd", "lihua")
    new_password = re.search(r"new password for lihua: (\S+)", changed.stdout)
    assert new_password and new_password.group(1) != password.group(1)
    with session_scope(settings) as db:
        assert accounts.authenticate(db, "lihua", password.group(1)) is None
        assert accounts.authenticate(db, "lihua", new_password.group(1)) is not None

    log = audit.log_path(settings.root)
    assert audit.verify(log).ok
    actions = log.read_text(encoding="utf-8").splitlines()
    assert len(actions) == 4  # added, disabled, enabled, password changed; refusals change nothing
    assert all(password.group(1) not in line and new_password.group(1) not in line for line in actions)


def test_the_demo_gets_one_account_per_role_with_a_fresh_password_each_time(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    from apis.operational.db import upgrade

    upgrade(settings)
    with session_scope(settings) as db:
        first = {a.role: (a.username, p) for a, p in accounts.demo_accounts(db)}
    with session_scope(settings) as db:
        second = {a.role: (a.username, p) for a, p in accounts.demo_accounts(db)}
    assert set(first) == {r.value for r in Role}
    with session_scope(settings) as db:
        for role, (username, password) in second.items():
            assert first[role][1] != password
            assert accounts.authenticate(db, username, first[role][1]) is None
            account = accounts.authenticate(db, username, password)
            assert account is not None and account.role == role

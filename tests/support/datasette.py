"""Datasette started for real, on a free port, over a publish of the fixture warehouse, behind zhongtai's sign-in."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from apis.datasette import datasette_command, datasette_env
from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.api import published_copy
from tests.support.pipeline import free_port, wait_for_http
from zhongtai.settings import Settings

PASSWORD = "analyst-password-1"
CSRF = re.compile(r'name="csrftoken" value="([^"]+)"')


def published_fixture(data: Path, dbt_manifest: Path) -> Settings:
    """A data directory whose `current` snapshot is a publish of tests/fixtures/marts/warehouse.sql (a copy of one
    made once per test run)."""
    return published_copy(data, dbt_manifest)


def account(settings: Settings, username: str, role: Role, password: str = PASSWORD) -> str:
    """An account in the data directory's operational database (made once); returns its username."""
    upgrade(settings)
    with session_scope(settings) as db:
        try:
            accounts.get_account(db, username)
        except accounts.AccountError:
            scopes = {
                Role.department_reviewer: "区民政局",
                Role.cadre: min(accounts.village_names()),
                Role.enterprise_admin: accounts.DEMO_ENTERPRISE_USCC,
            }
            scope = scopes.get(role)
            accounts.add_account(db, username=username, role=role, password=password, scope=scope)
    return username


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD, next_path: str = "") -> httpx.Response:
    """Post Datasette's sign-in form the way a browser does (its CSRF token from the form and the cookie)."""
    form = client.get("/-/sign-in")
    token = CSRF.search(form.text)
    assert token, form.text
    data = {"csrftoken": token[1], "username": username, "password": password, "next": next_path}
    return client.post("/-/sign-in", data=data)


def browser_sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form in a browser page already on it (after a redirect to it, say)."""
    assert "/-/sign-in" in page.url, page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()


@contextmanager
def served_datasette(settings: Settings, *, role: Role | None = Role.analyst) -> Iterator[httpx.Client]:
    """A client on `apis.datasette.datasette_command` started on a free port, signed in as an account of `role`
    (anonymous when None); stopped on leaving."""
    port = free_port()
    command = datasette_command(settings, port=port)
    proc = subprocess.Popen(command, env={**os.environ, **datasette_env(settings)}, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            wait_for_http(client, "/-/sign-in", proc)
            if role is not None:
                signed = sign_in(client, account(settings, f"test-{role.value}", role))
                assert signed.status_code == 302, signed.text
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""Who may read what, through the real app served by uvicorn: a role × route matrix over every route of the app
(anonymous, each role, a wrong-scope account, a disabled account, an expired session, valid / revoked / expired
keys), CSRF on forms, sign-in throttling, sign-out, and the audit trail of it all."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from apis.auth import LANDING, route_table
from apis.main import create_app
from apis.operational import accounts, challenge
from apis.operational.db import session_scope, upgrade
from apis.operational.models import DataApplication, Role, WebSession
from tests.support.api import NO_QUOTA
from tests.support.operational import form_token, served_api, sign_in
from zhongtai import audit
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

VILLAGE, OTHER_VILLAGE = "440604010001", "440604010002"
PASSWORD = "a-long-test-password-1"
ENTERPRISE_USCC = make_uscc("9", "1", "440604", "MA51AAAA")
ENTERPRISE_KEY = "zt_0badc0de"  # the prefix of a key of the signed-in enterprise (made in `callers`)
APPLICATION_ID = 1  # the signed-in enterprise's application to the reviewer's department (made in `callers`)
NEED_ID = 1  # the reviewer's department's data need (made in `base`)
# Marks only the owner of a page may see: the owner's name and village must not reach anyone else.
OWNER_NAMES = {"cadre": "甲村干部张三丰", "village": accounts.village_names()[VILLAGE]}


@dataclass
class Caller:
    name: str
    role: Role | None = None  # the role of the account behind the cookie, if the cookie is live
    scope: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    key: str | None = None
    key_valid: bool = False
    key_uscc: str | None = None

    def client(self, base: str) -> httpx.Client:
        headers = {"X-API-Key": self.key} if self.key else {}
        return httpx.Client(base_url=base, cookies=self.cookies, headers=headers, timeout=30, follow_redirects=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("access") / "data"


@pytest.fixture(scope="module")
def env(data: Path) -> dict[str, str]:
    return {**os.environ, "ZHONGTAI_DATA_DIR": str(data), "DO_NOT_TRACK": "1", **NO_QUOTA}


@pytest.fixture(scope="module")
def settings(data: Path) -> Settings:
    return Settings(data_dir=data)


@pytest.fixture(scope="module")
def base(env: dict[str, str], settings: Settings) -> Iterator[str]:
    upgrade(settings)
    with session_scope(settings) as db:
        people = [
            ("cadre", Role.cadre, VILLAGE, OWNER_NAMES["cadre"]),
            ("cadre-other", Role.cadre, OTHER_VILLAGE, "乙村干部"),
            ("reviewer", Role.department_reviewer, "区民政局", "民政审核员"),
            ("steward", Role.steward, None, "管理员"),
            ("analyst", Role.analyst, None, "分析员"),
            ("enterprise", Role.enterprise_admin, ENTERPRISE_USCC, "甲公司"),
            ("disabled", Role.steward, None, "停用者"),
            ("expired", Role.analyst, None, "过期者"),
        ]
        for username, role, scope, name in people:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope, display_name=name)
        # A data need of the reviewer's department, for the challenge's routes (揭榜挂帅, issue 10).
        need = challenge.publish_need(
            db,
            department="区民政局",
            title="需求",
            description="d",
            datasets=["village"],
            deadline=date(2099, 1, 1),
            by="r",
        )
        assert need.id == NEED_ID
    with served_api(env) as url:
        yield url


@pytest.fixture(scope="module")
def callers(base: str, settings: Settings) -> list[Caller]:
    found = [Caller("anonymous")]
    for username, role, scope in [
        ("cadre", Role.cadre, VILLAGE),
        ("cadre-other", Role.cadre, OTHER_VILLAGE),
        ("reviewer", Role.department_reviewer, "区民政局"),
        ("steward", Role.steward, None),
        ("analyst", Role.analyst, None),
        ("enterprise", Role.enterprise_admin, None),
    ]:
        with closing(sign_in(base, username, PASSWORD)) as client:
            found.append(Caller(username, role, scope, dict(client.cookies)))
    with closing(sign_in(base, "disabled", PASSWORD)) as client:
        found.append(Caller("disabled account", cookies=dict(client.cookies)))
    with closing(sign_in(base, "expired", PASSWORD)) as client:
        found.append(Caller("expired session", cookies=dict(client.cookies)))
    with session_scope(settings) as db:
        accounts.set_disabled(db, "disabled")
        # The expired session: unused for longer than the idle limit.
        expired = db.scalars(select(WebSession).where(WebSession.account_id == accounts.get_account(db, "expired").id))
        for web in expired:
            web.last_seen_at = datetime.now(UTC) - timedelta(minutes=settings.session_idle_minutes + 5)
        own = accounts.issue_key(db, accounts.register_enterprise(db, uscc=ENTERPRISE_USCC, name="", exist_ok=True))
        own.key.prefix = ENTERPRISE_KEY  # a known prefix, so the matrix can name it in the revoke URL
        mine = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51CCCC"), name="丙公司")
        theirs = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51DDDD"), name="丁公司")
        live = accounts.issue_key(db, mine).secret
        other = accounts.issue_key(db, theirs).secret
        revoked = accounts.issue_key(db, mine)
        accounts.revoke_key(db, mine, revoked.key.prefix)
        expired_key = accounts.issue_key(db, mine, expires_at=datetime.now(UTC) - timedelta(minutes=1)).secret
        # An application of the signed-in enterprise to the reviewer's department, for the pages that show one.
        application = DataApplication(
            enterprise_id=own.key.enterprise_id,
            dataset_id="credit_record",
            department="区民政局",
            purpose="测试",
            fields="record_key",
            expires_at=datetime.now(UTC) + timedelta(days=30),
            applied_by="enterprise",
        )
        db.add(application)
        db.flush()
        assert application.id == APPLICATION_ID
    found += [
        Caller("key", key=live, key_valid=True, key_uscc=mine.uscc),
        Caller("another enterprise's key", key=other, key_valid=True, key_uscc=theirs.uscc),
        Caller("revoked key", key=revoked.secret),
        Caller("expired key", key=expired_key),
        Caller("forged key", key="zt_00000000_" + "A" * 43),
    ]
    return found


# Parameters naming things this module never makes (an upload's problem sheet, a correction): its own role is told
# they do not exist (404); every other caller is judged as on any route.
MADE_UP = {
    "{sha256}": "0" * 64,
    "{correction_id}": "999999",
    "{version}": "v20000101T000000Z",
    "{uscc}": make_uscc("9", "1", "440604", "MA5XXXXX"),
}


def every_route(settings: Settings) -> list[tuple[str, str, Role | str | None]]:
    """(method, path with its parameters filled for the cadre of VILLAGE, role) for every route of the app."""
    found = []
    for route in route_table(create_app(settings)):
        if "/forms" in route.path:  # the form pages need registered forms: their matrix is in test_forms_registry
            continue
        path = route.path.replace("{village_code}", VILLAGE).replace("{dataset_id}", "enterprise_directory")
        path = path.replace("{prefix}", ENTERPRISE_KEY).replace("{application_id}", str(APPLICATION_ID))
        path = path.replace("{need_id}", str(NEED_ID))
        for parameter, made_up in MADE_UP.items():
            path = path.replace(parameter, made_up)
        assert "{" not in path, f"a parameter the matrix does not know how to fill: {route.path}"
        found += [(method, path, route.role) for method in sorted(route.methods) if method != "HEAD"]
    # Signing out ends the caller's session: last, so every other route still sees the callers as they are.
    return sorted(found, key=lambda r: r[1] == "/sign-out")


def test_every_route_declares_a_role_or_says_it_is_public(settings: Settings) -> None:
    routes = route_table(create_app(settings))
    assert len(routes) >= 20
    undeclared = [
        route.path
        for route in routes
        if route.role is None
        and route.path != "/openapi.json"  # FastAPI's own: the API description is public by nature
        and not (route.endpoint.__doc__ or "").startswith("Public")
    ]
    assert not undeclared, f"routes with no role whose docstring does not say they are public: {undeclared}"


def test_nothing_is_readable_beyond_the_role(base: str, callers: list[Caller], settings: Settings) -> None:
    routes = every_route(settings)
    assert {r for _, _, r in routes} >= {*Role, "api_key", None}
    failures = []
    for method, path, role in routes:
        for caller in callers:
            with caller.client(base) as client:
                data = None
                if method == "POST":
                    data = {"csrf_token": form_token(client)}
                response = client.request(method, path, data=data)
            problem = judge(caller, role, path, response)
            if problem:
                failures.append(f"{method} {path} as {caller.name}: {problem} ({response.status_code})")
    assert not failures, "\n".join(failures)


def judge(caller: Caller, role: Role | str | None, path: str, response: httpx.Response) -> str | None:
    """What is wrong with this answer to this caller, or None."""
    status, location = response.status_code, unquote(response.headers.get("location", ""))
    if role is None:
        if status in (401, 403) and path != "/sign-in":
            return "a public route refused a caller"
        if location.startswith("/sign-in?next="):
            return "a public route asked for sign-in"
        return None
    if role == "api_key":
        if caller.key_valid and path == "/v1/whoami":
            if status != 200 or response.json().get("uscc") != caller.key_uscc:
                return "a valid key was refused or answered for another enterprise"
        elif caller.key_valid:  # the key routes' own answers are judged in test_open_data_access.py
            if status == 401 or (status >= 500 and status != 503):  # 503: nothing is published in this module
                return "a valid key was refused"
        elif status != 401:
            return "read without a valid key"
        return None
    assert isinstance(role, Role)
    if caller.role is None:
        return None if status == 303 and location == f"/sign-in?next={path}" else "not sent to sign in"
    leaked = [mark for mark in OWNER_NAMES.values() if mark in response.text and caller.name != "cadre"]
    if caller.role is not role:
        if status != 403:
            return "another role got past"
        return f"a refusal showed {leaked}" if leaked else None
    if caller.scope is not None and caller.scope != VILLAGE and VILLAGE in path:
        if status != 404:
            return "a wrong-scope account got another village's page"
        return f"a wrong-scope refusal showed {leaked}" if leaked else None
    if caller.scope is not None and caller.scope != VILLAGE and leaked:
        return f"a wrong-scope account saw {leaked}"
    if status == 303:
        return None if location.startswith(LANDING[role]) else f"sent outside its pages to {location}"
    if status == 404 and any(made_up in path for made_up in MADE_UP.values()):
        return f"a 404 showed {leaked}" if leaked else None
    # 400: a form of the role's own posted empty (the matrix sends only the CSRF token) and answered with its reason.
    return None if status in (200, 400) else "the role's own page failed"


def test_forms_refuse_a_post_without_a_token_or_with_a_forged_or_foreign_one(base: str, settings: Settings) -> None:
    forged = URLSafeTimedSerializer("not-our-secret", salt="zhongtai-csrf")
    with httpx.Client(base_url=base, timeout=30) as browser, httpx.Client(base_url=base, timeout=30) as other:
        token = form_token(browser)
        foreign = form_token(other)  # a real token, but issued to another browser
        login = {"username": "steward", "password": PASSWORD}
        refused = browser.post("/sign-in", data=login)
        # A person gets a page that says what happened; a program gets JSON.
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
        assert "表单已失效" in refused.text
        assert browser.get("/v1/whoami").json()["detail"].startswith("需要接口密钥")
        assert browser.post("/sign-in", data={**login, "csrf_token": "x"}).status_code == 403
        nonce = browser.cookies["zhongtai_csrf"]
        assert browser.post("/sign-in", data={**login, "csrf_token": forged.dumps(nonce)}).status_code == 403
        assert browser.post("/sign-in", data={**login, "csrf_token": foreign}).status_code == 403
        assert "zhongtai_session" not in browser.cookies
        signed_in = browser.post("/sign-in", data={**login, "csrf_token": token}, follow_redirects=False)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/steward/"
        # Sign-out is a form too: without a token the session survives.
        assert browser.post("/sign-out").status_code == 403
        assert browser.get("/steward/", follow_redirects=False).status_code == 200


def test_sign_out_ends_the_session_on_the_server(base: str) -> None:
    client = sign_in(base, "analyst", PASSWORD)
    cookie = client.cookies["zhongtai_session"]
    assert client.post("/sign-out", data={"csrf_token": form_token(client, "/analyst/")}).status_code == 303
    # Even a copy of the old cookie no longer signs anyone in.
    with httpx.Client(base_url=base, cookies={"zhongtai_session": cookie}, timeout=30) as replay:
        assert replay.get("/analyst/", follow_redirects=False).status_code == 303


def test_a_next_parameter_cannot_send_a_person_off_site_or_into_another_role(base: str) -> None:
    for next_path, landing in [
        ("//evil.example/x", "/cadre/"),
        ("https://evil.example/", "/cadre/"),
        ("/steward/", "/cadre/"),
    ]:
        with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
            token = form_token(client)
            response = client.post(
                "/sign-in", data={"username": "cadre", "password": PASSWORD, "csrf_token": token, "next": next_path}
            )
            assert response.headers["location"] == landing


def test_sign_ins_and_sign_outs_are_in_the_audit_log(base: str, settings: Settings) -> None:
    client = sign_in(base, "reviewer", PASSWORD)
    client.post("/sign-out", data={"csrf_token": form_token(client, "/department/")})
    path = audit.log_path(settings.root)
    assert audit.verify(path).ok
    entries = [e for e in map(json.loads, path.read_text().splitlines()) if e["who"] == "reviewer"]
    assert [e["action"] for e in entries][-2:] == ["sign_in", "sign_out"]
    assert all(PASSWORD not in line for line in path.read_text().splitlines())


def test_repeated_failed_sign_ins_are_throttled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    upgrade(settings)
    with session_scope(settings) as db:
        accounts.add_account(db, username="target", role=Role.steward, password=PASSWORD)
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(data), "ZHONGTAI_SIGN_IN_LIMIT": "3/minute"}
    with served_api(env) as url, httpx.Client(base_url=url, timeout=30, follow_redirects=False) as client:
        token = form_token(client)
        codes = [
            client.post(
                "/sign-in", data={"username": "target", "password": f"wrong-{i}", "csrf_token": token}
            ).status_code
            for i in range(3)
        ]
        assert codes == [401, 401, 401]
        # Now even the right password waits: the attacker cannot tell a hit from a miss.
        right = client.post("/sign-in", data={"username": "target", "password": PASSWORD, "csrf_token": token})
        assert right.status_code == 429
    actions = [e["action"] for e in map(json.loads, audit.log_path(data.resolve()).read_text().splitlines())]
    assert actions.count("sign_in_failed") == 3 and "sign_in_throttled" in actions


def test_an_enterprise_issues_a_key_once_uses_it_and_revokes_only_its_own(base: str, settings: Settings) -> None:
    with session_scope(settings) as db:
        other = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51EEEE"), name="戊公司")
        foreign = accounts.issue_key(db, other)
    client = sign_in(base, "enterprise", PASSWORD)
    issued = client.post("/enterprise/keys", data={"csrf_token": form_token(client, "/enterprise/"), "name": "测试"})
    assert issued.status_code == 200
    secret = re.search(r'<code id="new-key">([^<]+)</code>', issued.text)
    assert secret
    with httpx.Client(base_url=base, headers={"X-API-Key": secret.group(1)}, timeout=30) as program:
        assert program.get("/v1/whoami").json()["uscc"] == ENTERPRISE_USCC
        # The secret is shown once: the page shows only prefixes afterwards.
        assert secret.group(1) not in client.get("/enterprise/").text
        token = form_token(client, "/enterprise/")
        assert (
            client.post(f"/enterprise/keys/{foreign.key.prefix}/revoke", data={"csrf_token": token}).status_code == 404
        )
        prefix = secret.group(1)[: len(accounts.KEY_PREFIX) + 8]  # "zt_" and 8 hex digits, as the page lists it
        revoked = client.post(f"/enterprise/keys/{prefix}/revoke", data={"csrf_token": token})
        assert revoked.status_code == 303
        assert program.get("/v1/whoami").status_code == 401
    with session_scope(settings) as db:
        assert accounts.find_key(db, foreign.secret) is not None
    entries = [json.loads(line) for line in audit.log_path(settings.root).read_text().splitlines()]
    assert [e["action"] for e in entries if e["what"].get("key_prefix") == prefix] == [
        "api_key_issued",
        "api_key_revoked",
    ]

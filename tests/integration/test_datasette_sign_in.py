"""Datasette behind zhongtai's sign-in, started for real: anonymous callers get the sign-in page only (JSON included),
only analysts and stewards get in, sessions end, and every query is audited with the person keys it returned."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from apis.datasette_sign_in import COOKIE
from apis.operational.accounts import set_disabled, sha256
from apis.operational.db import session_scope
from apis.operational.models import Role, WebSession, now
from tests.support.datasette import account, published_fixture, served_datasette, sign_in
from zhongtai import audit
from zhongtai.cli import app

pytestmark = pytest.mark.integration

DATA_URLS = [
    "/",
    "/analyst",
    "/analyst/person_profile",
    "/analyst/person_profile/pk000001",
    "/analyst?sql=select+person_key+from+person_profile",
    "/analyst/residents_by_village_and_status",
    "/-/dashboards/grid-governance",
    "/-/metadata",
    "/-/actor",
]
JSON_URLS = [
    "/analyst/person_profile.json",
    "/analyst/person_profile.csv",
    "/analyst.json?sql=select+person_key+from+person_profile",
    "/analyst/residents_by_village_and_status.json",
    "/analyst/person_profile/pk000001.json",
    "/-/metadata.json",
    "/-/versions.json",
    "/-/databases.json",
    "/analyst/person_profile?_format=json",
]


def test_anonymous_callers_get_the_sign_in_page_only(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    with served_datasette(settings, role=None) as client:
        for url in DATA_URLS:
            answer = client.get(url)
            assert answer.status_code == 302, url
            assert answer.headers["location"] == f"/-/sign-in?next={quote(url, safe='')}", url
            assert answer.text == f'<a href="{answer.headers["location"]}">登录</a>', url  # a link, no data
        for url in JSON_URLS:
            answer = client.get(url)
            assert answer.status_code == 401, url
            refusal = answer.json()  # the way to the form, and nothing else
            assert refusal == {"ok": False, "error": "需要登录 (sign-in required)", "sign_in": refusal["sign_in"]}
            assert refusal["sign_in"].startswith("/-/sign-in?next=")
        form = client.get("/-/sign-in")
        assert form.status_code == 200 and "登录分析库" in form.text and 'name="csrftoken"' in form.text
        # followed, every redirect ends on that form
        assert "登录分析库" in client.get("/analyst/person_profile", follow_redirects=True).text


def test_sign_in_checks_password_role_and_csrf(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    analyst = account(settings, "ana", Role.analyst)
    steward = account(settings, "stew", Role.steward)
    others = [account(settings, f"other-{r.value}", r) for r in Role if r not in (Role.analyst, Role.steward)]
    with served_datasette(settings, role=None) as client:
        wrong = sign_in(client, analyst, "not-the-password")
        assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text and COOKIE not in wrong.cookies
        for other in others:  # cadres, reviewers, enterprises: a right password, the wrong role
            refused = sign_in(client, other)
            assert refused.status_code == 403 and "无权使用分析库" in refused.text and COOKIE not in refused.cookies
        # Datasette's own CSRF check: a post without the form's token is refused before the password is looked at
        forged = client.post("/-/sign-in", data={"username": analyst, "password": "analyst-password-1"})
        assert forged.status_code == 403 and COOKIE not in forged.cookies
        assert client.get("/analyst/person_profile.json").status_code == 401
        # a steward may use the analyst database too, and lands where it was going
        went = sign_in(client, steward, next_path="/analyst/village_profile")
        assert went.status_code == 302 and went.headers["location"] == "/analyst/village_profile"
        assert client.get("/-/actor.json").json()["actor"] == {"id": "stew", "role": "steward", "display": "stew"}
        # never onward to another host
        client.cookies.clear()
        assert sign_in(client, analyst, next_path="//evil.example/").headers["location"] == "/"
    log = audit.log_path(settings.root)
    actions = [(e["who"], e["action"]) for e in map(json.loads, log.read_text(encoding="utf-8").splitlines())]
    assert ("ana", "datasette_sign_in_failed") in actions
    assert all((other, "datasette_sign_in_failed") in actions for other in others)
    assert ("stew", "datasette_sign_in") in actions and ("ana", "datasette_sign_in") in actions


def test_sessions_end_on_sign_out_expiry_and_disable(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    with served_datasette(settings) as client:
        assert client.get("/analyst/village_profile.json").status_code == 200
        token = client.cookies[COOKIE]
        with session_scope(settings) as db:  # the session outlives its maximum age
            db.execute(
                update(WebSession)
                .where(WebSession.token_hash == sha256(token))
                .values(expires_at=now() - timedelta(seconds=1))
            )
        assert client.get("/analyst/village_profile.json").status_code == 401
        assert sign_in(client, "test-analyst").status_code == 302
        assert client.get("/analyst/village_profile.json").status_code == 200
        with session_scope(settings) as db:
            set_disabled(db, "test-analyst")
        assert client.get("/analyst/village_profile.json").status_code == 401
        with session_scope(settings) as db:
            set_disabled(db, "test-analyst", False)
        assert sign_in(client, "test-analyst").status_code == 302
        out = client.get("/-/sign-out")
        assert out.status_code == 200 and "退出登录" in out.text
        token = out.text.split('name="csrftoken" value="')[1].split('"')[0]
        assert client.post("/-/sign-out", data={"csrftoken": token}).status_code == 302
        assert client.get("/analyst/village_profile.json").status_code == 401


def test_every_query_is_audited_with_the_person_keys_it_returned(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    log = audit.log_path(settings.root)
    with served_datasette(settings) as client:
        before = len(log.read_text(encoding="utf-8").splitlines())
        # a table view, filtered: three people of one household size and village
        table = client.get(
            "/analyst/person_profile.json",
            params={"village_code": "440604001001", "_sort": "person_key", "_size": 3, "_shape": "array"},
        ).json()
        # arbitrary SQL hiding the key behind an alias and a join
        sql = (
            "select p.person_key as k, l.org_key from person_profile p join person_enterprise_link l "
            "on l.person_key = p.person_key where l.org_key = 'ok000042'"
        )
        aliased = client.get("/analyst.json", params={"sql": sql, "_shape": "array"}).json()
        # a canned query, as an HTML page
        canned = client.get("/analyst/roles_of_person", params={"person_key": "pk000099"})
        # a table with no person in it
        villages = client.get("/analyst/village_profile.json", params={"_size": 2})
        assert canned.status_code == 200 and villages.status_code == 200
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()[before:]]
    queries = [e for e in entries if e["action"] == "datasette_query"]
    assert all(e["who"] == "test-analyst" and e["role"] == "analyst" for e in queries)
    by_path = {(e["what"]["path"], e["what"]["params"].get("sql", "")): e["what"] for e in queries}
    shown = by_path[("/analyst/person_profile.json", "")]
    # a table page reads one row past the page, to know whether there is a next one: that person is listed too
    # (an over-report, never a miss)
    assert len(table) == 3 and shown["person_keys"][:3] == [r["person_key"] for r in table]
    assert len(shown["person_keys"]) == 4
    assert shown["params"]["village_code"] == "440604001001" and shown["status"] == 200
    assert any('from "person_profile"' in s or "from person_profile" in s for s in shown["sql"])
    assert by_path[("/analyst.json", sql)]["person_keys"] == [aliased[0]["k"]] == ["pk000042"]
    assert by_path[("/analyst/roles_of_person", "")]["person_keys"] == ["pk000099"]
    assert by_path[("/analyst/village_profile.json", "")]["person_keys"] == []
    assert audit.verify(log).ok
    # `zhongtai audit who-looked-at` finds the analyst's queries that returned the person, and no other
    looked = CliRunner().invoke(app, ["audit", "who-looked-at", "pk000042", "--data-dir", str(settings.root)])
    assert looked.exit_code == 0, looked.output
    assert "test-analyst" in looked.output and "datasette_query" in looked.output
    assert "1 access(es) to pk000042" in looked.output

"""Open data for enterprises, access part, through the real app on a publish of the fixture warehouse: enterprises
register themselves, apply for a conditional dataset, the owning department approves or rejects, an approved key reads
only the approved fields until the expiry; usage and audit; and the key matrix — anonymous, keyed without approval,
approved, expired approval, revoked key, expired key, another enterprise's key — × every route of the app."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from apis.auth import route_table
from apis.deps import get_snapshot
from apis.main import create_app
from apis.operational import accounts, applications
from apis.operational.db import session_scope, upgrade
from apis.operational.models import DataApplication, Role
from tests.support.api import published_settings, serve, warehouse_rows
from tests.support.operational import form_token, sign_in
from zhongtai import audit
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "a-long-test-password-1"
DATASET = "credit_record"  # conditional (有条件开放) in the real project's catalog
OWNER = "区政务服务数据管理局"  # its owning department
GRANTED = ["record_key", "record_no", "decided_on"]
VILLAGE = "440604010001"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    settings = published_settings(tmp_path_factory.mktemp("open_access"), dbt_manifest)
    upgrade(settings)
    with session_scope(settings) as db:
        for username, scope in (("credit-reviewer", OWNER), ("other-reviewer", "区民政局")):
            accounts.add_account(db, username=username, role=Role.department_reviewer, password=PASSWORD, scope=scope)
    return settings


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    for client in serve(settings):
        yield str(client.base_url)


def audit_entries(settings: Settings) -> list[dict[str, Any]]:
    path = audit.log_path(settings.root)
    assert audit.verify(path).ok
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def new_key(client: httpx.Client) -> str:
    """Take a key on the enterprise page, as a person would; the page shows it once."""
    page = client.post("/enterprise/keys", data={"csrf_token": form_token(client, "/enterprise/"), "name": "程序"})
    found = re.search(r'<code id="new-key">([^<]+)</code>', page.text)
    assert page.status_code == 200 and found, page.text[:300]
    return found.group(1)


def test_an_enterprise_registers_through_the_api_once_with_a_valid_uscc(base: str) -> None:
    uscc = make_uscc("9", "1", "440604", "MA5REG01")
    body = {"uscc": uscc.lower(), "name": "注册甲公司", "username": "reg-a", "password": PASSWORD}
    with httpx.Client(base_url=base, timeout=30) as api:
        made = api.post("/v1/enterprises", json=body)
        assert made.status_code == 201 and made.json()["uscc"] == uscc, made.text
        again = api.post("/v1/enterprises", json={**body, "username": "reg-a2"})
        assert again.status_code == 409 and again.json()["code"] == "already_registered"
        assert "已登记" in again.json()["message_zh"] and "already registered" in again.json()["message_en"]
        bad = api.post("/v1/enterprises", json={**body, "uscc": uscc[:-1] + ("0" if uscc[-1] != "0" else "1")})
        assert bad.status_code == 400 and "统一社会信用代码无效" in bad.json()["message_zh"]
        assert "invalid USCC" in bad.json()["message_en"]
        short = api.post(
            "/v1/enterprises", json={**body, "uscc": make_uscc("9", "1", "440604", "MA5REG02"), "password": "short"}
        )
        assert short.status_code == 400 and "10" in short.json()["message_en"]
        # Nothing of the refused attempts was kept: the second code is still free.
        ok = {**body, "uscc": make_uscc("9", "1", "440604", "MA5REG02"), "username": "reg-b"}
        assert api.post("/v1/enterprises", json=ok).status_code == 201
    # The administrator signs in and lands on the enterprise's page.
    client = sign_in(base, "reg-a", PASSWORD)
    assert "注册甲公司" in client.get("/enterprise/").text


def test_an_enterprise_registers_on_the_form_and_a_duplicate_is_refused(base: str, settings: Settings) -> None:
    uscc = make_uscc("9", "1", "440604", "MA5FQRM1")
    form = {"uscc": uscc, "name": "表单公司", "username": "form-admin", "password": PASSWORD, "contact_name": "李四"}
    with httpx.Client(base_url=base, timeout=30) as browser:
        made = browser.post("/register", data={**form, "csrf_token": form_token(browser, "/register")})
        assert made.status_code == 303 and made.headers["location"].startswith("/sign-in")
        again = browser.post(
            "/register", data={**form, "username": "form-2", "csrf_token": form_token(browser, "/register")}
        )
        assert again.status_code == 409 and "该统一社会信用代码已登记" in again.text
        assert "表单公司" in again.text  # the form keeps what was typed
    assert "表单公司" in sign_in(base, "form-admin", PASSWORD).get("/enterprise/").text
    assert "enterprise_registered" in [e["action"] for e in audit_entries(settings) if e["who"] == "form-admin"]


def _register(base: str, org: str, name: str, username: str) -> tuple[httpx.Client, str]:
    with httpx.Client(base_url=base, timeout=30) as api:
        body = {"uscc": make_uscc("9", "1", "440604", org), "name": name, "username": username, "password": PASSWORD}
        assert api.post("/v1/enterprises", json=body).status_code == 201
    client = sign_in(base, username, PASSWORD)
    return client, new_key(client)


def _apply(client: httpx.Client, fields: list[str], until: date, purpose: str = "为小微企业提供信用评估") -> int:
    token = form_token(client, "/enterprise/")
    form = {
        "csrf_token": token,
        "dataset_id": DATASET,
        "purpose": purpose,
        "fields": fields,
        "until": until.isoformat(),
    }
    made = client.post("/enterprise/applications", data=form)
    assert made.status_code == 303, made.text[:500]
    return int(made.headers["location"].rsplit("/", 1)[1])


def test_apply_decide_and_read_only_the_approved_fields_until_expiry(base: str, settings: Settings) -> None:
    firm, key = _register(base, "MA5FLQW1", "流程甲公司", "flow-a")
    rival, rival_key = _register(base, "MA5FLQW2", "流程乙公司", "flow-b")
    read = f"/v1/conditional/{DATASET}/records"
    program = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)

    refused = program.get(read)
    assert refused.status_code == 403 and refused.json()["code"] == "no_application"
    assert "未申请" in refused.json()["message_zh"]

    # Bad applications are refused with their reason and leave nothing behind.
    token = form_token(firm, "/enterprise/")
    for form, message in [
        ({"dataset_id": DATASET, "purpose": "", "fields": ["record_no"], "until": "2030-01-01"}, "请写明用途"),
        ({"dataset_id": DATASET, "purpose": "x", "fields": ["record_no"], "until": "明年"}, "YYYY-MM-DD"),
        ({"dataset_id": DATASET, "purpose": "x", "fields": ["nope"], "until": "2027-01-01"}, "没有字段"),
        ({"dataset_id": "grid_event", "purpose": "x", "fields": ["event_no"], "until": "2027-01-01"}, "不受理申请"),
    ]:
        answer = firm.post("/enterprise/applications", data={**form, "csrf_token": token})
        assert answer.status_code == 400 and message in answer.text, (form, answer.text[:300])
    assert program.get("/v1/applications").json() == []

    today = datetime.now(UTC).date()
    mine = _apply(firm, ["record_no", "decided_on"], today + timedelta(days=30))
    assert "待审核" in firm.get(f"/enterprise/applications/{mine}").text
    pending = program.get(read)
    assert pending.status_code == 403 and pending.json()["code"] == "application_pending"

    # Only the owning department decides; another department's reviewer finds nothing.
    other = sign_in(base, "other-reviewer", PASSWORD)
    assert other.get(f"/department/applications/{mine}").status_code == 404
    other_token = form_token(other, "/department/applications/")
    assert other.post(f"/department/applications/{mine}/approve", data={"csrf_token": other_token}).status_code == 404
    assert "流程甲公司" not in other.get("/department/applications/").text

    reviewer = sign_in(base, "credit-reviewer", PASSWORD)
    assert "流程甲公司" in reviewer.get("/department/applications/").text
    assert "/department/applications/" in reviewer.get("/department/").text  # linked from the department's page
    token = form_token(reviewer, f"/department/applications/{mine}")
    approved = reviewer.post(f"/department/applications/{mine}/approve", data={"csrf_token": token})
    assert approved.status_code == 303
    again = reviewer.post(f"/department/applications/{mine}/approve", data={"csrf_token": token})
    assert again.status_code == 400 and "不能再审" in again.text

    # The key now reads the approved fields (the primary key joins them) and nothing else.
    first = program.get(read, params={"limit": 1000, "total": "true"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["fields"] == GRANTED and body["application_id"] == mine
    truth = dict(warehouse_rows(settings, "select record_key, record_no from marts.credit_record"))
    records, page = list(body["records"]), body
    while page["next_cursor"]:
        page = program.get(read, params={"limit": 1000, "total": "true", "cursor": page["next_cursor"]}).json()
        records += page["records"]
    assert body["total"] == len(records) == len(truth)
    assert {r["record_key"]: r["record_no"] for r in records} == truth
    assert all(set(r) == set(GRANTED) for r in records)
    for params, param in [
        ({"fields": "record_no,authority"}, "fields"),
        ({"filter": "authority:eq:区市场监督管理局"}, "filter"),
        ({"sort": "-published_from"}, "sort"),
    ]:
        outside = program.get(read, params=params)
        assert outside.status_code == 403 and outside.json()["code"] == "field_not_granted", outside.text
        assert outside.json()["param"] == param and "获批" in outside.json()["message_zh"]
    unknown = program.get(read, params={"fields": "subject_key"})  # not even published to enterprises
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_field"
    narrowed = program.get(read, params={"fields": "record_no", "filter": f"record_no:eq:{records[0]['record_no']}"})
    assert narrowed.json()["records"] == [{"record_no": records[0]["record_no"]}]
    # Open datasets are read on their own route.
    assert program.get("/v1/conditional/grid_event/records").status_code == 404

    # Someone else's application is not found, through the API and on the page.
    assert program.get(f"/v1/applications/{mine}").json()["status"] == "approved"
    with httpx.Client(base_url=base, headers={"X-API-Key": rival_key}, timeout=30) as theirs:
        assert theirs.get(f"/v1/applications/{mine}").status_code == 404
        assert theirs.get("/v1/applications").json() == []
        assert theirs.get(read).json()["code"] == "no_application"
    assert rival.get(f"/enterprise/applications/{mine}").status_code == 404

    # A rejection needs a reason, and the enterprise reads it.
    theirs_id = _apply(rival, ["record_no"], today + timedelta(days=10))
    token = form_token(reviewer, f"/department/applications/{theirs_id}")
    no_reason = reviewer.post(f"/department/applications/{theirs_id}/reject", data={"csrf_token": token})
    assert no_reason.status_code == 400 and "驳回须写明理由" in no_reason.text
    rejected = reviewer.post(
        f"/department/applications/{theirs_id}/reject", data={"csrf_token": token, "reason": "用途与数据无关"}
    )
    assert rejected.status_code == 303
    assert "用途与数据无关" in rival.get(f"/enterprise/applications/{theirs_id}").text
    with httpx.Client(base_url=base, headers={"X-API-Key": rival_key}, timeout=30) as theirs:
        refusal = theirs.get(read).json()
        assert refusal["code"] == "application_rejected" and "用途与数据无关" in refusal["message_zh"]

    # Past its expiry the grant reads nothing.
    with session_scope(settings) as db:
        db.get(DataApplication, mine).expires_at = datetime.now(UTC) - timedelta(seconds=1)  # type: ignore[union-attr]
    expired = program.get(read)
    assert expired.status_code == 403 and expired.json()["code"] == "application_expired"
    assert "已过期" in expired.json()["message_zh"]

    # Usage: the enterprise sees its own per key and dataset, the department its datasets'.
    usage = program.get("/v1/usage").json()
    row = next(u for u in usage if u["dataset"] == DATASET)
    pages = -(-len(truth) // 1000)
    assert row["key_prefix"] == key[: len(accounts.KEY_PREFIX) + 8]
    assert row["rows"] == len(truth) + 1 and row["requests"] == pages + 1  # the walk, then the narrowed read
    assert re.search(rf"{DATASET}</td><td>{pages + 1}</td><td>{len(truth) + 1}</td>", firm.get("/enterprise/").text)
    department = reviewer.get("/department/applications/").text
    assert re.search(rf"{DATASET}</td><td>流程甲公司</td><td>{pages + 1}</td>", department)
    program.close()

    # Every grant, refusal and read of conditional data is in the hash-chained audit log.
    entries = audit_entries(settings)
    grants = [e for e in entries if e["action"] in ("application_approved", "application_rejected")]
    assert [(e["action"], e["what"]["application"]) for e in grants[-2:]] == [
        ("application_approved", mine),
        ("application_rejected", theirs_id),
    ]
    assert grants[-1]["what"]["reason"] == "用途与数据无关"
    reads = [e for e in entries if e["action"] == "conditional_read" and e["what"]["application"] == mine]
    assert sum(e["what"]["rows"] for e in reads) == len(truth) + 1
    assert reads[0]["purpose"] == "为小微企业提供信用评估" and reads[0]["what"]["fields"] == GRANTED
    refusals = {e["what"]["refusal"] for e in entries if e["action"] == "conditional_read_refused"}
    assert refusals >= {"no_application", "application_pending", "field_not_granted", "application_rejected"}
    assert "application_expired" in refusals


# ------------------------------------------------------------------------------------------------ the key matrix


@dataclass
class KeyCaller:
    name: str
    key: str | None
    live: bool  # a live key (not revoked, not expired)
    refusal: str | None = None  # what the conditional route answers this caller, when the key is live


@pytest.fixture(scope="module")
def matrix(settings: Settings, base: str) -> tuple[list[KeyCaller], int, str]:
    """The callers, the approved application's id and the approved enterprise's key prefix."""
    entry = get_snapshot(settings).datasets[DATASET]
    until = datetime.now(UTC).date() + timedelta(days=30)

    def enterprise(db: Any, org: str, name: str) -> Any:
        return accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", org), name=name)

    def granted(db: Any, firm: Any, approve: bool) -> DataApplication:
        made = applications.apply(db, firm, entry, applied_by="t", purpose="测试", fields=GRANTED, until=until)
        applications.decide(db, made, approve=approve, by="credit-reviewer", reason="" if approve else "不符合")
        return made

    with session_scope(settings) as db:
        approved, keyed = enterprise(db, "MA5MTX01", "矩阵获批"), enterprise(db, "MA5MTX02", "矩阵未申请")
        lapsed, other = enterprise(db, "MA5MTX03", "矩阵过期"), enterprise(db, "MA5MTX04", "矩阵他人")
        grant = granted(db, approved, True)
        granted(db, lapsed, True).expires_at = datetime.now(UTC) - timedelta(minutes=1)
        granted(db, other, False)
        live = accounts.issue_key(db, approved)
        revoked = accounts.issue_key(db, approved)
        accounts.revoke_key(db, approved, revoked.key.prefix)
        old = accounts.issue_key(db, approved, expires_at=datetime.now(UTC) - timedelta(minutes=1))
        callers = [
            KeyCaller("anonymous", None, False),
            KeyCaller("keyed without approval", accounts.issue_key(db, keyed).secret, True, "no_application"),
            KeyCaller("approved", live.secret, True),
            KeyCaller("expired approval", accounts.issue_key(db, lapsed).secret, True, "application_expired"),
            KeyCaller("revoked key", revoked.secret, False),
            KeyCaller("expired key", old.secret, False),
            KeyCaller("another enterprise's key", accounts.issue_key(db, other).secret, True, "application_rejected"),
        ]
        return callers, grant.id, live.key.prefix


# Routes of the other channels take ids this module never makes: they answer 404, and must leak nothing doing so.
OTHER_PARAMETERS = {
    "{need_id}": "1",
    "{form_id}": "1",
    "{item_id}": "1",
    "{correction_id}": "1",
    "{sha256}": "0" * 64,
    "{uscc}": make_uscc("9", "1", "440604", "MA5XXXXX"),
}


def filled(path: str, application_id: int, prefix: str, version: str) -> list[str]:
    """The route's path with its parameters filled: each dataset parameter as the conditional and an open dataset."""
    path = path.replace("{application_id}", str(application_id)).replace("{prefix}", prefix)
    path = path.replace("{village_code}", VILLAGE).replace("{version}", version)  # the current snapshot's
    for parameter, value in OTHER_PARAMETERS.items():  # ids of other channels' records: none exists here (404)
        path = path.replace(parameter, value)
    paths = (
        [path.replace("{dataset_id}", d) for d in (DATASET, "enterprise_directory")]
        if "{dataset_id}" in path
        else [path]
    )
    assert all("{" not in p for p in paths), f"a parameter the matrix does not know how to fill: {path}"
    return paths


def test_no_key_reads_beyond_what_it_was_granted_on_any_route(
    base: str, settings: Settings, matrix: tuple[list[KeyCaller], int, str]
) -> None:
    callers, application_id, prefix = matrix
    canaries = [k for (k,) in warehouse_rows(settings, "select record_key from marts.credit_record limit 200")]
    routes = route_table(create_app(settings))
    assert any(r.path == "/v1/conditional/{dataset_id}/records" for r in routes)
    failures = []
    for route in routes:
        for method in sorted(route.methods - {"HEAD"}):
            for path in filled(route.path, application_id, prefix, os.readlink(settings.current_snapshot)):
                for caller in callers:
                    headers = {"X-API-Key": caller.key} if caller.key else {}
                    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                        data = {"csrf_token": form_token(client)} if method == "POST" else None
                        # CKAN's actions are asked about the conditional dataset.
                        params = {"id": DATASET, "resource_id": DATASET} if path.startswith("/api/") else None
                        response = client.request(method, path, data=data, params=params)
                    problem = judge(caller, route.role, path, response, canaries, application_id)
                    if problem:
                        failures.append(f"{method} {path} as {caller.name}: {problem} ({response.status_code})")
    assert not failures, "\n".join(failures)


def judge(
    caller: KeyCaller,
    role: Role | str | None,
    path: str,
    response: httpx.Response,
    canaries: list[str],
    application_id: int,
) -> str | None:
    status = response.status_code
    reads_conditional = path == f"/v1/conditional/{DATASET}/records"
    if not (reads_conditional and caller.name == "approved") and any(c in response.text for c in canaries):
        return "conditional records leaked"
    if status >= 500:
        return "server error"
    if isinstance(role, Role):  # a person's page or JSON route: a key signs no one in
        location = response.headers.get("location", "")
        if path.startswith("/api/"):  # a signed-in role's JSON route answers a program 401, in the error shape
            signed_out = status == 401 and response.json().get("code") == "sign_in_required"
            return None if signed_out else "a key got past sign-in"
        return None if status == 303 and location.startswith("/sign-in?next=") else "a key got past sign-in"
    if role != "api_key":
        return "a public route refused a caller" if status == 401 else None
    if not caller.live:
        return None if status == 401 else "read without a live key"
    if status == 401:
        return "a live key was refused"
    body = response.json()
    if path == "/v1/whoami":
        return None if status == 200 else "whoami failed"
    if path == "/v1/applications":
        ids = [a["id"] for a in body]
        if caller.name == "approved":
            return None if ids == [application_id] else "the approved enterprise's list is wrong"
        return "saw another enterprise's application" if application_id in ids else None
    if path == f"/v1/applications/{application_id}":
        expected = 200 if caller.name == "approved" else 404
        return None if status == expected else f"expected {expected}"
    if path.startswith("/v1/conditional/"):
        if not reads_conditional:
            return None if status == 404 and body["code"] == "not_conditional" else "an open dataset on this route"
        if caller.name == "approved":
            fine = status == 200 and body["records"] and all(set(r) == set(GRANTED) for r in body["records"])
            return None if fine else "the approved key did not read exactly the approved fields"
        return None if status == 403 and body["code"] == caller.refusal else f"expected 403 {caller.refusal}"
    if path == "/v1/usage":
        return None if status == 200 else "usage failed"
    return f"a key route the matrix does not judge: {path}"


def test_open_dataset_reads_count_the_rows_they_served_in_every_format(base: str, settings: Settings) -> None:
    firm, key = _register(base, "MA5UQE01", "用量公司", "usage-a")
    opened = "grid_event"  # 无条件开放: read with a key so the usage is the enterprise's
    everything = warehouse_rows(settings, f"select count(*) from marts.{opened}")[0][0]
    program = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)
    read = f"/v1/datasets/{opened}/records"
    served = [
        (program.get(read, params={"limit": 7}), 7),  # a JSON page
        (program.get(read, params={"format": "csv"}), everything),  # the whole dataset, streamed
        (program.get(read, params={"format": "jsonl", "limit": 11}), 11),  # a JSON Lines page
        (program.get(read, params={"format": "parquet"}), everything),  # Arrow batches, streamed
        (program.get(read, params={"format": "xlsx", "limit": 5}), 5),
        (program.get(read, params={"filter": "status:eq:办理中"}), everything // 50),  # every 50th is open
    ]
    assert [r.status_code for r, _ in served] == [200] * len(served)
    assert len(served[1][0].text.splitlines()) == everything + 1  # the CSV held what is counted (and its header)
    assert program.get(read, params={"filter": "nope:eq:1"}).status_code == 400  # refused: not counted
    rows = sum(n for _, n in served)

    usage = program.get("/v1/usage").json()
    row = next(u for u in usage if u["dataset"] == opened)
    assert (row["requests"], row["rows"]) == (len(served), rows)
    assert re.search(rf"{opened}</td><td>{len(served)}</td><td>{rows}</td>", firm.get("/enterprise/").text)
    program.close()

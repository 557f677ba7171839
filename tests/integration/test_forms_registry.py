"""The report-form registry through the real app under uvicorn, over a publish of the fixture warehouse: registration
(API and template upload) and its bad inputs, the gate, automatic reports and pre-filled forms read back with openpyxl
and compared with the marts, the steward's correction teaching the dictionary, the dashboard against the sandbox's
ground truth, and the roles × routes matrix of the form pages."""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import duckdb
import httpx
import openpyxl
import pytest
from sqlalchemy import func, select

from apis.auth import LANDING, route_table
from apis.main import create_app
from apis.operational import forms
from apis.operational.db import session_scope
from apis.operational.models import FormItem, ReportForm, Role
from sandbox import DEFAULT_SEED
from sandbox.forms import generate_forms
from tests.support.datasette import served_datasette
from tests.support.forms import (
    DEPARTMENT,
    PASSWORD,
    add_form_accounts,
    published_with_real_villages,
    real_villages,
)
from tests.support.operational import form_token, served_api, sign_in
from zhongtai import audit
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

VILLAGES = real_villages()
VILLAGE = VILLAGES[0]
# A summary per village whose every item the marts hold, and the SQL that answers each, written here from the
# fixture's marts (not from the matcher's dictionary).
SUMMARY = {
    "村（居）名称": "select village_name from marts.village where village_code = ?",
    "60岁以上老人数（人）": "select age_60_79 + age_80_plus from marts.village_population where village_code = ?",
    "男性人口": "select male from marts.village_population where village_code = ?",
    "企业数（家）": "select count(*) from marts.legal_person where village_code = ? and not is_sole_trader",
    "户数": "select count(distinct household_no) from marts.village_roster where village_code = ?",
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    s, _renamed = published_with_real_villages(tmp_path_factory.mktemp("forms"), dbt_manifest)
    add_form_accounts(s, VILLAGE)
    return s


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def clerk(base: str) -> Iterator[httpx.Client]:
    with closing(sign_in(base, "clerk", PASSWORD)) as client:
        yield client


def mart(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def register(client: httpx.Client, title: str, labels: list[str], villages: list[str] = VILLAGES[:3], **extra: Any):  # type: ignore[no-untyped-def]
    body = {"department": DEPARTMENT, "title": title, "purpose": "测试", "frequency": "monthly", "villages": villages}
    return client.post("/api/forms", json={**body, "items": [{"label": x} for x in labels], **extra})


def workbook(response: httpx.Response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def header_and_rows(wb: openpyxl.Workbook) -> tuple[list[Any], list[list[Any]]]:
    """The filled sheet as a person reads it: the header row (starting 序号), then the data rows under it."""
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    return rows[top], [r for r in rows[top + 1 :] if any(v is not None for v in r)]


def counts(settings: Settings) -> tuple[int, int]:
    with session_scope(settings) as db:
        return db.scalar(select(func.count(ReportForm.id))) or 0, db.scalar(select(func.count(FormItem.id))) or 0


def test_the_gate_refuses_a_fully_derivable_form_and_prefills_a_partly_derivable_one(clerk: httpx.Client) -> None:
    full = register(clerk, "村居基本情况月报", list(SUMMARY))
    assert full.status_code == 201, full.text
    body = full.json()
    assert body["status"] == "refused" and all(i["derivable"] for i in body["items"])
    assert {i["label"]: (i["dataset"], i["field"]) for i in body["items"]}["60岁以上老人数（人）"] == (
        "village_population",
        "age_60_79 + age_80_plus",
    )
    assert all(0 < i["confidence"] <= 1 and i["reason"] for i in body["items"])
    part = register(clerk, "村居党建情况", ["村（居）名称", "党员人数（人）"]).json()
    assert part["status"] == "prefilled" and [i["derivable"] for i in part["items"]] == [True, False]
    # the village-name item is already asked by the first form: the answer says so
    assert part["items"][0]["also_asked_by"] == [f"{DEPARTMENT}《村居基本情况月报》"]
    none = register(clerk, "群众满意度调查", ["党员人数（人）", "群众满意度（%）"]).json()
    assert none["status"] == "allowed"
    assert clerk.get(f"/api/forms/{full.json()['id']}").json()["status"] == "refused"
    dashboard = clerk.get("/api/forms/dashboard").json()
    assert dashboard["overall"]["registered"] >= 3


def test_bad_input_gets_a_specific_answer_and_leaves_nothing(
    base: str, clerk: httpx.Client, settings: Settings
) -> None:
    register(clerk, "低保户名单", ["姓名", "身份证号", "低保金额（元）"])
    before = counts(settings)
    no_header = openpyxl.Workbook()
    no_header.active.append(["只有一个标题"])
    buffer = io.BytesIO()
    no_header.save(buffer)
    cases = [
        ({"template_base64": base64.b64encode(buffer.getvalue()).decode()}, ["x"], 400, "no_header"),
        ({}, [], 400, "no_items"),
        ({}, ["说" * 500], 400, "label_too_long"),
        ({"template_base64": "not base64!"}, ["x"], 400, "bad_base64"),
        ({"title": "低保户名单"}, ["姓名", "身份证号", "低保金额（元）"], 409, "duplicate"),
        ({"department": "区卫生健康局"}, ["姓名"], 403, "wrong_department"),
        ({"villages": [VILLAGE, "440604999999"]}, ["姓名"], 400, "unknown_village"),
        ({"villages": []}, ["姓名"], 400, "no_villages"),
        ({"frequency": "daily"}, ["姓名"], 400, "bad_frequency"),
    ]
    for extra, labels, status, code in cases:
        body = {"department": DEPARTMENT, "title": f"坏表{code}", "frequency": "monthly", "villages": [VILLAGE]}
        body |= extra
        answer = clerk.post("/api/forms", json={**body, "items": [{"label": x} for x in labels]})
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
        assert answer.json()["message_zh"] and answer.json()["message_en"]
    # the page: a template with no items is refused with its reason, and nothing is kept
    token = form_token(clerk, "/department/forms/")
    only_numbers = openpyxl.Workbook()
    only_numbers.active.append(["序号", "编号"])
    buffer = io.BytesIO()
    only_numbers.save(buffer)
    page = clerk.post(
        "/department/forms/",
        data={"csrf_token": token, "frequency": "monthly", "villages": [VILLAGE]},
        files={"template": ("bad.xlsx", buffer.getvalue())},
    )
    assert page.status_code == 200 and "表头中没有数据项" in page.text
    assert counts(settings) == before


def test_automatic_report_appears_for_every_target_village_with_the_marts_values(
    base: str, clerk: httpx.Client, settings: Settings
) -> None:
    form = register(clerk, "村居人口与企业季报", list(SUMMARY), villages=VILLAGES[:4], frequency="quarterly").json()
    assert form["status"] == "refused"
    page = clerk.get(f"/department/forms/{form['id']}")
    assert page.status_code == 200 and 'data-status="refused"' in page.text
    for code in VILLAGES[:4]:
        assert f'data-village="{code}"' in page.text
        header, rows = header_and_rows(workbook(clerk.get(f"/department/forms/{form['id']}/{code}.xlsx")))
        assert header[1:] == list(SUMMARY) and len(rows) == 1
        expected = [mart(settings, sql, code)[0][0] for sql in SUMMARY.values()]
        assert rows[0][1:] == expected, code
    # the village's cadre finds it from the village page; another village's cadre cannot
    with closing(sign_in(base, "cadre", PASSWORD)) as cadre:
        assert f"/cadre/{VILLAGE}/forms/" in cadre.get(f"/cadre/{VILLAGE}/").text
        listed = cadre.get(f"/cadre/{VILLAGE}/forms/")
        assert f'data-form="{form["id"]}"' in listed.text
        _, rows = header_and_rows(workbook(cadre.get(f"/cadre/{VILLAGE}/forms/{form['id']}.xlsx")))
        assert rows[0][1] == mart(settings, SUMMARY["村（居）名称"], VILLAGE)[0][0]
    with closing(sign_in(base, "cadre-other", PASSWORD)) as other:
        assert other.get(f"/cadre/{VILLAGE}/forms/{form['id']}.xlsx").status_code == 404
    with closing(sign_in(base, "clerk-other", PASSWORD)) as other_department:
        assert other_department.get(f"/department/forms/{form['id']}/{VILLAGE}.xlsx").status_code == 404
    log = audit.log_path(settings.root).read_text(encoding="utf-8").splitlines()
    entries = [e for e in map(json.loads, log) if e["action"] == "form_download"]
    assert {e["what"]["village_code"] for e in entries} >= set(VILLAGES[:4])


def test_a_partly_derivable_roster_is_prefilled_masked_for_the_village(
    base: str, clerk: httpx.Client, settings: Settings
) -> None:
    form = register(clerk, "困难群众走访登记", ["姓名", "身份证号", "出生日期", "走访情况"], villages=[VILLAGE]).json()
    assert form["status"] == "prefilled"
    with closing(sign_in(base, "cadre", PASSWORD)) as cadre:
        wb = workbook(cadre.get(f"/cadre/{VILLAGE}/forms/{form['id']}.xlsx"))
    header, rows = header_and_rows(wb)
    people = mart(
        settings,
        "select name, id_number, birth_date from marts.village_roster where village_code = ? order by person_key",
        VILLAGE,
    )
    assert header[1:] == ["姓名", "身份证号", "出生日期", "走访情况"] and len(rows) == len(people) > 0
    for row, (name, id_number, birth) in zip(rows, people, strict=True):
        assert row[1] == name
        assert row[2] == id_number[:6] + "*" * 8 + id_number[-4:]  # masked per the cadre policy
        assert row[3].date() == birth  # a date cell, as Excel shows it
        assert row[4] is None  # left for the village
    sheet = wb.worksheets[0]
    top = next(r[0].row for r in sheet.iter_rows() if r[0].value == "序号")
    assert sheet.cell(row=top, column=5).fill.fgColor.rgb.endswith("FFF2CC")  # marked for the village
    assert "请村（居）填写" in sheet.cell(row=top, column=5).comment.text
    notes = [list(r) for r in wb["填报说明"].iter_rows(values_only=True)]
    assert ["走访情况", None, "请村（居）填写：平台无此数据"] in notes


def test_a_template_upload_keeps_its_layout(base: str, clerk: httpx.Client, settings: Settings, tmp_path: Path) -> None:
    """A merged two-row header, an example row and a signature row: the filled copy keeps them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [
        ["2026年老年人口统计表"],
        ["序号", "村（居）名稱", "人口情况", None],
        [None, None, "60岁以上老人数（人）", "８０岁及以上人口"],
        ["示例", "某某村", "100", "10"],
        ["填表人：", None, "审核人："],
    ]:
        ws.append(row)
    for cells in ("A1:D1", "C2:D2", "A2:A3", "B2:B3", "A5:B5"):
        ws.merge_cells(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    token = form_token(clerk, "/department/forms/")
    answer = clerk.post(
        "/department/forms/",
        data={"csrf_token": token, "purpose": "老龄工作", "frequency": "yearly", "villages": VILLAGES[:2]},
        files={"template": ("elderly.xlsx", buffer.getvalue())},
    )
    assert answer.status_code == 303, answer.text[:500]
    form_id = int(answer.headers["location"].rsplit("/", 1)[1])
    page = clerk.get(f"/department/forms/{form_id}")
    assert "2026年老年人口统计表" in page.text and 'data-status="refused"' in page.text
    filled = workbook(clerk.get(f"/department/forms/{form_id}/{VILLAGES[1]}.xlsx")).worksheets[0]
    assert filled["A1"].value == "2026年老年人口统计表" and filled["C2"].value == "人口情况"
    assert "A5:B5" in {str(m) for m in filled.merged_cells.ranges}  # the signature row, where it was
    assert [filled.cell(row=4, column=c).value for c in (2, 3, 4)] == [
        mart(settings, SUMMARY["村（居）名称"], VILLAGES[1])[0][0],
        mart(settings, SUMMARY["60岁以上老人数（人）"], VILLAGES[1])[0][0],
        mart(settings, "select age_80_plus from marts.village_population where village_code = ?", VILLAGES[1])[0][0],
    ]
    assert filled["A5"].value == "填表人："


def test_a_stewards_correction_refuses_the_form_and_teaches_the_next_match(base: str, clerk: httpx.Client) -> None:
    form = register(clerk, "常住人口快报", ["村居名称", "常住居民（人）"]).json()
    assert form["status"] == "prefilled" and not form["items"][1]["derivable"]
    with closing(sign_in(base, "steward", PASSWORD)) as steward:
        queue = steward.get("/steward/forms/")
        assert queue.status_code == 200 and 'data-label="常住居民（人）"' in queue.text
        item = next(i for i in pending(steward) if i[1] == "常住居民（人）")
        token = form_token(steward, "/steward/forms/")
        done = steward.post(
            f"/steward/forms/items/{item[0]}", data={"csrf_token": token, "element": "village_residents"}
        )
        assert done.status_code == 303
        assert "常住居民（人）</td><td>village_residents" in steward.get("/steward/forms/").text
    after = clerk.get(f"/api/forms/{form['id']}").json()
    assert after["status"] == "refused"
    assert (after["items"][1]["dataset"], after["items"][1]["field"]) == ("village_population", "residents")
    again = register(clerk, "常住人口年报", ["村居名称", "常住居民（人）"]).json()
    assert again["status"] == "refused" and again["items"][1]["confidence"] >= 0.95


def pending(steward: httpx.Client) -> list[tuple[int, str]]:
    """(item id, label) of every row in the steward's review table."""
    import re

    text = steward.get("/steward/forms/").text
    return [(int(i), unquote(label)) for i, label in re.findall(r'data-item="(\d+)" data-label="([^"]*)"', text)]


def test_the_dashboards_reduction_rate_equals_the_ground_truths(
    tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path
) -> None:
    """All 500 sandbox forms registered by their departments, then reviewed by a steward who knows the truth:
    the dashboard's reduction rate, overall and per department, is the share of forms truth calls fully derivable."""
    root = tmp_path_factory.mktemp("forms-truth")
    settings, _ = published_with_real_villages(root, dbt_manifest)
    add_form_accounts(settings, VILLAGE)
    generate_forms(root / "sandbox", root / "truth", DEFAULT_SEED)
    truth = json.loads((root / "truth" / "forms.json").read_text(encoding="utf-8"))
    corrections = 0
    with session_scope(settings) as db:
        for entry in truth:
            data = (root / "sandbox" / "forms" / entry["file"]).read_bytes()
            request = forms.FormRequest(entry["department"], "历史报表", "yearly", [VILLAGE], "")
            form = forms.register(
                settings, db, clerk="clerk", scope=entry["department"], request=request, data=data, file_name="f.xlsx"
            )
            assert [i.label for i in form.items] == [i["label"] for i in entry["items"]]
            # the steward reviews every match against what the item truly asks for, as forms arrive
            for item, true in zip(form.items, entry["items"], strict=True):
                if (item.dataset, item.field) != (true["dataset"], true["field"]):
                    forms.review(settings, db, item.id, true["concept"] if true["dataset"] else "", "steward")
                    corrections += 1
                    assert (item.dataset, item.field) == (true["dataset"], true["field"]), true
        board = forms.dashboard(db)
    per_department: dict[str, list[bool]] = {}
    for entry in truth:
        per_department.setdefault(entry["department"], []).append(entry["fully_derivable"])
    assert board["overall"]["registered"] == len(truth)
    assert board["overall"]["reduction_rate"] == round(sum(f["fully_derivable"] for f in truth) / len(truth), 4)
    for department, derivable in per_department.items():
        assert board["per_department"][department]["reduction_rate"] == round(sum(derivable) / len(derivable), 4)
    items_held = sum(bool(i["dataset"]) for f in truth for i in f["items"])
    assert board["overall"]["items_saved"] == items_held
    # the same figures in Datasette, as analysts see them
    with served_datasette(settings) as datasette:
        rows = datasette.get("/form_reduction/form_reduction.json", params={"_shape": "objects", "_size": "max"})
        published = {(r["scope"], r["key"]): r for r in rows.json()["rows"]}
    assert published["overall", "全区"]["reduction_rate"] == board["overall"]["reduction_rate"]
    assert {k for s, k in published if s == "department"} == set(per_department)
    # what the steward taught was used: far fewer corrections than the matcher's 81 misses without lessons
    print({"corrections": corrections, **board["overall"]})
    assert corrections < 60


def test_roles_by_routes_on_the_form_pages(base: str, clerk: httpx.Client, settings: Settings) -> None:
    """Every form route, for every role: its own role gets it, other roles 403, no one signed in goes to sign-in,
    another department's clerk or another village's cadre 404."""
    form_id = register(clerk, "矩阵测试表", ["村（居）名称", "党员人数（人）"], villages=[VILLAGE]).json()["id"]
    with session_scope(settings) as db:
        item_id = db.scalar(select(FormItem.id).where(FormItem.form_id == form_id))
    routes = [
        (method, r.path, r.role)
        for r in route_table(create_app(settings))
        if "forms" in r.path
        for method in sorted(r.methods)
        if method != "HEAD"
    ]
    assert {r for _, _, r in routes} == {Role.department_reviewer, Role.steward, Role.cadre}
    assert len(routes) == 11, routes
    callers = [None, "clerk", "clerk-other", "steward", "cadre", "cadre-other", "analyst"]
    owner = {Role.department_reviewer: "clerk", Role.steward: "steward", Role.cadre: "cadre"}
    stranger = {Role.department_reviewer: "clerk-other", Role.cadre: "cadre-other"}
    clients = {c: sign_in(base, c, PASSWORD) if c else httpx.Client(base_url=base, timeout=30) for c in callers}
    failures = []
    for method, template, role in routes:
        path = template.format(form_id=form_id, village_code=VILLAGE, item_id=item_id)
        for caller, client in clients.items():
            if method == "POST" and path.startswith("/api/"):
                answer = client.post(path, json={})
            else:
                data = {"csrf_token": form_token(client, "/sign-in")} if method == "POST" else None
                answer = client.request(method, path, data=data)
            status, location = answer.status_code, unquote(answer.headers.get("location", ""))
            if caller is None:  # pages send a person to sign in; the JSON routes answer a program 401
                signed_out = status == 401 if path.startswith("/api/") else status == 303
                ok = signed_out and (path.startswith("/api/") or location == f"/sign-in?next={path}")
            elif caller == owner[role]:
                ok = status in (200, 201, 422) or (status == 303 and location.startswith(LANDING[role]))
            elif caller == stranger.get(role):
                ok = status == 404 or (status in (200, 422) and "{" not in template)
            else:
                ok = status == 403
            if not ok:
                failures.append(f"{method} {path} as {caller}: {status} {location}")
    for client in clients.values():
        client.close()
    assert not failures, "\n".join(failures)

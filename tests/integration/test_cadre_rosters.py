"""A cadre's roster page and downloads through the real app under uvicorn, over a version published from the fixture
warehouse: a role × URL matrix (anonymous, the village's cadre, another village's cadre, department reviewers, an
expired session) over the cadre's and the departments' pages, the files a cadre gets, the audit entries
`who-looked-at` finds, and the correction loop up to the pipeline's door: a roster uploaded, landed by the real
ingestion, decided by the owning departments, and the next publish showing the accepted value."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import duckdb
import httpx
import openpyxl
import pytest
from sqlalchemy import select

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role, WebSession
from catalog.registry import load_registry
from orchestration.ingestion.ingest import ingest_source
from orchestration.publish import publish
from tests.support.operational import form_token, served_api, sign_in
from tests.support.village_corrections import OTHER_VILLAGE, VILLAGE, edited, published_fixture_rosters
from zhongtai import audit
from zhongtai.identifiers import citizen_id_check_char
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "a-long-test-password-2"
GRID_DEPARTMENT, POLICE = "区委政法委（社会综合治理中心）", "区公安分局"  # owners of actual addresses, of names
CADRE_URLS = [
    ("GET", f"/cadre/{VILLAGE}/"),
    ("GET", f"/cadre/{VILLAGE}/roster.xlsx"),
    ("GET", f"/cadre/{VILLAGE}/roster.csv"),
    ("POST", f"/cadre/{VILLAGE}/upload"),
]


@dataclass
class Caller:
    name: str
    username: str | None
    cookies: dict[str, str]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return published_fixture_rosters(tmp_path_factory.mktemp("cadre") / "data", dbt_manifest)


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    upgrade(settings)
    with session_scope(settings) as db:
        for username, role, scope in [
            ("cadre", Role.cadre, VILLAGE),
            ("cadre-other", Role.cadre, OTHER_VILLAGE),
            ("reviewer", Role.department_reviewer, "区民政局"),
            ("reviewer-grid", Role.department_reviewer, GRID_DEPARTMENT),
            ("reviewer-police", Role.department_reviewer, POLICE),
            ("expired", Role.cadre, VILLAGE),
        ]:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope)
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def callers(base: str, settings: Settings) -> list[Caller]:
    found = [Caller("anonymous", None, {})]
    for username in ("cadre", "cadre-other", "reviewer", "reviewer-grid", "reviewer-police", "expired"):
        with closing(sign_in(base, username, PASSWORD)) as client:
            found.append(Caller(username, username, dict(client.cookies)))
    with session_scope(settings) as db:
        account = accounts.get_account(db, "expired")
        for web in db.scalars(select(WebSession).where(WebSession.account_id == account.id)):
            web.last_seen_at = datetime.now(UTC) - timedelta(minutes=settings.session_idle_minutes + 5)
    return found


def residents(settings: Settings, village: str) -> list[tuple[str, str]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        sql = "select person_key, name from marts.village_roster where village_code = ? order by person_key"
        return con.execute(sql, [village]).fetchall()


def audit_entries(settings: Settings) -> list[dict]:
    path = audit.log_path(settings.root)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def upload_as(client: httpx.Client, data: bytes, name: str = "花名册.xlsx") -> httpx.Response:
    token = form_token(client, f"/cadre/{VILLAGE}/")
    files = {"workbook": (name, data, "application/octet-stream")}
    response = client.post(f"/cadre/{VILLAGE}/upload", data={"csrf_token": token}, files=files)
    assert response.status_code == 200, response.text[:300]
    return response


@pytest.fixture(scope="module")
def uploaded(base: str) -> tuple[str, int]:
    """As the village's cadre: a roster with a bad row (its problem sheet's URL), and one correcting an actual
    address (the case it opened for the grid's department)."""
    with closing(sign_in(base, "cadre", PASSWORD)) as client:
        original = client.get(f"/cadre/{VILLAGE}/roster.xlsx").content
        bad = upload_as(client, edited(original, {4: {"性别": "X"}}))
        problems = re.search(r'id="download-problems" href="([^"]+)"', bad.text)
        assert problems, bad.text[:2000]
        good = upload_as(client, edited(original, {8: {"实际居住地地址": "佛山市禅城区矩阵路8号"}}))
        case = re.search(r'<tr id="correction-(\d+)" class="status-pending">', good.text)
        assert case, good.text[:2000]
    return problems.group(1), int(case.group(1))


def expected(caller: str, url: str, method: str) -> set[int]:
    """What each caller may get: the cadre pages are the village cadre's; the queue is every reviewer's, a decision
    the owning department's (here asked to reject without a reason: 400) and 404 for another department's."""
    if caller in ("anonymous", "expired"):
        return {303}
    if url.startswith("/cadre/"):
        return {200} if caller == "cadre" else {404} if caller == "cadre-other" else {403}
    if caller.startswith("cadre"):
        return {403}
    if method == "GET":
        return {200}
    return {400} if caller == "reviewer-grid" else {404}


def test_only_the_village_cadre_gets_the_page_and_the_files(
    base: str, callers: list[Caller], settings: Settings, uploaded: tuple[str, int]
) -> None:
    problems_url, case_id = uploaded
    urls = [
        *CADRE_URLS,
        ("GET", problems_url),
        ("GET", "/department/corrections/"),
        ("POST", f"/department/corrections/{case_id}/decide"),
    ]
    people = residents(settings, VILLAGE)
    assert len(people) == 37
    names = {name for _, name in people}
    failures = []
    for method, url in urls:
        for caller in callers:
            with httpx.Client(base_url=base, cookies=caller.cookies, timeout=30, follow_redirects=False) as client:
                data = {"csrf_token": form_token(client), "decision": "reject"} if method == "POST" else None
                response = client.request(method, url, data=data)
            status, body = response.status_code, response.content
            leaked = [n for n in names if n.encode() in body]
            ok = status in expected(caller.name, url, method)
            if caller.name in ("anonymous", "expired"):
                ok = ok and response.headers["location"] == f"/sign-in?next={quote(url)}"
            elif caller.name != "cadre":
                ok = ok and not leaked
            if not ok:
                failures.append(f"{method} {url} as {caller.name}: {status}, leaked {leaked[:3]}")
    assert not failures, "\n".join(failures)
    # Refusals left nothing in the audit log that names this village's residents: only the village's cadre and the
    # department that owns a case of it were shown them.
    keys = {k for k, _ in people}
    for entry in audit_entries(settings):
        if entry["who"] not in ("cadre", "reviewer-grid") and entry["action"] != "publish":
            assert not keys & set(entry["what"].get("person_keys") or []), entry["who"]
            assert VILLAGE not in json.dumps(entry["what"]), entry


def test_the_cadre_sees_the_overview_downloads_both_files_and_each_download_is_audited(
    base: str, settings: Settings
) -> None:
    people = residents(settings, VILLAGE)
    index = json.loads((settings.current_snapshot / "rosters" / "index.json").read_text(encoding="utf-8"))
    before = len(audit_entries(settings))
    with closing(sign_in(base, "cadre", PASSWORD)) as client:
        page = client.get(f"/cadre/{VILLAGE}/")
        assert page.status_code == 200
        assert f'id="count-population">{len(people)} 条' in page.text
        legal = index["villages"][VILLAGE]["rows"]["legal_persons"]
        assert f'id="count-legal_persons">{legal} 条' in page.text
        assert index["version"] in page.text and "首次发布" in page.text
        assert f'href="/cadre/{VILLAGE}/roster.xlsx"' in page.text
        workbook = client.get(f"/cadre/{VILLAGE}/roster.xlsx")
        assert workbook.status_code == 200
        assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True)
        rows = list(book["人口"].iter_rows(values_only=True))[1:]
        assert [(r[0], r[2]) for r in rows] == people
        table = client.get(f"/cadre/{VILLAGE}/roster.csv")
        assert table.status_code == 200
        lines = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
        assert [(r[0], r[2]) for r in lines[1:]] == people
    path = audit.log_path(settings.root)
    assert audit.verify(path).ok
    downloads = [e for e in audit_entries(settings)[before:] if e["action"] == "roster_download"]
    assert [(e["who"], e["role"], e["what"]["file"]) for e in downloads] == [
        ("cadre", "cadre", f"{VILLAGE}.xlsx"),
        ("cadre", "cadre", f"{VILLAGE}.csv"),
    ]
    # `zhongtai audit who-looked-at <person key>` finds both downloads of each resident, and no one else's.
    first, _ = people[0]
    looked = [e for e in audit.who_looked_at(path, first) if e["action"] == "roster_download"]
    assert [e["seq"] for e in looked][-2:] == [e["seq"] for e in downloads]
    outsider = residents(settings, OTHER_VILLAGE)[0][0]
    assert not [e for e in audit.who_looked_at(path, outsider) if e["who"] == "cadre"]


def test_an_uploaded_roster_is_checked_row_by_row_and_nothing_is_applied(base: str, settings: Settings) -> None:
    body = "440604199001011234"[:17]
    wrong_check = body + ("0" if citizen_id_check_char(body) != "0" else "1")
    before = len(audit_entries(settings))
    with closing(sign_in(base, "cadre", PASSWORD)) as client:
        original = client.get(f"/cadre/{VILLAGE}/roster.xlsx").content
        token = form_token(client, f"/cadre/{VILLAGE}/")

        def upload(data: bytes, name: str = "花名册.xlsx") -> httpx.Response:
            files = {"workbook": (name, data, "application/octet-stream")}
            response = client.post(f"/cadre/{VILLAGE}/upload", data={"csrf_token": token}, files=files)
            assert response.status_code == 200, response.text[:300]
            return response

        bad = upload(
            edited(
                original,
                {
                    2: {"实际居住地地址": "佛山市禅城区更正路1号"},  # a good correction
                    3: {"性别": "M"},
                    4: {"出生日期": "2026-13-45"},
                    5: {"公民身份号码": wrong_check},
                    6: {"户号": "H999999"},
                    7: {"村居代码": OTHER_VILLAGE},
                },
            )
        )
        table = re.search(r'<table id="bad-rows">(.*?)</table>', bad.text, re.S)
        assert table, bad.text[:500]
        reasons = dict(re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td></tr>", table.group(1)))
        assert sorted(reasons) == ["3", "4", "5", "6", "7"]
        assert "性别”须为 男/女 之一" in reasons["3"] and "不是有效日期" in reasons["4"]
        assert "校验位不符" in reasons["5"] and "“户号”不可更正" in reasons["6"] and "不是本村（居）" in reasons["7"]
        people = len(residents(settings, VILLAGE))
        assert f"更正 1 行、确认无误 {people - 6} 行" in bad.text

        good = upload(edited(original, {2: {"实际居住地地址": "佛山市禅城区更正路1号"}}))
        assert f"检查通过：更正 1 行，确认无误 {people - 1} 行" in good.text
        assert "不是 Excel 工作簿" in upload(b"name,sex\n", "roster.csv").text
        renamed = openpyxl.load_workbook(io.BytesIO(original))
        renamed["人口"]["J1"] = "关系"
        out = io.BytesIO()
        renamed.save(out)
        text = upload(out.getvalue()).text
        assert "缺少列：与户主关系" in text and "多出或改名的列：关系" in text
    with closing(sign_in(base, "cadre-other", PASSWORD)) as other:
        token = form_token(other, f"/cadre/{OTHER_VILLAGE}/")
        files = {"workbook": ("x.xlsx", original, "application/octet-stream")}
        assert other.post(f"/cadre/{VILLAGE}/upload", data={"csrf_token": token}, files=files).status_code == 404
    # Nothing applied: the published roster is the one downloaded.
    assert (settings.current_snapshot / "rosters" / f"{VILLAGE}.xlsx").read_bytes() == original
    uploads = [e for e in audit_entries(settings)[before:] if e["action"] == "roster_upload"]
    assert [(e["who"], e["what"]["accepted"], e["what"]["bad_rows"]) for e in uploads] == [
        ("cadre", False, 5),
        ("cadre", True, 0),
        ("cadre", False, 0),
        ("cadre", False, 0),
    ]
    assert len(uploads[1]["what"]["person_keys"]) == people


def test_the_correction_loop_lands_reviews_and_shows_the_accepted_value_after_the_next_publish(
    base: str, settings: Settings, dbt_manifest: Path, uploaded: tuple[str, int]
) -> None:
    drops = settings.uploads_dir / "village_verification"
    people = residents(settings, VILLAGE)
    with closing(sign_in(base, "cadre", PASSWORD)) as cadre:
        original = cadre.get(f"/cadre/{VILLAGE}/roster.xlsx").content
        sheet = list(openpyxl.load_workbook(io.BytesIO(original), read_only=True)["人口"].iter_rows(values_only=True))
        headers, moved, renamed = list(sheet[0]), sheet[2], sheet[3]  # Excel rows 3 and 4
        old_address = moved[headers.index("实际居住地地址")]
        workbook = edited(original, {3: {"实际居住地地址": "佛山市禅城区闭环路3号"}, 4: {"姓名": "改名测试"}})
        before = set(drops.glob("corrections_*.csv"))
        sent = upload_as(cadre, workbook)
        assert f"检查通过：更正 2 行，确认无误 {len(people) - 2} 行，已提交属主部门审核" in sent.text
        [delivery] = set(drops.glob("corrections_*.csv")) - before
        # the same file again is refused, and drops nothing
        again = upload_as(cadre, workbook, "再传一次.xlsx")
        assert "上传过（花名册.xlsx），不再重复处理" in again.text
        assert set(drops.glob("corrections_*.csv")) - before == {delivery}
    # the delivery: the registry's headers, one row per resident (two corrections, the rest confirmed)
    with delivery.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(people)
    changed = {r["自然人键"]: (r["更正项"], r["原值"], r["新值"], r["属主部门"]) for r in rows if r["更正项"]}
    assert changed == {
        moved[0]: ("actual_address", old_address or "", "佛山市禅城区闭环路3号", GRID_DEPARTMENT),
        renamed[0]: ("name", renamed[headers.index("姓名")], "改名测试", POLICE),
    }
    ids = {r["更正项"]: r["更正编号"] for r in rows if r["更正项"]}

    def decide(username: str, case: str, decision: str, reason: str = "") -> httpx.Response:
        with closing(sign_in(base, username, PASSWORD)) as reviewer:
            queue = reviewer.get("/department/corrections/")
            token = form_token(reviewer, "/department/corrections/")
            data = {"csrf_token": token, "decision": decision, "reason": reason}
            return reviewer.post(f"/department/corrections/{case}/decide", data=data), queue

    response, queue = decide("reviewer-police", ids["actual_address"], "accept")
    assert response.status_code == 404 and f'id="case-{ids["actual_address"]}"' not in queue.text
    response, queue = decide("reviewer-police", ids["name"], "reject")
    assert response.status_code == 400 and "不采纳须填写理由" in response.text
    assert f'id="case-{ids["name"]}" class="status-pending"' in queue.text
    response, _ = decide("reviewer-police", ids["name"], "reject", "与户籍登记不符，请持户口簿到派出所办理")
    assert response.status_code == 303
    response, queue = decide("reviewer-grid", ids["actual_address"], "accept")
    assert response.status_code == 303 and "改名测试" not in queue.text
    response, _ = decide("reviewer-grid", ids["actual_address"], "reject", "再审")
    assert response.status_code == 409 and "不能重复审核" in response.text
    decisions = sorted(drops.glob("decisions_*.csv"))
    assert [p.name for p in decisions][-2:] == sorted(f"decisions_{int(i):010d}.csv" for i in ids.values())

    # The pipeline lands what the API dropped like any delivery: manifest, raw tables, nothing twice.
    source = load_registry()["village_verification"]
    summaries = {s.entity: s for s in ingest_source(settings, source)}
    assert not summaries["corrections"].error and summaries["corrections"].rows_quarantined == 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        landed = con.execute(
            "select roster_person_key, new_value from raw.village_verification__corrections where attribute is not null"
        ).fetchall()
        decided = dict(
            con.execute("select correction_id, decision from raw.village_verification__decisions").fetchall()
        )
    assert (moved[0], "佛山市禅城区闭环路3号") in landed and (renamed[0], "改名测试") in landed
    assert decided[int(ids["actual_address"])] == "accepted" and decided[int(ids["name"])] == "rejected"
    assert all(s.landed == 0 for s in ingest_source(settings, source))

    with closing(sign_in(base, "cadre", PASSWORD)) as cadre:
        page = cadre.get(f"/cadre/{VILLAGE}/").text
    assert re.search(rf'id="correction-{ids["name"]}" class="status-rejected">.*?与户籍登记不符', page, re.S)
    assert f'id="correction-{ids["actual_address"]}" class="status-accepted"' in page

    # What survivorship makes of the accepted case (tested on real dbt in test_dbt_build), written into the fixture
    # warehouse; the next publish's roster shows it, its change sheet lists it, and the case counts as applied.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "update marts.person_residence set address = ? where person_key = ? and residence_kind = 'actual' "
            "and is_latest",
            ["佛山市禅城区闭环路3号", moved[0]],
        )
    publish(settings, dbt_manifest)
    with closing(sign_in(base, "cadre", PASSWORD)) as cadre:
        book = openpyxl.load_workbook(io.BytesIO(cadre.get(f"/cadre/{VILLAGE}/roster.xlsx").content), read_only=True)
        page = cadre.get(f"/cadre/{VILLAGE}/").text
    now = {r[0]: r for r in list(book["人口"].iter_rows(values_only=True))[1:]}
    assert now[moved[0]][headers.index("实际居住地地址")] == "佛山市禅城区闭环路3号"
    assert now[renamed[0]][headers.index("姓名")] == renamed[headers.index("姓名")]
    changes = [[str(v) for v in r if v is not None] for r in book["本次变化"].iter_rows(values_only=True)]
    assert any("佛山市禅城区闭环路3号" in " ".join(r) and moved[0] in " ".join(r) for r in changes), changes
    version = settings.current_snapshot.resolve().name
    assert re.search(rf'id="correction-{ids["actual_address"]}".*?<td class="applied">{version}</td>', page, re.S)
    metrics = re.search(rf'<tr id="metrics-{VILLAGE}">(.*?)</tr>', page, re.S)
    assert metrics, page[-3000:]
    cells = dict(re.findall(r'<td class="([a-z-]+)">([^<]*)</td>', metrics.group(1)))
    # every upload so far was a whole roster: everyone verified; corrections: the earlier tests' two addresses
    # (pending), this test's two (one accepted and applied, one rejected)
    assert cells["verified"] == str(len(people)) and cells["coverage"] == "100.0%"
    assert (cells["submitted"], cells["accepted"], cells["rejected"], cells["pending"], cells["applied"]) == (
        "4", "1", "1", "2", "1"
    )  # fmt: skip
    assert float(cells["median-days"]) >= 0

"""A cadre's roster page and downloads through the real app under uvicorn, over a version published from the fixture
warehouse: a role × URL matrix (anonymous, the village's cadre, another village's cadre, a department reviewer, an
expired session), the files a cadre gets, and the audit entries `who-looked-at` finds."""

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
from orchestration.publish import publish
from tests.support.marts import make_warehouse
from tests.support.operational import form_token, served_api, sign_in
from zhongtai import audit
from zhongtai.identifiers import citizen_id_check_char
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

# The fixture's first two villages under codes of the district's real villages, which cadre accounts must name.
VILLAGE, OTHER_VILLAGE = "440604010001", "440604010002"
RENAMED = {"440604001001": VILLAGE, "440604001002": OTHER_VILLAGE}
PASSWORD = "a-long-test-password-2"
URLS = [
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
    s = Settings(data_dir=tmp_path_factory.mktemp("cadre") / "data")
    make_warehouse(s)
    with duckdb.connect(str(s.warehouse_path)) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.columns "
            "where column_name = 'village_code'"
        ).fetchall()
        for (table,) in tables:
            for old, new in RENAMED.items():
                con.execute(f"update {table} set village_code = ? where village_code = ?", [new, old])
    publish(s, dbt_manifest)
    return s


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    upgrade(settings)
    with session_scope(settings) as db:
        for username, role, scope in [
            ("cadre", Role.cadre, VILLAGE),
            ("cadre-other", Role.cadre, OTHER_VILLAGE),
            ("reviewer", Role.department_reviewer, "区民政局"),
            ("expired", Role.cadre, VILLAGE),
        ]:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope)
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def callers(base: str, settings: Settings) -> list[Caller]:
    found = [Caller("anonymous", None, {})]
    for username in ("cadre", "cadre-other", "reviewer", "expired"):
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


def test_only_the_village_cadre_gets_the_page_and_the_files(
    base: str, callers: list[Caller], settings: Settings
) -> None:
    people = residents(settings, VILLAGE)
    assert len(people) == 37
    names = {name for _, name in people}
    failures = []
    for method, url in URLS:
        for caller in callers:
            with httpx.Client(base_url=base, cookies=caller.cookies, timeout=30, follow_redirects=False) as client:
                data = {"csrf_token": form_token(client)} if method == "POST" else None
                response = client.request(method, url, data=data)
            status, body = response.status_code, response.content
            leaked = [n for n in names if n.encode() in body]
            if caller.name in ("anonymous", "expired"):
                ok = status == 303 and response.headers["location"] == f"/sign-in?next={quote(url)}"
            elif caller.name == "cadre":
                ok = status == 200
            elif caller.name == "cadre-other":
                ok = status == 404 and not leaked
            else:  # a department reviewer: another role's pages
                ok = status == 403 and not leaked
            if not ok:
                failures.append(f"{method} {url} as {caller.name}: {status}, leaked {leaked[:3]}")
    assert not failures, "\n".join(failures)
    # Refusals left nothing in the audit log that names this village's residents.
    keys = {k for k, _ in people}
    for entry in audit_entries(settings):
        if entry["who"] != "cadre" and entry["action"] != "publish":
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


def edited(workbook: bytes, edits: dict[int, dict[str, object]]) -> bytes:
    """The downloaded workbook with cells of the 人口 sheet changed: {row number: {header: new value}}."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book["人口"]
    headers = [c.value for c in sheet[1]]
    for row, cells in edits.items():
        for title, value in cells.items():
            sheet.cell(row=row, column=headers.index(title) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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

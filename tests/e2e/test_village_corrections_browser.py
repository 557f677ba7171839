"""The correction loop in Debian's chromium with the network cut off, over rosters published from the fixture
warehouse: a cadre signs in, downloads the roster, corrects a resident's actual address and another's name in it
(openpyxl, as Excel would), uploads it; the grid's department accepts the address from its queue, the household
register's rejects the name with a reason; the cadre sees both outcomes and the reason."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.browser import offline_page
from tests.support.operational import served_api
from tests.support.village_corrections import VILLAGE, edited, population_rows, published_fixture_rosters
from zhongtai.settings import Settings

pytestmark = pytest.mark.e2e

PASSWORD = "browser-loop-password-11"
ADDRESS, NAME = "佛山市禅城区浏览器路1号", "浏览器改名"
REASON = "户籍登记的姓名无误"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[str]:
    settings: Settings = published_fixture_rosters(tmp_path_factory.mktemp("loop") / "data", dbt_manifest)
    upgrade(settings)
    with session_scope(settings) as db:
        for username, role, scope in [
            ("cadre", Role.cadre, VILLAGE),
            ("grid", Role.department_reviewer, "区委政法委（社会综合治理中心）"),
            ("hukou", Role.department_reviewer, "区公安分局"),
        ]:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope)
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield url


def sign_in(page, base: str, username: str, landing: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{landing}")


def decide(page, base: str, username: str, new_value: str, decision: str, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    """As a department reviewer: from the landing page to the queue, decide the case proposing `new_value`."""
    sign_in(page, base, username, "/department/")
    page.click("text=村（居）提交的更正待审核")
    page.wait_for_url(f"{base}/department/corrections/")
    row = page.locator("#cases tr", has_text=new_value)
    assert "status-pending" in (row.get_attribute("class") or "")
    if reason:
        row.locator("input[name=reason]").fill(reason)
    row.locator(f"button[value={decision}]").click()
    page.wait_for_url(f"{base}/department/corrections/")
    status = "status-accepted" if decision == "accept" else "status-rejected"
    assert status in (page.locator("#cases tr", has_text=new_value).get_attribute("class") or "")
    page.click("text=退出登录")


@pytest.fixture
def page(base: str) -> Iterator:  # type: ignore[type-arg]
    with offline_page() as new_page:
        yield new_page


def test_a_cadre_corrects_the_roster_and_the_departments_decide(page, base: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, base, "cadre", f"/cadre/{VILLAGE}/")
    with page.expect_download() as download:
        page.click("#download-xlsx")
    original = tmp_path / "roster.xlsx"
    download.value.save_as(original)
    rows = population_rows(original.read_bytes())
    moved, renamed = rows[1][0], rows[2][0]
    corrected = tmp_path / "核对后.xlsx"
    corrected.write_bytes(edited(original.read_bytes(), {2: {"实际居住地地址": ADDRESS}, 3: {"姓名": NAME}}))
    page.set_input_files("input[name=workbook]", str(corrected))
    page.click("text=上传并检查")
    page.wait_for_selector("#upload-ok")
    assert f"更正 2 行，确认无误 {len(rows) - 3} 行" in page.locator("#upload-ok").inner_text()
    assert page.locator("#corrections tr.status-pending").count() == 2
    page.click("text=退出登录")

    decide(page, base, "grid", ADDRESS, "accept")
    decide(page, base, "hukou", NAME, "reject", REASON)

    sign_in(page, base, "cadre", f"/cadre/{VILLAGE}/")
    accepted = page.locator("#corrections tr", has_text=ADDRESS)
    rejected = page.locator("#corrections tr", has_text=NAME)
    assert "status-accepted" in (accepted.get_attribute("class") or "") and moved in accepted.inner_text()
    assert "status-rejected" in (rejected.get_attribute("class") or "") and renamed in rejected.inner_text()
    assert REASON in rejected.locator(".reason").inner_text()
    assert page.locator("#metrics-district .accepted").inner_text() == "1"

"""In Debian's chromium with the network cut off, on a publish of the fixture warehouse: an enterprise registers on
the form, signs in, takes a key and applies for a conditional dataset; the owning department's reviewer approves it
from the department's page; the key then reads the approved fields (screenshots checked non-blank)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.api import published_settings, serve
from tests.support.browser import offline_page
from tests.support.operational import png_is_blank
from zhongtai.identifiers import make_uscc

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[str]:
    settings = published_settings(tmp_path_factory.mktemp("enterprise_pages"), dbt_manifest)
    upgrade(settings)
    with session_scope(settings) as db:
        accounts.add_account(
            db, username="credit", role=Role.department_reviewer, password=PASSWORD, scope="区政务服务数据管理局"
        )
    for client in serve(settings):
        yield str(client.base_url)


def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert not png_is_blank(path), name


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/sign-in'] button[type=submit]")


def test_register_apply_approve_read(base: str, tmp_path: Path) -> None:
    uscc = make_uscc("9", "1", "440604", "MA5BRWXR")
    with offline_page() as page:
        page.goto(f"{base}/sign-in")
        page.click("text=自行注册")
        page.fill("#uscc", uscc)
        page.fill("#name", "浏览器科技有限公司")
        page.fill("#username", "browser-admin")
        page.fill("#password", PASSWORD)
        shot(page, tmp_path, "register")
        page.click("form[action='/register'] button[type=submit]")
        page.wait_for_url(f"{base}/sign-in**")
        sign_in(page, base, "browser-admin")
        page.wait_for_url(f"{base}/enterprise/")
        page.click("text=申领新密钥")
        key = page.locator("#new-key").inner_text()
        form = page.locator("form.application").first
        form.locator("input[value='record_no']").check()
        form.locator("input[value='decided_on']").check()
        form.locator("textarea").fill("核验合作企业的行政处罚记录")
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/enterprise/applications/*")
        assert page.locator("#status").inner_text().strip() == "待审核"
        shot(page, tmp_path, "applied")
        page.click("text=退出登录")

        sign_in(page, base, "credit")
        page.wait_for_url(f"{base}/department/")
        page.click("text=有条件开放数据的使用申请与调用量")
        page.click("table a")
        assert "核验合作企业的行政处罚记录" in page.content()
        page.click("#approve")
        page.wait_for_url(f"{base}/department/applications/*")
        assert page.locator("#status").inner_text().strip() == "已批准"
        shot(page, tmp_path, "approved")

    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as program:
        read = program.get("/v1/conditional/credit_record/records", params={"limit": 5})
        assert read.status_code == 200, read.text
        assert [set(r) for r in read.json()["records"]] == [{"record_key", "record_no", "decided_on"}] * 5

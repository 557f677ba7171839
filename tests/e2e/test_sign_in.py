"""In Debian's chromium with the network cut off: a cadre signs in and sees their village's page, signs out, and
the API docs render from the app's own assets (screenshots saved under the test's tmp dir, checked non-blank)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.browser import offline_page
from tests.support.operational import png_is_blank, served_api
from zhongtai.settings import Settings

pytestmark = pytest.mark.e2e

VILLAGE = "440604010001"
PASSWORD = "cadre-password-2026"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("sign_in") / "data"
    settings = Settings(data_dir=data)
    upgrade(settings)
    with session_scope(settings) as db:
        accounts.add_account(
            db, username="cadre", role=Role.cadre, password=PASSWORD, scope=VILLAGE, display_name="陈村干部"
        )
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(data)}) as url:
        yield url


@pytest.fixture
def page(base: str) -> Iterator:  # type: ignore[type-arg]
    with offline_page() as new_page:
        yield new_page


def test_a_cadre_signs_in_sees_their_village_and_signs_out(page, base: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    village = accounts.village_names()[VILLAGE]
    page.goto(f"{base}/cadre/")
    assert page.url.startswith(f"{base}/sign-in")
    page.fill("#username", "cadre")
    page.fill("#password", "wrong-password-1")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.content()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cadre/{VILLAGE}/")
    assert village in page.locator("h1").inner_text()
    assert "陈村干部" in page.content()
    # The stylesheet is ours and applied: the header is not the browser's default transparent background.
    header_bg = page.eval_on_selector("header.site", "e => getComputedStyle(e).backgroundColor")
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent")
    shot = tmp_path / "cadre.png"
    page.screenshot(path=str(shot), full_page=True)
    assert not png_is_blank(shot)
    page.click("text=退出登录")
    page.wait_for_url(f"{base}/sign-in")
    page.goto(f"{base}/cadre/{VILLAGE}/")
    assert page.url.startswith(f"{base}/sign-in")


def test_the_api_docs_render_offline(page, base: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "zhongtai open-data API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/v1/datasets" in p for p in paths) and any("/v1/whoami" in p for p in paths)
    shot = tmp_path / "docs.png"
    page.screenshot(path=str(shot), full_page=True)
    assert not png_is_blank(shot)
    html = page.content()
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com", "cdnjs"):
        assert cdn not in html

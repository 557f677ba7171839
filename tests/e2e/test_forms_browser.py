"""In Debian's chromium with the network cut off: a department clerk uploads a form template and sees which items the
platform holds; a steward corrects one match; the form is then refused as fully derivable and its automatic report
downloads for every target village with the marts' values; a partly derivable form is pre-filled for one village."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from tests.support.browser import offline_page
from tests.support.forms import PASSWORD, add_form_accounts, published_with_real_villages, real_villages
from tests.support.operational import served_api
from zhongtai.settings import Settings

pytestmark = pytest.mark.e2e

VILLAGES = real_villages()[:3]
EXPECTED = {  # each item, and the SQL on the marts that answers it
    "村（居）名称": "select village_name from marts.village where village_code = ?",
    "60岁以上老人数（人）": "select age_60_79 + age_80_plus from marts.village_population where village_code = ?",
    "常住居民（人）": "select residents from marts.village_population where village_code = ?",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[tuple[Settings, str]]:
    settings, _ = published_with_real_villages(tmp_path_factory.mktemp("forms-e2e"), dbt_manifest)
    add_form_accounts(settings, VILLAGES[0])
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield settings, url


def template(path: Path, title: str, labels: list[str]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append([title])
    wb.active.append(["序号", *labels])
    wb.active.append(["注：数据截至上月末。"])
    wb.save(path)
    return path


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sign_out(page: Any) -> None:
    page.click("text=退出登录")
    page.wait_for_load_state()


def download(page: Any, selector: str, folder: Path) -> openpyxl.Workbook:
    with page.expect_download() as info:
        page.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return openpyxl.load_workbook(path)


def data_row(wb: openpyxl.Workbook) -> tuple[list[Any], list[Any]]:
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if r[0] == "序号")
    return rows[top], rows[top + 1]


def upload(page: Any, base: str, path: Path, villages: list[str]) -> None:
    page.goto(f"{base}/department/")
    page.click("#forms-link")
    page.set_input_files("#template", str(path))
    page.fill("#purpose", "浏览器测试")
    page.select_option("#frequency", "monthly")
    page.select_option("#villages", villages)
    page.click("#register button[type=submit]")
    page.wait_for_selector("#items")


def test_register_review_refuse_report_and_prefill(world: tuple[Settings, str], tmp_path: Path) -> None:
    settings, base = world
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        expected = {v: [con.execute(sql, [v]).fetchone()[0] for sql in EXPECTED.values()] for v in VILLAGES}  # type: ignore[index]
    with offline_page() as page:
        # the clerk uploads a template and sees, item by item, what the platform holds
        sign_in(page, base, "clerk")
        upload(page, base, template(tmp_path / "t.xlsx", "村居人口快报", list(EXPECTED)), VILLAGES)
        form_url = page.url
        derivable = {
            row.get_attribute("data-label"): "derivable" in (row.get_attribute("class") or "")
            for row in page.locator("#items tr[data-label]").all()
        }
        assert derivable == {"村（居）名称": True, "60岁以上老人数（人）": True, "常住居民（人）": False}
        assert page.get_attribute("#status", "data-status") == "prefilled"
        sign_out(page)
        # the steward corrects the one match the matcher missed
        sign_in(page, base, "steward")
        page.goto(f"{base}/steward/forms/")
        row = page.locator('#review tr[data-label="常住居民（人）"]')
        row.locator("select").select_option("village_residents")
        row.locator("button").click()
        page.wait_for_load_state()
        assert "village_residents" in page.locator("#lessons").inner_text()
        sign_out(page)
        # now every item is held: the form is refused, and its automatic report exists for every target village
        sign_in(page, base, "clerk")
        page.goto(form_url)
        assert page.get_attribute("#status", "data-status") == "refused"
        assert page.locator("#held").inner_text() == "3"
        for village in VILLAGES:
            header, row_values = data_row(download(page, f'#downloads a[data-village="{village}"]', tmp_path))
            assert header[1:] == list(EXPECTED)
            assert row_values[1:] == expected[village], village
        # a partly derivable form, pre-filled for one village
        upload(
            page, base, template(tmp_path / "p.xlsx", "党建情况表", ["村（居）名称", "党员人数（人）"]), VILLAGES[:1]
        )
        assert page.get_attribute("#status", "data-status") == "prefilled"
        page.goto(f"{base}/department/forms/")
        assert page.locator("#dash-registered").inner_text() == "2"
        assert page.locator("#dash-rate").inner_text() == "50.0%"
        sign_out(page)
        sign_in(page, base, "cadre")
        page.click("#village-forms-link")
        page.wait_for_selector("#village-forms")
        links = page.locator("#village-forms a[data-form]")
        assert links.count() == 2
        prefilled = download(page, "#village-forms tr:has-text('党建情况表') a[data-form]", tmp_path)
        header, row_values = data_row(prefilled)
        assert header[1:] == ["村（居）名称", "党员人数（人）"]
        assert row_values[1:] == [expected[VILLAGES[0]][0], None]
        screenshot = tmp_path / "cadre-forms.png"
        page.screenshot(path=str(screenshot), full_page=True)

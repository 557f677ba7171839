"""The open-data portal in Debian's chromium with the network cut off, on a publish of the fixture warehouse.

One flow, as a person meets it: `/docs` and the portal render (screenshots non-blank, kept as artefacts), an
enterprise registers on the form and takes a key, finds datasets by a Chinese word, narrows by a facet, reads an open
dataset's page, applies for a conditional dataset; the owning department approves it; the key then reads the
approved fields. And the challenge: a department publishes a data need (揭榜挂帅), an enterprise takes it, and anyone
sees it taken on the portal."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from apis.operational import accounts, challenge
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.api import catalogue_texts, published_settings, warehouse_rows
from tests.support.browser import offline_page
from tests.support.operational import png_is_blank, served_api
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.e2e

PASSWORD = "portal-password-2026"
DEPARTMENT = "区民政局"
ENTERPRISE = "禅城数据应用有限公司"
WORD = "信用"  # a Chinese word of the catalogue; which datasets it should find is read from the manifest
CONDITIONAL = "credit_record"  # found by WORD; conditional (有条件开放), owned by CREDIT_OFFICE
CREDIT_OFFICE = "区政务服务数据管理局"
GRANTED = ["record_key", "record_no", "decided_on"]  # the key (record_key) is always granted
# Screenshots are kept here after the run (CI can collect them); ZHONGTAI_ARTEFACTS moves them.
ARTEFACTS = Path(os.environ.get("ZHONGTAI_ARTEFACTS", Path(__file__).resolve().parents[2] / "logs" / "artefacts"))


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    s = published_settings(tmp_path_factory.mktemp("portal"), dbt_manifest)
    upgrade(s)
    with session_scope(s) as db:
        accounts.add_account(db, username="civil", role=Role.department_reviewer, password=PASSWORD, scope=DEPARTMENT)
        accounts.add_account(
            db, username="credit", role=Role.department_reviewer, password=PASSWORD, scope=CREDIT_OFFICE
        )
        accounts.add_account(
            db,
            username="firm",
            role=Role.enterprise_admin,
            password=PASSWORD,
            scope=make_uscc("9", "1", "440604", "MA53AAAA"),
            display_name=ENTERPRISE,
        )
    return s


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir)}) as url:
        yield url


@pytest.fixture
def page(base: str) -> Iterator:  # type: ignore[type-arg]
    with offline_page() as new_page:
        yield new_page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    path = ARTEFACTS / "portal" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert not png_is_blank(path), f"{path.name} is blank"


def sign_in_as(page, base: str, username: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}{path}")
    assert page.url.startswith(f"{base}/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/sign-in'] button[type=submit]")
    page.wait_for_url(f"{base}{path}")


def test_docs_portal_register_find_apply_approve_and_read_with_the_key(  # type: ignore[no-untyped-def]
    page, base: str, settings: Settings, dbt_manifest: Path
) -> None:
    # The API's docs and the portal render offline, with our own scripts and stylesheet.
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/v1/challenge/needs" in p for p in paths) and any("/v1/conditional/" in p for p in paths)
    shot(page, "docs")

    page.goto(f"{base}/")
    page.click("text=开放数据门户")
    page.wait_for_url(f"{base}/portal/")
    published = page.locator(".results .dataset h2 a").all_inner_texts()
    assert len(published) == page.request.get(f"{base}/v1/datasets").json()["total"] > 0
    header_bg = page.eval_on_selector("header.site", "e => getComputedStyle(e).backgroundColor")
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent")  # our stylesheet, served by us, is applied
    shot(page, "portal")

    # An enterprise registers on the form, signs in and takes a key (shown once).
    page.goto(f"{base}/sign-in")
    page.click("text=自行注册")
    page.fill("#uscc", make_uscc("9", "1", "440604", "MA5BRWXR"))
    page.fill("#name", "浏览器科技有限公司")
    page.fill("#username", "browser-admin")
    page.fill("#password", PASSWORD)
    shot(page, "register")
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url(f"{base}/sign-in**")
    sign_in_as(page, base, "browser-admin", "/enterprise/")
    page.click("text=申领新密钥")
    key = page.locator("#new-key").inner_text()

    # It finds datasets by a Chinese word: exactly those whose title, description or field titles hold it.
    page.goto(f"{base}/portal/")
    page.fill("#q", WORD)
    page.click("form.search button[type=submit]")
    page.wait_for_selector("#found")
    hrefs = page.locator(".results .dataset h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    found = {h.rsplit("/", 1)[1] for h in hrefs}
    texts = catalogue_texts(dbt_manifest)
    entries = {d: page.request.get(f"{base}/v1/datasets/{d}") for d in texts}
    served = {d: r.json() for d, r in entries.items() if r.status == 200}
    assert found == {d for d in served if WORD in texts[d]} and CONDITIONAL in found, found
    assert f"检索“{WORD}”" in page.locator("#found").inner_text()

    # A facet narrows the search and says how many it holds.
    page.click(".facets a:has-text('无条件开放')")
    page.wait_for_selector("#found")
    assert "open_level=" in page.url and "q=" in page.url
    opened = sorted(d for d in found if served[d]["open_level"] == "无条件开放")
    assert page.locator(".results .level").all_inner_texts() == ["无条件开放"] * len(opened) != []

    # An open dataset's page: preview, field titles, API example, DCAT/Frictionless links, lineage.
    dataset = opened[0]
    page.click(f".results a[href='/portal/datasets/{dataset}']")
    page.wait_for_url(f"{base}/portal/datasets/{dataset}")
    entry = served[dataset]
    assert page.locator("h1").inner_text().startswith(entry["title"])
    preview = page.locator(".preview tbody tr")
    assert preview.count() == min(20, entry["rows"]) > 0
    assert page.locator(".preview thead th").all_inner_texts() == [f["title"] for f in entry["fields"]]
    first = page.request.get(f"{base}/v1/datasets/{dataset}/records", params={"limit": 1}).json()["records"][0]
    cells = preview.first.locator("td").all_inner_texts()
    assert cells == ["" if first[f["name"]] is None else str(first[f["name"]]) for f in entry["fields"]]
    assert f"/v1/datasets/{dataset}/records?limit=10" in page.locator("pre code").first.inner_text()
    for link in ["/v1/catalog.jsonld", f"/portal/datasets/{dataset}/datapackage.json", f"/v1/datasets/{dataset}"]:
        href = page.locator(f"a[href='{link}']")
        assert href.count() == 1, link
        assert page.request.get(f"{base}{link}").status == 200, link
    assert page.locator(".lineage td").count() > 0  # the source systems it comes from
    shot(page, "dataset")

    # The conditional dataset it found says how to get it; the enterprise applies on its page.
    page.goto(f"{base}/portal/?q={WORD}")
    page.click(f".results a[href='/portal/datasets/{CONDITIONAL}']")
    page.wait_for_url(f"{base}/portal/datasets/{CONDITIONAL}")
    assert f"经{CREDIT_OFFICE}审批" in page.content()
    page.goto(f"{base}/enterprise/")
    form = page.locator("form.application", has_text=f"（{CONDITIONAL}，{CREDIT_OFFICE}）")
    for name in GRANTED[1:]:
        form.locator(f"input[value='{name}']").check()
    form.locator("textarea").fill("核验合作企业的行政处罚记录")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/enterprise/applications/*")
    assert page.locator("#status").inner_text().strip() == "待审核"
    shot(page, "applied")
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as program:
        assert program.get(f"/v1/conditional/{CONDITIONAL}/records").status_code == 403  # not before approval
    page.click("text=退出登录")

    # The owning department approves it.
    sign_in_as(page, base, "credit", "/department/")
    page.click("text=有条件开放数据的使用申请与调用量")
    page.click("table a")
    page.wait_for_url(f"{base}/department/applications/*")  # content() while it navigates is empty
    assert "核验合作企业的行政处罚记录" in page.content()
    page.click("#approve")
    page.wait_for_url(f"{base}/department/applications/*")
    assert page.locator("#status").inner_text().strip() == "已批准"
    shot(page, "approved")

    # The key reads the approved fields, and the records are the warehouse's.
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as program:
        read = program.get(f"/v1/conditional/{CONDITIONAL}/records", params={"limit": 5})
        assert read.status_code == 200, read.text
        records = read.json()["records"]
    assert [set(r) for r in records] == [set(GRANTED)] * 5
    first_five = f"select {', '.join(GRANTED)} from marts.{CONDITIONAL} order by record_key limit 5"
    truth = warehouse_rows(settings, first_five)
    assert [(r["record_key"], r["record_no"], r["decided_on"]) for r in records] == [
        (k, n, d.isoformat()) for k, n, d in truth
    ]


def test_a_department_publishes_a_need_an_enterprise_takes_it_and_the_portal_shows_it(  # type: ignore[no-untyped-def]
    page, base: str
) -> None:
    sign_in_as(page, base, "civil", "/department/challenge/")
    page.fill("#title", "村居人口结构与养老服务需求测算")
    page.fill("#description", "用村居人口统计测算各村居的养老服务需求。")
    page.check("input[name=datasets][value=village_population]")
    page.fill("#deadline", (challenge.today() + timedelta(days=60)).isoformat())
    page.click("form[action='/department/challenge/'] button[type=submit]")
    page.wait_for_selector(".notice")
    assert "需求已发布" in page.locator(".notice").inner_text()
    assert "征集中" in page.locator("h1").inner_text()
    page.click("text=退出登录")
    page.wait_for_url(f"{base}/sign-in")

    sign_in_as(page, base, "firm", "/enterprise/challenge/")
    page.fill("textarea[name=proposal]", "三个月内交付养老服务需求地图。")
    page.click("button:has-text('揭榜')")
    page.wait_for_selector(".notice")
    assert "揭榜成功" in page.locator(".notice").inner_text()
    page.click("text=退出登录")

    page.goto(f"{base}/portal/challenge/?status=taken")
    row = page.locator("tbody tr", has_text="村居人口结构与养老服务需求测算")
    assert row.count() == 1 and ENTERPRISE in row.inner_text() and "已揭榜" in row.inner_text()
    shot(page, "challenge")

"""In Debian's chromium with the network cut off: an anonymous visitor of the analyst Datasette meets the sign-in page
whatever URL it opens; signed in, the grid-governance dashboard draws its charts from a publish of the fixture
warehouse (screenshots of both saved under the test's tmp dir, checked non-blank)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from apis.operational.models import Role
from tests.support.browser import offline_page
from tests.support.datasette import account, browser_sign_in, published_fixture, served_datasette
from tests.support.operational import png_is_blank

pytestmark = pytest.mark.e2e

VEGA_CHARTS = ["closure-by-month", "events-by-category", "events-by-town", "events-by-village"]


def test_the_grid_governance_dashboard_draws_its_charts_offline(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    with sqlite3.connect(f"file:{settings.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True) as db:
        (reported,) = db.execute("select sum(events_reported) from grid_governance_kpi").fetchone()
    analyst = account(settings, "browser-analyst", Role.analyst)
    with served_datasette(settings, role=None) as client, offline_page() as page:
        base = str(client.base_url)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # anonymous: the data pages, the JSON and the dashboard all lead to the sign-in form, and nothing else
        for url in ("/analyst/person_profile", "/analyst/grid_event.json", "/-/dashboards/grid-governance"):
            answer = page.goto(f"{base}{url}")
            assert answer is not None
            if url.endswith(".json"):  # JSON answers 401 with the way to the form
                assert answer.status == 401 and "/-/sign-in?next=" in page.inner_text("body")
            else:
                assert page.url.startswith(f"{base}/-/sign-in?next="), url
                assert "登录分析库" in page.inner_text("h1")
            assert "pk0" not in page.inner_text("body") and "消防安全" not in page.inner_text("body")
        page.goto(f"{base}/-/dashboards/grid-governance")
        assert page.inner_text("h1") == "登录分析库"
        shot = tmp_path / "datasette-sign-in.png"
        page.screenshot(path=str(shot), full_page=True)
        assert not png_is_blank(shot)
        browser_sign_in(page, base, analyst, "wrong-password-1")
        assert "用户名或密码错误" in page.inner_text("body")
        browser_sign_in(page, base, analyst)
        # signed in, the form sends the analyst on to the dashboard it asked for
        page.wait_for_url(f"{base}/-/dashboards/grid-governance")
        # Vega draws each chart as SVG once its query has answered
        for slug in VEGA_CHARTS:
            page.wait_for_selector(f"#chart-{slug} svg.marks", timeout=30_000)
        page.wait_for_selector("#chart-days-by-category table", timeout=30_000)
        assert page.inner_text("#chart-events-reported").strip() == f"{reported} 件"
        assert "消防安全" in page.inner_text("#chart-days-by-category")
        # one bar per category and per town, one line through the six months
        assert page.locator("#chart-events-by-category g.mark-rect path").count() == 4
        assert page.locator("#chart-events-by-town g.mark-rect path").count() == 4
        assert page.locator("#chart-closure-by-month g.mark-symbol path").count() == 6
        shot = tmp_path / "grid-governance.png"
        page.screenshot(path=str(shot), full_page=True)
        assert not png_is_blank(shot)
        for slug in VEGA_CHARTS:
            box = page.locator(f"#chart-{slug} svg.marks").bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 50, slug
        # filtered by one town, the figures change
        page.goto(f"{base}/-/dashboards/grid-governance?town=石湾镇街道")
        page.wait_for_selector("#chart-events-reported p", timeout=30_000)
        filtered = int(page.inner_text("#chart-events-reported").strip().removesuffix(" 件"))
        assert 0 < filtered < reported
        # the analyst's chart queries are in the audit log under their name
        assert not errors, errors
    entries = (settings.root / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action":"datasette_query"' in entries and '"who":"browser-analyst"' in entries

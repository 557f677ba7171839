"""In Debian's chromium with the network cut off: the grid-governance dashboard of the analyst Datasette draws its
charts from a publish of the fixture warehouse (screenshot saved under the test's tmp dir, checked non-blank)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.browser import offline_page
from tests.support.datasette import published_fixture, served_datasette
from tests.support.operational import png_is_blank

pytestmark = pytest.mark.e2e

VEGA_CHARTS = ["closure-by-month", "events-by-category", "events-by-town", "events-by-village"]


def test_the_grid_governance_dashboard_draws_its_charts_offline(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    with sqlite3.connect(f"file:{settings.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True) as db:
        (reported,) = db.execute("select sum(events_reported) from grid_governance_kpi").fetchone()
    with served_datasette(settings) as client, offline_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{client.base_url}/-/dashboards/grid-governance")
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
        page.goto(f"{client.base_url}/-/dashboards/grid-governance?town=石湾镇街道")
        page.wait_for_selector("#chart-events-reported p", timeout=30_000)
        filtered = int(page.inner_text("#chart-events-reported").strip().removesuffix(" 件"))
        assert 0 < filtered < reported
        assert not errors, errors

"""Datasette started for real over the published analyst SQLite with its generated metadata and dashboards."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.datasette import published_fixture, served_datasette
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

# how the dashboard page hands each chart to its script: renderChart('slug', {config}, 'filters', 'base url')
RENDER_CHART = re.compile(r"renderChart\('([^']+)', (\{.*\}), '([^']*)', '([^']*)'\)")


def test_datasette_serves_tables_with_chinese_titles(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    with served_datasette(settings) as client:
        rows = client.get("/analyst/credit_record.json", params={"_shape": "array", "_size": 5}).json()
        assert [r["record_no"] for r in rows] == [f"CR000000{i}" for i in range(5)]
        legal = client.get("/analyst/legal_person.json", params={"_size": 1}).json()
        assert "legal_rep_name" not in legal["columns"] and "legal_rep_person_key" in legal["columns"]
        html = client.get("/analyst/credit_record").text
        assert "信用记录" in html and "决定日期" in html
        facets = client.get("/analyst/grid_event.json").json()["facet_results"]
        assert {"village_code", "category", "status"} <= set(facets)
        # the count query made for each table's first facet, whatever the number of tables before it
        query = client.get("/analyst/credit_record_by_subject_type.json", params={"_shape": "array"}).json()
        assert sum(r["记录数"] for r in query) == 2500
        by_category = client.get("/analyst/grid_event_by_category.json", params={"_shape": "array"}).json()
        with sqlite3.connect(f"file:{settings.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True) as db:
            expected = dict(db.execute("select category, count(*) from grid_event group by 1").fetchall())
        assert expected and {r["category"]: r["记录数"] for r in by_category} == expected


def kpi_sum(settings: Settings, column: str) -> int:
    with sqlite3.connect(f"file:{settings.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True) as db:
        return int(db.execute(f"select sum({column}) from grid_governance_kpi").fetchone()[0])


def test_grid_governance_dashboard_and_its_charts_answer_with_data(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    kpi = sqlite3.connect(f"file:{settings.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True)
    try:
        (reported, closed) = kpi.execute(
            "select sum(events_reported), sum(events_closed) from grid_governance_kpi"
        ).fetchone()
        (town_reported,) = kpi.execute(
            "select sum(events_reported) from grid_governance_kpi where town_name = '石湾镇街道'"
        ).fetchone()
        months = kpi.execute("select count(distinct report_month) from grid_governance_kpi").fetchone()[0]
    finally:
        kpi.close()
    with served_datasette(settings) as client:
        listing = client.get("/-/dashboards")
        assert listing.status_code == 200 and "网格治理" in listing.text
        page = client.get("/-/dashboards/grid-governance")
        assert page.status_code == 200
        # the filters offer the published towns and categories; the page loads Vega from Datasette itself
        assert "石湾镇街道" in page.text and "消防安全" in page.text
        assert "/-/static-plugins/datasette_dashboards/vega-lite.min.js" in page.text
        assert "cdn" not in page.text.lower()
        for asset in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "dashboards.js"):
            assert client.get(f"/-/static-plugins/datasette_dashboards/{asset}").status_code == 200

        def chart(slug: str, **filters: str) -> list[dict[str, Any]]:
            """The rows of one chart, fetched the way the dashboard page's script fetches them."""
            html = client.get("/-/dashboards/grid-governance", params=filters).text
            calls = {m[0]: m[1:] for m in RENDER_CHART.findall(html)}
            config, query_string, absolute_url = json.loads(calls[slug][0]), calls[slug][1], calls[slug][2]
            url = f"{absolute_url}{config['db']}.json?sql={quote(config['query'])}&{query_string}&_shape=objects"
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            return list(answer.json()["rows"])

        assert chart("events-reported")[0]["events_reported"] == reported
        assert chart("closure-rate")[0]["closure_rate"] == round(100 * closed / reported, 1)
        by_month = chart("closure-by-month")
        assert len(by_month) == months == 6
        assert sum(r["events_reported"] for r in by_month) == reported
        assert sum(r["events_reported"] for r in chart("events-by-category")) == reported
        towns = chart("events-by-town")
        assert len(towns) == 4 and sum(r["events_reported"] for r in towns) == reported
        assert chart("events-reported", town="石湾镇街道")[0]["events_reported"] == town_reported < reported
        assert len(chart("closure-by-month", month_from="2026-03-01", month_to="2026-04-01")) == 2
        assert chart("days-by-category")
        repeats = kpi_sum(settings, "repeat_events")
        assert sum(r["repeat_events"] for r in chart("repeats-by-category")) == repeats > 0

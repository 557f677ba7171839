"""Quality scorecards in the published analyst database equal figures computed here, independently, with polars from the
warehouse's `raw._deliveries`, `raw._quarantine` and raw tables (opened read-only) and the registry."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import polars as pl
import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from catalog.registry import load_registry, registry_dirs
from orchestration.publish.quality_scorecards import VALIDITY_PATTERNS
from tests.support.browser import offline_page
from tests.support.datasette import account, browser_sign_in, served_datasette
from tests.support.operational import png_is_blank, served_api, sign_in
from tests.support.readers import nonempty, query
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "a-long-test-password-q"


@pytest.fixture(scope="module")
def settings(small_run: Settings) -> Settings:
    return small_run


def published(settings: Settings, table: str) -> pl.DataFrame:
    path = os.path.realpath(settings.current_snapshot) + "/analyst.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        cursor = db.execute(f"select * from {table}")
        columns = [c[0] for c in cursor.description]
        return pl.DataFrame(cursor.fetchall(), schema=columns, orient="row", infer_schema_length=None)


def test_rows_delivered_loaded_and_quarantined_by_reason_equal_the_bookkeeping(settings: Settings) -> None:
    deliveries = nonempty(
        query(
            settings,
            "select delivery_id, source_id, entity, rows_delivered, rows_loaded, rows_quarantined, status "
            "from raw._deliveries",
        ),
        "raw._deliveries",
    ).with_columns(pl.col("rows_delivered", "rows_loaded", "rows_quarantined").fill_null(0))
    card = published(settings, "quality_delivery")
    assert card.height == deliveries.height
    joined = deliveries.join(card, on="delivery_id", suffix="_card", how="left")
    for column in ("source_id", "entity", "rows_delivered", "rows_loaded", "rows_quarantined", "status"):
        wrong = joined.filter(pl.col(column) != pl.col(f"{column}_card"))
        assert wrong.height == 0, (column, wrong.head(3))
    # each delivery's number in its source entity's trend follows its arrival
    assert (card.group_by("source_id", "entity").agg(ok=pl.col("delivery_seq").sort() == pl.int_range(1, pl.len() + 1))
            ["ok"].explode().all())  # fmt: skip

    quarantine = nonempty(query(settings, "select delivery_id, reason_code, column_name from raw._quarantine"),
                          "quarantined rows")  # fmt: skip
    expected = quarantine.group_by("delivery_id", "reason_code", "column_name").agg(rows=pl.len())
    reasons = published(settings, "quality_quarantine").select("delivery_id", "reason_code", "column_name", "rows")
    assert reasons.sort(pl.all()).equals(expected.sort(pl.all()).cast({"rows": reasons["rows"].dtype}))

    # per source: the totals of its deliveries
    totals = deliveries.group_by("source_id", "entity").agg(pl.col("rows_delivered", "rows_quarantined").sum())
    sources = published(settings, "quality_source").join(totals, on=["source_id", "entity"], suffix="_expected")
    assert sources.height == totals.height
    for column in ("rows_delivered", "rows_quarantined"):
        assert (sources[column] == sources[f"{column}_expected"]).all(), column


def _field_figures(settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per delivery and canonical field: rows, filled, valid; and duplicate keys per delivery — from the raw tables."""
    fields, keys = [], []
    for source in load_registry(*registry_dirs(settings.registry_dirs)):
        for entity in source.entities:
            table = f'raw."{source.raw_table(entity.name)}"'
            try:
                raw = query(settings, f"select * from {table}")
            except duckdb.CatalogException:  # a source entity with no loaded delivery has no raw table
                continue
            keys.append(
                raw.group_by("_delivery_id").agg(duplicate_keys=pl.len() - pl.struct(entity.primary_key).n_unique())
            )
            for f in entity.fields:
                if not f.canonical:
                    continue
                text = pl.col(f.name).cast(pl.String).str.strip_chars()
                filled = text.is_not_null() & (text != "")
                pattern = VALIDITY_PATTERNS.get(f.canonical)
                valid = (filled & text.str.contains(pattern)).sum() if pattern else pl.lit(None, dtype=pl.UInt32)
                fields.append(
                    raw.group_by("_delivery_id").agg(
                        field=pl.lit(f.name), rows=pl.len(), filled=filled.sum(), valid=valid
                    )
                )
    figures = pl.concat([f.cast({"rows": pl.Int64, "filled": pl.Int64, "valid": pl.Int64}) for f in fields])
    dupes = pl.concat([k.cast({"duplicate_keys": pl.Int64}) for k in keys])
    return figures.rename({"_delivery_id": "delivery_id"}), dupes.rename({"_delivery_id": "delivery_id"})


def test_completeness_validity_and_duplicate_keys_equal_the_raw_tables(settings: Settings) -> None:
    expected, dupes = _field_figures(settings)
    nonempty(expected, "canonical fields in loaded deliveries")
    card = published(settings, "quality_field")
    joined = expected.join(card, on=["delivery_id", "field"], how="full", suffix="_card", coalesce=True)
    assert joined.filter(pl.col("rows").is_null() | pl.col("rows_card").is_null()).height == 0
    for column in ("rows", "filled", "valid"):
        wrong = joined.filter(pl.col(column).ne_missing(pl.col(f"{column}_card")))
        assert wrong.height == 0, (column, wrong.head(3))
    assert ((joined["completeness"] - joined["filled"] / joined["rows"]).abs() < 1e-6).all()
    # the sandbox's upstreams deliver some broken identifiers, and every one of them is counted
    ids = joined.filter(pl.col("field").is_in(["id_number", "uscc"]) & pl.col("valid").is_not_null())
    assert (ids["valid"] < ids["filled"]).any()
    assert (ids["valid"] > 0.5 * ids["filled"]).all()

    deliveries = published(settings, "quality_delivery")
    per_delivery = deliveries.join(dupes, on="delivery_id", how="left", suffix="_expected")
    assert (per_delivery["duplicate_keys"] == per_delivery["duplicate_keys_expected"].fill_null(0)).all()
    # a delivery's completeness weighs its canonical fields by their rows
    weighted = expected.group_by("delivery_id").agg(expected=pl.col("filled").sum() / pl.col("rows").sum())
    both = deliveries.join(weighted, on="delivery_id")
    assert both.height > 0 and ((both["completeness"] - both["expected"]).abs() < 1e-6).all()


def test_freshness_against_the_registry_and_worst_first_per_department(settings: Settings) -> None:
    registry = load_registry(*registry_dirs(settings.registry_dirs))
    last = query(settings, "select source_id, entity, max(received_at) as last from raw._deliveries group by all")
    sources = nonempty(published(settings, "quality_source"), "quality_source")
    measured_at = dt.datetime.fromisoformat(sources["measured_at"][0]).replace(
        tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    for row in sources.join(last, on=["source_id", "entity"]).iter_rows(named=True):
        hours = (measured_at - row["last"]).total_seconds() / 3600
        assert row["hours_since_delivery"] == pytest.approx(hours, abs=0.01)
        assert bool(row["is_fresh"]) == (hours <= registry[row["source_id"]].freshness_hours)
        assert row["owner_department"] == registry[row["source_id"]].owner_department
    # every registered source entity has a scorecard, even one that never delivered
    assert sources.height == sum(len(s.entities) for s in registry)
    # the GX results of each source's suites are there, as counts
    checks = nonempty(published(settings, "quality_check"), "quality_check")
    stored = query(settings, "select suite, passed from quality.suite_results")
    assert set(checks["suite"]) <= set(stored["suite"])
    assert (
        checks.join(stored, on="suite").filter(pl.col("passed").cast(pl.Boolean) != pl.col("passed_right")).is_empty()
    )


@pytest.fixture(scope="module")
def mirror(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data directory of its own whose `current` is the small run's published version (the run stays untouched)."""
    own = Settings(data_dir=tmp_path_factory.mktemp("quality_site") / "data")
    own.published_dir.mkdir(parents=True)
    os.symlink(os.path.realpath(settings.current_snapshot), own.current_snapshot)
    return own


@pytest.fixture(scope="module")
def steward_site(mirror: Settings) -> Iterator[str]:
    """The app on the mirror, a steward and an analyst signed up."""
    upgrade(mirror)
    with session_scope(mirror) as db:
        accounts.add_account(db, username="steward", role=Role.steward, password=PASSWORD)
        accounts.add_account(db, username="analyst", role=Role.analyst, password=PASSWORD)
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(mirror.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield url


SYSTEM_ROW = re.compile(
    r'<tr class="system" data-source="([^"]+)" data-entity="([^"]+)">.*?<td class="score">([^<]*)</td>'
    r'.*?<td class="reasons">(.*?)</td>',
    re.S,
)


def test_the_department_page_lists_its_systems_worst_first_with_their_reasons(
    settings: Settings, steward_site: str
) -> None:
    registry = load_registry(*registry_dirs(settings.registry_dirs))
    quarantine = query(
        settings,
        "select d.source_id, d.entity, q.reason_code, count(*) as n from raw._quarantine as q "
        "join raw._deliveries as d using (delivery_id) group by all",
    )
    # the department whose systems had the most rows quarantined
    by_source = quarantine.group_by("source_id").agg(pl.col("n").sum())
    worst = by_source.sort("n", descending=True)["source_id"][0]
    department = registry[worst].owner_department
    with closing(sign_in(steward_site, "steward", PASSWORD)) as client:
        page = client.get("/steward/quality", params={"department": department})
        assert page.status_code == 200, page.text[:300]
        listed = SYSTEM_ROW.findall(page.text)
        index = client.get("/steward/quality")
        assert index.status_code == 200 and department in index.text
        assert client.get("/steward/quality", params={"department": "不存在的部门"}).status_code == 404
        # the Data Docs equivalent and the dashboard are linked from it
        assert 'id="data-docs"' in page.text and "/analyst/quality_check" in page.text
        assert 'id="dashboard"' in page.text and "/-/dashboards/quality" in page.text
    expected = {(s.id, e.name) for s in registry if s.owner_department == department for e in s.entities}
    assert {(s, e) for s, e, _, _ in listed} == expected
    scores = [float(score) for _, _, score, _ in listed]
    assert scores == sorted(scores), "not worst first"
    for source_id, entity, _, reasons in listed:
        for row in quarantine.filter((pl.col("source_id") == source_id) & (pl.col("entity") == entity)).iter_rows(
            named=True
        ):
            assert row["reason_code"] in reasons
        if quarantine.filter(pl.col("source_id") == source_id).is_empty():
            assert reasons == "无"
    total = sum(int(n) for *_, reasons in listed for n in re.findall(r"(\d+) 行", reasons))
    assert total == quarantine.filter(pl.col("source_id").is_in([s for s, _, _, _ in listed]))["n"].sum() > 0
    # another role is refused
    with closing(sign_in(steward_site, "analyst", PASSWORD)) as other:
        assert other.get("/steward/quality", params={"department": department}).status_code == 403


RENDER_CHART = re.compile(r"renderChart\('([^']+)', (\{.*\}), '([^']*)', '([^']*)'\)")


def test_the_quality_dashboard_answers_per_department_with_the_scorecards(mirror: Settings) -> None:
    sources = published(mirror, "quality_source")
    department = sources.group_by("owner_department").agg(q=pl.col("rows_quarantined").sum()).sort("q")[-1, 0]
    mine = sources.filter(pl.col("owner_department") == department)
    with served_datasette(mirror) as client:
        assert "数据质量" in client.get("/-/dashboards").text

        def chart(slug: str, **filters: str) -> list[dict[str, Any]]:
            html = client.get("/-/dashboards/quality", params=filters).text
            calls = {m[0]: m[1:] for m in RENDER_CHART.findall(html)}
            config, query_string, absolute_url = json.loads(calls[slug][0]), calls[slug][1], calls[slug][2]
            url = f"{absolute_url}{config['db']}.json?sql={quote(config['query'])}&{query_string}&_shape=objects"
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            return list(answer.json()["rows"])

        assert chart("sources")[0]["sources"] == sources.height
        assert chart("rows-quarantined")[0]["rows_quarantined"] == sources["rows_quarantined"].sum()
        assert chart("rows-quarantined", department=department)[0]["rows_quarantined"] == mine["rows_quarantined"].sum()
        assert chart("sources", department=department)[0]["sources"] == mine.height
        worst = chart("score-by-source", department=department)
        assert [r["score"] for r in worst] == sorted(mine["score"].to_list())[:20]
        reasons = chart("quarantine-reasons", department=department)
        assert sum(r["rows"] for r in reasons) == mine["rows_quarantined"].sum() > 0
        assert chart("quarantine-trend", department=department)
        assert chart("scorecard", department=department)


@pytest.mark.e2e
def test_the_quality_dashboard_draws_its_charts_offline(mirror: Settings, tmp_path: Path) -> None:
    analyst = account(mirror, "browser-analyst", Role.analyst)
    with served_datasette(mirror, role=None) as client, offline_page() as page:
        base = str(client.base_url)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/-/dashboards/quality")
        # signed in on the form the dashboard sends the analyst to, they are sent on to the dashboard
        browser_sign_in(page, base, analyst)
        page.wait_for_url(f"{base}/-/dashboards/quality")
        for slug in ("score-by-source", "quarantine-reasons", "quarantine-trend", "completeness-trend"):
            page.wait_for_selector(f"#chart-{slug} svg.marks", timeout=30_000)
        page.wait_for_selector("#chart-scorecard table", timeout=30_000)
        assert page.locator("#chart-quarantine-reasons g.mark-rect path").count() > 0
        assert page.locator("#chart-score-by-source g.mark-rect path").count() > 0
        shot = tmp_path / "quality.png"
        page.screenshot(path=str(shot), full_page=True)
        assert not png_is_blank(shot)
        assert not errors, errors

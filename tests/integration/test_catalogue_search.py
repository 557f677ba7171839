"""/v1/datasets?q= over HTTP: Chinese words segmented with jieba, ranked by where they occur, with facet counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import catalogue_texts, published_settings, serve
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return published_settings(tmp_path_factory.mktemp("search"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


def ids(api: httpx.Client, **params: str) -> list[str]:
    r = api.get("/v1/datasets", params=params)
    assert r.status_code == 200, r.text
    return [d["id"] for d in r.json()["datasets"]]


def test_chinese_words_in_titles_descriptions_and_field_titles(api: httpx.Client, dbt_manifest: Path) -> None:
    texts = catalogue_texts(dbt_manifest)
    titles = {i: t.split("\n")[0] for i, t in texts.items()}
    # 信用 is credit_record's title (信用记录) and in a field title (统一社会信用代码) of the enterprise directory:
    # the title ranks first.
    assert "信用" in titles["credit_record"] and "信用" not in titles["enterprise_directory"]
    found = ids(api, q="信用")
    in_title = [i for i in found if "信用" in titles[i]]
    assert found[: len(in_title)] == in_title and "credit_record" in in_title  # title hits rank first
    # a field title only (统一社会信用代码): the enterprise directory and the public-service points, after the titles
    assert {"enterprise_directory", "public_service_point"} <= set(found[len(in_title) :])
    # An unspaced phrase is segmented (村居 / 人口 / 统计); every word must occur, and only 村居人口统计 has all three.
    assert ids(api, q="村居人口统计") == ["village_population"]
    assert {i for i, t in texts.items() if "村居" in t} >= {"village", "grid_event", "enterprise_directory"}
    # in credit_publicity's title, ranked before credit_record, which has it in its description only
    assert ids(api, q="行政处罚") == ["credit_publicity", "credit_record"]
    assert "行政处罚" not in titles["credit_record"]
    # a field title only, 注册资本（万元）: the directory and the conditional legal_person
    assert sorted(ids(api, q="注册资本")) == ["enterprise_directory", "legal_person"]
    assert "注册资本" not in texts["enterprise_directory"].split("\n")[1]
    assert ids(api, q="企业 网格") == []  # both words must occur: 企业名录 and 网格事件 each have one
    assert ids(api, q="网格") == ["grid_event", "grid_governance_kpi"]


def test_facets_count_what_was_found(api: httpx.Client) -> None:
    everything = api.get("/v1/datasets").json()
    assert everything["total"] == len(everything["datasets"]) == 15  # 12 open, 3 conditional
    departments = Counter(d["owner_department"] for d in everything["datasets"])
    assert {c["value"]: c["count"] for c in everything["facets"]["department"]} == departments
    assert {c["value"]: c["count"] for c in everything["facets"]["open_level"]} == Counter(
        d["open_level"] for d in everything["datasets"]
    )
    themes = {c["value"]: c["count"] for c in everything["facets"]["theme"]}
    assert themes == Counter(d["theme"] for d in everything["datasets"]) and "未标注" not in themes
    assert sum(themes.values()) == 15 and themes["信用服务"] == 4 and themes["公共服务"] == 1

    department, count = departments.most_common(1)[0]
    narrowed = api.get("/v1/datasets", params={"department": department}).json()
    assert narrowed["total"] == count and {d["owner_department"] for d in narrowed["datasets"]} == {department}
    found = api.get("/v1/datasets", params={"q": "村居"}).json()
    assert sum(c["count"] for c in found["facets"]["department"]) == found["total"] == len(found["datasets"])
    assert api.get("/v1/datasets", params={"q": "x" * 201}).status_code == 422

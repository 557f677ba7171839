"""/v1/datasets?q= over HTTP: Chinese words segmented with jieba, ranked by where they occur, with facet counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import duckdb
import httpx
import pytest

from orchestration.publish import publish
from tests.integration.test_api import MANIFEST, serve
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = Settings(data_dir=tmp_path_factory.mktemp("search") / "data")
    s.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(s.warehouse_path)) as con:
        con.execute((MANIFEST.parent / "warehouse.sql").read_text(encoding="utf-8"))
    publish(s, MANIFEST)
    return s


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


def ids(api: httpx.Client, **params: str) -> list[str]:
    r = api.get("/v1/datasets", params=params)
    assert r.status_code == 200, r.text
    return [d["id"] for d in r.json()["datasets"]]


def test_chinese_words_in_titles_descriptions_and_field_titles(api: httpx.Client) -> None:
    # 信用 is credit_record's title and a field title (统一社会信用代码) of the enterprise directory: title ranks first.
    assert ids(api, q="信用") == ["credit_record", "enterprise_directory"]
    # An unspaced phrase is segmented (村居 / 人口 / 统计); every word must occur.
    assert ids(api, q="村居人口统计") == ["village_population"]
    assert ids(api, q="双公示") == ["credit_record"]  # the description only
    assert ids(api, q="年龄段") == ["village_population"]  # a field title only
    assert ids(api, q="企业 网格") == []  # both words must occur
    assert ids(api, q="Enterprise") == ["enterprise_directory"]  # English descriptions, case-folded


def test_facets_count_what_was_found(api: httpx.Client) -> None:
    everything = api.get("/v1/datasets").json()
    assert everything["total"] == len(everything["datasets"]) == 5
    departments = Counter(d["owner_department"] for d in everything["datasets"])
    assert {c["value"]: c["count"] for c in everything["facets"]["department"]} == departments
    assert {c["value"]: c["count"] for c in everything["facets"]["open_level"]} == Counter(
        d["open_level"] for d in everything["datasets"]
    )
    assert everything["facets"]["theme"] == [{"value": "未标注", "count": 5}]  # the catalog has no themes yet

    department, count = departments.most_common(1)[0]
    narrowed = api.get("/v1/datasets", params={"department": department}).json()
    assert narrowed["total"] == count and {d["owner_department"] for d in narrowed["datasets"]} == {department}
    found = api.get("/v1/datasets", params={"q": "村居"}).json()
    assert sum(c["count"] for c in found["facets"]["department"]) == found["total"] == len(found["datasets"])
    assert api.get("/v1/datasets", params={"q": "x" * 201}).status_code == 422

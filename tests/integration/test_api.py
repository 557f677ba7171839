"""The open-data API started for real with uvicorn, read over HTTP, while publish switches versions under it (the
writers the API reads only: rosters and the analyst database are not what these tests are about)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from catalog.datasets import load_datasets
from orchestration.publish import publish
from tests.support.api import API_WRITERS, page_all, serve, warehouse_rows
from tests.support.marts import make_warehouse
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = Settings(data_dir=tmp_path_factory.mktemp("api") / "data")
    make_warehouse(s)
    return s


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    """A server started before anything is published; the first tests see it empty."""
    yield from serve(settings)


def test_503_before_the_first_publish(api: httpx.Client) -> None:
    for path in ["/health", "/v1/datasets", "/v1/datasets/village/records"]:
        r = api.get(path)
        assert r.status_code == 503
        assert "no published snapshot" in r.json()["detail"]


@pytest.fixture(scope="module")
def published(api: httpx.Client, settings: Settings, dbt_manifest: Path) -> str:
    return publish(settings, dbt_manifest, API_WRITERS).version


def test_health_names_the_version(api: httpx.Client, published: str) -> None:
    body = api.get("/health").json()
    assert body["status"] == "ok" and body["version"] == published and body["created_at"]


def test_dataset_index_and_one_dataset(api: httpx.Client, published: str, dbt_manifest: Path) -> None:
    index = api.get("/v1/datasets").json()
    assert index["version"] == published
    ids = [d["id"] for d in index["datasets"]]
    assert ids == sorted(d.id for d in load_datasets(dbt_manifest) if d.published_to("api"))
    assert {"credit_record", "enterprise_directory", "grid_event", "village", "village_population"} <= set(ids)
    credit = api.get("/v1/datasets/credit_record").json()
    assert credit["title"] == "信用记录" and credit["open_level"] == "有条件开放" and credit["rows"] == 2500
    decided = next(f for f in credit["fields"] if f["name"] == "decided_on")
    assert (decided["title"], decided["data_type"]) == ("决定日期", "DATE")
    # the public sees no quasi-identifier or sensitive field: who the subject is and what the record says
    assert not {"subject_key", "record_type", "title"} & {f["name"] for f in credit["fields"]}
    grid = api.get("/v1/datasets/grid_event").json()
    assert grid["open_level"] == "无条件开放" and grid["rows"] == 300
    assert "中台开放数据接口" in api.get("/openapi.json").json()["info"]["title"]
    assert api.get("/docs").status_code == 200


def test_paging_returns_every_record_exactly_once(api: httpx.Client, settings: Settings, published: str) -> None:
    records = page_all(api, "grid_event", limit=33)
    ids = [r["event_no"] for r in records]
    assert ids == sorted(r[0] for r in warehouse_rows(settings, "select event_no from marts.grid_event"))
    first = {"event_no": "GE0000000", "category": "治安隐患", "event_type": "占道经营"}
    first |= {"department": "区城市管理和综合执法局", "grid_code": "G0000", "village_code": "440604001001"}
    first |= {"reported_at": "2026-01-01T08:00:00+08:00", "closed_at": None, "status": "办理中", "days_to_close": None}
    first |= {"is_repeat_at_address": False}
    second = {"event_no": "GE0000001", "category": "环境卫生", "event_type": "垃圾堆放"}
    second |= {"department": "区应急管理局", "grid_code": "G0001", "village_code": "440604001002"}
    second |= {"reported_at": "2026-01-01T09:37:00+08:00", "closed_at": "2026-01-02T09:37:00+08:00"}
    second |= {"status": "已办结", "days_to_close": 1, "is_repeat_at_address": False}
    assert records[:2] == [first, second]
    population = page_all(api, "village_population", limit=4)
    keys = [(r["village_code"], r["residents"]) for r in population]
    assert keys == warehouse_rows(settings, "select village_code, residents from marts.village_population order by 1")
    last = api.get("/v1/datasets/village/records", params={"limit": 1000}).json()
    assert len(last["records"]) == 12 and last["next_cursor"] is None


def test_dcat_catalogue_and_csv_export(api: httpx.Client, published: str) -> None:
    r = api.get("/v1/catalog.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    catalog = r.json()
    assert catalog["@type"] == "dcat:Catalog" and catalog["dcat:version"] == published
    assert "credit_record" in {d["dct:identifier"] for d in catalog["dcat:dataset"]}

    export = api.get("/v1/datasets/grid_event/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.splitlines()
    assert lines[0] == (
        "event_no,category,event_type,department,grid_code,village_code,reported_at,closed_at,status,days_to_close,"
        "is_repeat_at_address"
    )
    assert len(lines) == 1 + 300
    assert api.get("/v1/datasets/grid_event").json()["export_url"] == "/v1/datasets/grid_event/export.csv"
    assert api.get("/v1/datasets/credit_record").json()["export_url"] is None
    assert api.get("/v1/datasets/credit_record/export.csv").status_code == 403
    assert api.get("/v1/datasets/nope/export.csv").status_code == 404

    lineage = api.get("/v1/datasets/credit_record/lineage").json()
    assert lineage["version"] == published and lineage["dataset"] == "credit_record"
    served = [f["name"] for f in api.get("/v1/datasets/credit_record").json()["fields"]]
    assert [f["name"] for f in lineage["fields"]] == served


def test_errors(api: httpx.Client, published: str) -> None:
    r = api.get("/v1/datasets/no_such")
    assert r.status_code == 404 and "no_such" in r.json()["detail"]
    assert api.get("/v1/datasets/natural_person/records").status_code == 404  # not published to the API
    for cursor in ["%%%", "bm90IGpzb24", base64.urlsafe_b64encode(b'["a", "b"]').decode(), "W3t9XQ"]:
        r = api.get("/v1/datasets/grid_event/records", params={"cursor": cursor})
        assert r.status_code == 400, cursor
        assert r.json()["detail"].startswith("bad cursor")
    assert api.get("/v1/datasets/grid_event/records", params={"limit": 0}).status_code == 422
    assert api.get("/v1/datasets/grid_event/records", params={"limit": 1001}).status_code == 422
    r = api.get("/v1/datasets/credit_record/records")
    assert r.status_code == 403 and "有条件开放" in r.json()["detail"]


def test_publishing_while_paging(api: httpx.Client, settings: Settings, published: str, dbt_manifest: Path) -> None:
    first = api.get("/v1/datasets/grid_event/records", params={"limit": 100}).json()
    cursor = first["next_cursor"]
    assert first["version"] == published
    before = sorted(r[0] for r in warehouse_rows(settings, "select event_no from marts.grid_event"))

    # The district moves on: records after the cursor disappear and appear before the next publish.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("delete from marts.grid_event where event_no between 'GE0000150' and 'GE0000199'")
        con.execute(
            "insert into marts.grid_event select * replace ('GE9' || substr(event_no, 4) as event_no) "
            "from marts.grid_event where event_no < 'GE0000010'"
        )

    failures: list[str] = []
    served: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=api.base_url, timeout=10) as c:
            while not stop.is_set():
                for path in ["/health", "/v1/datasets", "/v1/datasets/village_population/records?limit=50"]:
                    r = c.get(path)
                    if r.status_code != 200:
                        failures.append(f"{path}: {r.status_code} {r.text}")
                    served.append(r.json().get("version", ""))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        versions = [publish(settings, dbt_manifest, API_WRITERS).version for _ in range(3)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[:3]
    assert len(served) > 30 and len(set(served) - {""}) >= 2  # readers really ran across the switches

    rest, page = [], {"next_cursor": cursor}
    while page["next_cursor"]:
        page = api.get("/v1/datasets/grid_event/records", params={"limit": 40, "cursor": page["next_cursor"]})
        page = page.json()
        assert page["version"] == published  # the cursor pins the version its walk started on
        rest += [r["event_no"] for r in page["records"]]
    ids = [r["event_no"] for r in first["records"]] + rest
    assert len(ids) == 300 and ids == before  # no record of the later versions mixed in, none lost
    fresh = page_all(api, "grid_event", limit=100)  # a new walk reads the newest version
    assert [r["event_no"] for r in fresh] == sorted(
        r[0] for r in warehouse_rows(settings, "select event_no from marts.grid_event")
    )
    assert len(fresh) == 300 - 50 + 10
    assert api.get("/health").json()["version"] == versions[-1]
    assert (settings.published_dir / published / "serving.duckdb").is_file()


def test_a_composite_key_pages_in_key_order(
    api: httpx.Client, settings: Settings, published: str, dbt_manifest: Path, tmp_path: Path
) -> None:
    """No mart of the project has a composite key on the API yet: the real manifest, with grid_event keyed by
    (village_code, event_no), pages every record once in that order."""
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    manifest["nodes"]["model.zhongtai.grid_event"]["config"]["meta"]["primary_key"] = ["village_code", "event_no"]
    composite = tmp_path / "manifest.json"
    composite.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    publish(settings, composite, API_WRITERS)
    records = page_all(api, "grid_event", limit=7)
    keys = [(r["village_code"], r["event_no"]) for r in records]
    assert keys == warehouse_rows(settings, "select village_code, event_no from marts.grid_event order by 1, 2")
    assert len(keys) > 7 * 2

"""The open-data API started for real with uvicorn, read over HTTP, while publish switches versions under it."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from orchestration.publish import publish
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "marts"
MANIFEST = FIXTURES / "manifest.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = Settings(data_dir=tmp_path_factory.mktemp("api") / "data")
    s.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(s.warehouse_path)) as con:
        con.execute((FIXTURES / "warehouse.sql").read_text(encoding="utf-8"))
    return s


def serve(settings: Settings) -> Iterator[httpx.Client]:
    port = free_port()
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir)}
    command = [sys.executable, "-m", "uvicorn", "apis.main:create_app", "--factory", "--host", "127.0.0.1"]
    proc = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        for _ in range(200):
            try:
                client.get("/health")
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
                time.sleep(0.05)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    """A server started before anything is published; the first tests see it empty."""
    yield from serve(settings)


def warehouse_rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def page_all(api: httpx.Client, dataset: str, limit: int) -> list[dict]:
    records, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = api.get(f"/v1/datasets/{dataset}/records", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        records += body["records"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return records
        assert len(body["records"]) == limit and pages < 10_000


def test_503_before_the_first_publish(api: httpx.Client) -> None:
    for path in ["/health", "/v1/datasets", "/v1/datasets/village/records"]:
        r = api.get(path)
        assert r.status_code == 503
        assert "no published snapshot" in r.json()["detail"]


@pytest.fixture(scope="module")
def published(api: httpx.Client, settings: Settings) -> str:
    return publish(settings, MANIFEST).version


def test_health_names_the_version(api: httpx.Client, published: str) -> None:
    body = api.get("/health").json()
    assert body["status"] == "ok" and body["version"] == published and body["created_at"]


def test_dataset_index_and_one_dataset(api: httpx.Client, published: str) -> None:
    index = api.get("/v1/datasets").json()
    assert index["version"] == published
    ids = [d["id"] for d in index["datasets"]]
    assert ids == ["credit_record", "enterprise_directory", "grid_event", "village", "village_population"]
    credit = api.get("/v1/datasets/credit_record").json()
    assert credit["title"] == "信用记录" and credit["open_level"] == "无条件开放" and credit["rows"] == 2500
    assert {"name": "decision_date", "title": "决定日期", "description": "", "data_type": "DATE"} in credit["fields"]
    grid = api.get("/v1/datasets/grid_event").json()
    assert "reporter_phone" not in [f["name"] for f in grid["fields"]]
    assert "中台开放数据接口" in api.get("/openapi.json").json()["info"]["title"]
    assert api.get("/docs").status_code == 200


def test_paging_returns_every_record_exactly_once(api: httpx.Client, settings: Settings, published: str) -> None:
    records = page_all(api, "credit_record", limit=333)
    ids = [r["record_id"] for r in records]
    assert ids == sorted(r[0] for r in warehouse_rows(settings, "select record_id from marts.credit_record"))
    assert records[0] == {
        "record_id": "CR0000000", "subject_uscc": "91440604000000000X", "subject_name": "佛山市禅城区企业0",
        "category": "行政许可", "decision_date": "2020-01-01", "department": "区市场监督管理局", "content": "第0号决定",
    }  # fmt: skip
    # A composite key (village, sex, age band), paged in small steps.
    population = page_all(api, "village_population", limit=7)
    keys = [(r["village_code"], r["sex"], r["age_band"], r["population"]) for r in population]
    assert keys == warehouse_rows(
        settings, "select village_code, sex, age_band, population from marts.village_population order by 1, 2, 3"
    )
    last = api.get("/v1/datasets/village/records", params={"limit": 1000}).json()
    assert len(last["records"]) == 12 and last["next_cursor"] is None


def test_dcat_catalogue_and_csv_export(api: httpx.Client, published: str) -> None:
    r = api.get("/v1/catalog.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    catalog = r.json()
    assert catalog["@type"] == "dcat:Catalog" and catalog["dcat:version"] == published
    assert "credit_record" in {d["dct:identifier"] for d in catalog["dcat:dataset"]}

    export = api.get("/v1/datasets/credit_record/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.splitlines()
    assert lines[0] == "record_id,subject_uscc,subject_name,category,decision_date,department,content"
    assert len(lines) == 1 + 2500
    assert api.get("/v1/datasets/credit_record").json()["export_url"] == "/v1/datasets/credit_record/export.csv"
    assert api.get("/v1/datasets/grid_event/export.csv").status_code == 403
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
        r = api.get("/v1/datasets/credit_record/records", params={"cursor": cursor})
        assert r.status_code == 400, cursor
        assert r.json()["detail"].startswith("bad cursor")
    assert api.get("/v1/datasets/credit_record/records", params={"limit": 0}).status_code == 422
    assert api.get("/v1/datasets/credit_record/records", params={"limit": 1001}).status_code == 422
    r = api.get("/v1/datasets/grid_event/records")
    assert r.status_code == 403 and "有条件开放" in r.json()["detail"]


def test_publishing_while_paging(api: httpx.Client, settings: Settings, published: str) -> None:
    first = api.get("/v1/datasets/credit_record/records", params={"limit": 1000}).json()
    cursor = first["next_cursor"]
    assert first["version"] == published
    before = sorted(r[0] for r in warehouse_rows(settings, "select record_id from marts.credit_record"))

    # The district moves on: records after the cursor disappear and appear before the next publish.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("delete from marts.credit_record where record_id between 'CR0001500' and 'CR0001599'")
        con.execute(
            "insert into marts.credit_record select 'CR9' || substr(record_id, 4), subject_uscc, subject_name,"
            " category, decision_date, department, content from marts.credit_record where record_id < 'CR0000010'"
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
        versions = [publish(settings, MANIFEST).version for _ in range(3)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[:3]
    assert len(served) > 30 and len(set(served) - {""}) >= 2  # readers really ran across the switches

    rest, page = [], {"next_cursor": cursor}
    while page["next_cursor"]:
        page = api.get("/v1/datasets/credit_record/records", params={"limit": 400, "cursor": page["next_cursor"]})
        page = page.json()
        assert page["version"] == published  # the cursor pins the version its walk started on
        rest += [r["record_id"] for r in page["records"]]
    ids = [r["record_id"] for r in first["records"]] + rest
    assert ids == before  # no record of the later versions mixed in, none lost
    fresh = page_all(api, "credit_record", limit=1000)  # a new walk reads the newest version
    assert [r["record_id"] for r in fresh] == sorted(
        r[0] for r in warehouse_rows(settings, "select record_id from marts.credit_record")
    )
    assert api.get("/health").json()["version"] == versions[-1]
    assert (settings.published_dir / published / "serving.duckdb").is_file()

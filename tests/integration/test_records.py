"""The records endpoint over real HTTP: filters, sort, field selection, totals, signed cursors, 304 and formats."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import pytest

from orchestration.publish import publish
from tests.integration.test_api import MANIFEST, serve, warehouse_rows
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

RECORDS = "/v1/datasets/credit_record/records"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = Settings(data_dir=tmp_path_factory.mktemp("records") / "data")
    s.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(s.warehouse_path)) as con:
        con.execute((MANIFEST.parent / "warehouse.sql").read_text(encoding="utf-8"))
    return s


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    publish(settings, MANIFEST)
    yield from serve(settings)


def walk(api: httpx.Client, params: dict[str, Any], path: str = RECORDS) -> tuple[list[dict], set[str]]:
    """Every page of a query; the records and the versions the pages said they came from."""
    records: list[dict] = []
    versions: set[str] = set()
    cursor = None
    while True:
        r = api.get(path, params=params | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        body = r.json()
        records += body["records"]
        versions.add(body["version"])
        cursor = body["next_cursor"]
        if cursor is None:
            return records, versions


def expected(settings: Settings, sql: str) -> list[tuple]:
    return warehouse_rows(settings, sql)


def test_filters_sort_and_cursor_walk(api: httpx.Client, settings: Settings) -> None:
    params = {
        "filter": ["category:eq:行政许可", "decision_date:ge:2020-03-01", "decision_date:le:2020-12-31"],
        "sort": "-decision_date",
        "limit": 37,
        "total": "true",
    }
    records, versions = walk(api, params)
    want = expected(
        settings,
        "select record_id, decision_date from marts.credit_record where category = '行政许可'"
        " and decision_date between date '2020-03-01' and date '2020-12-31' order by decision_date desc, record_id",
    )
    assert len(want) > 37 * 2  # several pages, so the cursor really carried the sort
    assert [(r["record_id"], r["decision_date"]) for r in records] == [(a, b.isoformat()) for a, b in want]
    assert len(versions) == 1
    first = api.get(RECORDS, params=params).json()
    assert first["total"] == len(want) and first["sort"] == ["-decision_date", "record_id"]


def test_in_prefix_and_fields(api: httpx.Client, settings: Settings) -> None:
    body = api.get(
        RECORDS,
        params={
            "filter": ["department:in:区市场监督管理局,区应急管理局", "subject_name:prefix:佛山市禅城区企业1"],
            "fields": "subject_name,record_id",
            "limit": 1000,
        },
    ).json()
    want = expected(
        settings,
        "select subject_name, record_id from marts.credit_record where department in"
        " ('区市场监督管理局', '区应急管理局') and starts_with(subject_name, '佛山市禅城区企业1')"
        " order by record_id",
    )
    assert want
    assert [tuple(r.values()) for r in body["records"]] == want
    assert all(list(r) == ["subject_name", "record_id"] for r in body["records"])


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"filter": "nope:eq:1"}, "unknown_field", "nope"),
        ({"filter": "category:like:%"}, "bad_operator", "category"),
        ({"filter": "decision_date:eq:yesterday"}, "bad_value", "decision_date"),
        ({"filter": "decision_date:prefix:2020"}, "bad_operator", "decision_date"),
        ({"filter": "category"}, "bad_filter", "filter"),
        ({"filter": "category'; drop table credit_record; --:eq:1"}, "unknown_field", None),
        ({"filter": "category:eq:x' or '1'='1"}, None, None),  # a value is bound, so it simply matches nothing
        ({"sort": "content"}, "not_sortable", "sort"),
        ({"sort": "record_id; drop table credit_record"}, "unknown_field", "sort"),
        ({"sort": '"record_id" desc, (select 1)'}, "unknown_field", "sort"),
        ({"fields": "record_id,secret"}, "unknown_field", "fields"),
    ],
)
def test_bad_requests_name_what_is_wrong(api: httpx.Client, params: dict, code: str | None, param: str | None) -> None:
    r = api.get(RECORDS, params=params)
    if code is None:
        assert r.status_code == 200 and r.json()["records"] == []
        return
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == code and body["message_zh"] and body["message_en"]
    assert body["detail"] == f"{body['message_en']} ({body['message_zh']})"
    if param is not None:
        assert body["param"] == param
    assert api.get(RECORDS, params={"limit": 1}).status_code == 200  # the table is still there


def test_forged_and_foreign_cursors(api: httpx.Client) -> None:
    page = api.get(RECORDS, params={"limit": 5, "sort": "-decision_date"}).json()
    cursor = page["next_cursor"]
    head, _, signature = cursor.rpartition(".")
    forged = head + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    r = api.get(RECORDS, params={"cursor": forged, "sort": "-decision_date"})
    assert r.status_code == 400 and r.json()["code"] == "bad_cursor"
    r = api.get(RECORDS, params={"cursor": cursor})  # the same cursor with another sort
    assert r.status_code == 400 and r.json()["code"] == "foreign_cursor"
    r = api.get("/v1/datasets/village/records", params={"cursor": cursor, "sort": "-decision_date"})
    assert r.status_code == 400, r.text
    assert api.get(RECORDS, params={"cursor": cursor, "sort": "-decision_date"}).status_code == 200


def test_etag_and_last_modified(api: httpx.Client) -> None:
    r = api.get(RECORDS, params={"limit": 3})
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    again = api.get(RECORDS, params={"limit": 3}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert api.get(RECORDS, params={"limit": 3}, headers={"If-Modified-Since": modified}).status_code == 304
    assert api.get(RECORDS, params={"limit": 4}, headers={"If-None-Match": etag}).status_code == 200
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert api.get(RECORDS, params={"limit": 3}, headers={"If-Modified-Since": old}).status_code == 200


def test_csv_and_json_lines(api: httpx.Client, settings: Settings) -> None:
    want = expected(settings, "select record_id, decision_date from marts.credit_record order by record_id")
    with api.stream("GET", RECORDS, params={"format": "csv", "fields": "record_id,decision_date"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        lines = "".join(r.iter_text()).splitlines()
    assert lines[0] == "record_id,decision_date"
    assert lines[1:] == [f"{a},{b.isoformat()}" for a, b in want]

    r = api.get(RECORDS, params={"format": "jsonl", "limit": 1000, "total": "true"})
    assert r.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert [row["record_id"] for row in rows] == [a for a, _ in want[:1000]]
    assert r.headers["x-total-count"] == str(len(want))
    nxt = api.get(RECORDS, params={"format": "jsonl", "limit": 1000, "cursor": r.headers["x-next-cursor"]})
    assert json.loads(nxt.text.splitlines()[0])["record_id"] == want[1000][0]


def test_a_walk_stays_on_its_version(api: httpx.Client, settings: Settings) -> None:
    first = api.get(RECORDS, params={"limit": 100}).json()
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("delete from marts.credit_record where record_id < 'CR0000200'")
        con.execute("update marts.credit_record set content = 'changed' where record_id >= 'CR0002000'")
    newer = publish(settings, MANIFEST).version
    assert api.get("/health").json()["version"] == newer
    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = api.get(RECORDS, params={"limit": 1000, "cursor": cursor}).json()
        assert page["version"] == first["version"]
        rest += page["records"]
        cursor = page["next_cursor"]
    assert "changed" not in {r["content"] for r in rest}
    assert len(first["records"]) + len(rest) == 2500
    # Once the version is gone, its cursor says so rather than silently switching.
    shutil.rmtree(settings.published_dir / first["version"])
    r = api.get(RECORDS, params={"cursor": first["next_cursor"]})
    assert r.status_code == 410 and r.json()["code"] == "version_gone"

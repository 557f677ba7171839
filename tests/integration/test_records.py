"""The records endpoint over real HTTP: filters, sort, field selection, totals, signed cursors, 304 and formats, on the
fixture warehouse's grid events (open to all); conditional data answers 403."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from apis.deps import get_snapshot, key_ordered
from orchestration.publish import publish
from tests.support.api import API_WRITERS, published_settings, serve, warehouse_rows
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

RECORDS = "/v1/datasets/grid_event/records"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return published_settings(tmp_path_factory.mktemp("records"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
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


def test_filters_sort_and_cursor_walk(api: httpx.Client, settings: Settings) -> None:
    since, until = "2026-01-03T00:00:00+08:00", "2026-01-15T08:00:00+08:00"
    params = {
        "filter": ["status:eq:已办结", f"reported_at:ge:{since}", f"reported_at:lt:{until}"],
        "sort": "-days_to_close",
        "limit": 37,
        "total": "true",
    }
    records, versions = walk(api, params)
    want = warehouse_rows(
        settings,
        "select event_no, days_to_close from marts.grid_event where status = '已办结'"
        f" and reported_at >= timestamptz '{since}' and reported_at < timestamptz '{until}'"
        " order by days_to_close desc, event_no",
    )
    assert len(want) > 37 * 2  # several pages, so the cursor really carried the sort over its ties
    assert [(r["event_no"], r["days_to_close"]) for r in records] == want
    assert len(versions) == 1
    first = api.get(RECORDS, params=params).json()
    assert first["total"] == len(want) and first["sort"] == ["-days_to_close", "event_no"]


def test_serving_tables_are_stored_in_key_order_with_keys_that_are_never_null(settings: Settings) -> None:
    """What the keyset SQL relies on (apis/records.py): no null keys, rows in key order, marked as such."""
    snapshot = get_snapshot(settings)
    ordered = key_ordered(snapshot)
    assert ordered == set(snapshot.datasets) and "grid_event" in ordered
    with duckdb.connect(str(settings.current_snapshot / "serving.duckdb"), read_only=True) as con:
        for dataset_id, entry in snapshot.datasets.items():
            keys = entry["primary_key"]
            nullable = con.execute(
                "select column_name from information_schema.columns where table_name = ? and is_nullable = 'YES'",
                [dataset_id],
            ).fetchall()
            assert not set(keys) & {n for (n,) in nullable}, dataset_id
            stored = con.execute(f"select {', '.join(keys)} from {dataset_id}").fetchall()
            assert stored == sorted(stored), dataset_id


def test_in_prefix_and_fields(api: httpx.Client, settings: Settings) -> None:
    body = api.get(
        RECORDS,
        params={
            "filter": ["department:in:区应急管理局,区司法局", "grid_code:prefix:G001"],
            "fields": "grid_code,event_no",
            "limit": 1000,
        },
    ).json()
    want = warehouse_rows(
        settings,
        "select grid_code, event_no from marts.grid_event where department in ('区应急管理局', '区司法局')"
        " and starts_with(grid_code, 'G001') order by event_no",
    )
    assert len(want) > 10
    assert [tuple(r.values()) for r in body["records"]] == want
    assert all(list(r) == ["grid_code", "event_no"] for r in body["records"])


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"filter": "nope:eq:1"}, "unknown_field", "nope"),
        ({"filter": "category:like:%"}, "bad_operator", "category"),
        ({"filter": "reported_at:eq:yesterday"}, "bad_value", "reported_at"),
        ({"filter": "days_to_close:eq:1.5"}, "bad_value", "days_to_close"),
        ({"filter": "days_to_close:prefix:1"}, "bad_operator", "days_to_close"),
        ({"filter": "category"}, "bad_filter", "filter"),
        ({"filter": "category'; drop table grid_event; --:eq:1"}, "unknown_field", None),
        ({"filter": "category:eq:x' or '1'='1"}, None, None),  # a value is bound, so it simply matches nothing
        ({"sort": "category"}, "not_sortable", "sort"),
        ({"sort": "event_no; drop table grid_event"}, "unknown_field", "sort"),
        ({"sort": '"event_no" desc, (select 1)'}, "unknown_field", "sort"),
        ({"fields": "event_no,secret"}, "unknown_field", "fields"),
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
    page = api.get(RECORDS, params={"limit": 5, "sort": "-reported_at"}).json()
    cursor = page["next_cursor"]
    head, _, signature = cursor.rpartition(".")
    forged = head + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    r = api.get(RECORDS, params={"cursor": forged, "sort": "-reported_at"})
    assert r.status_code == 400 and r.json()["code"] == "bad_cursor"
    r = api.get(RECORDS, params={"cursor": cursor})  # the same cursor with another sort
    assert r.status_code == 400 and r.json()["code"] == "foreign_cursor"
    r = api.get("/v1/datasets/village/records", params={"cursor": cursor, "sort": "-reported_at"})
    assert r.status_code == 400, r.text
    assert api.get(RECORDS, params={"cursor": cursor, "sort": "-reported_at"}).status_code == 200


def test_conditional_data_needs_an_application(api: httpx.Client) -> None:
    for params in [{"limit": 1}, {"format": "csv"}]:
        r = api.get("/v1/datasets/credit_record/records", params=params)
        assert r.status_code == 403, r.text
        body = r.json()
        assert body["code"] == "needs_application" and "有条件开放" in body["message_zh"]


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
    want = warehouse_rows(settings, "select event_no, days_to_close from marts.grid_event order by event_no")
    assert None in {d for _, d in want}  # open events have no days to close: an empty CSV cell
    with api.stream("GET", RECORDS, params={"format": "csv", "fields": "event_no,days_to_close"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        lines = "".join(r.iter_text()).splitlines()
    assert lines[0] == "event_no,days_to_close"
    assert lines[1:] == [f"{a},{'' if b is None else b}" for a, b in want]

    r = api.get(RECORDS, params={"format": "jsonl", "limit": 100, "total": "true"})
    assert r.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert [(row["event_no"], row["days_to_close"]) for row in rows] == want[:100]
    assert r.headers["x-total-count"] == str(len(want)) == "300"
    nxt = api.get(RECORDS, params={"format": "jsonl", "limit": 100, "cursor": r.headers["x-next-cursor"]})
    assert json.loads(nxt.text.splitlines()[0])["event_no"] == want[100][0]


def test_a_walk_stays_on_its_version(api: httpx.Client, settings: Settings, dbt_manifest: Path) -> None:
    first = api.get(RECORDS, params={"limit": 100}).json()
    before = [r[0] for r in warehouse_rows(settings, "select event_no from marts.grid_event order by event_no")]
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("delete from marts.grid_event where event_no between 'GE0000150' and 'GE0000199'")
        con.execute("update marts.grid_event set category = 'changed' where event_no >= 'GE0000250'")
    newer = publish(settings, dbt_manifest, API_WRITERS).version  # the writers the API reads
    assert api.get("/health").json()["version"] == newer != first["version"]
    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = api.get(RECORDS, params={"limit": 1000, "cursor": cursor}).json()
        assert page["version"] == first["version"]
        rest += page["records"]
        cursor = page["next_cursor"]
    assert "changed" not in {r["category"] for r in rest}
    assert [r["event_no"] for r in first["records"] + rest] == before and len(before) == 300
    # Once the version is gone, its cursor says so rather than silently switching.
    shutil.rmtree(settings.published_dir / first["version"])
    r = api.get(RECORDS, params={"cursor": first["next_cursor"]})
    assert r.status_code == 410 and r.json()["code"] == "version_gone"

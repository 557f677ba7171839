"""A records page as the API reads it (apis.records.read_page) on real DuckDB: keyset SQL that zone maps can prune on a
table stored the way the serving writer stores it, one answer for values DuckDB refuses, and JSON that orjson encodes
exactly as FastAPI's jsonable_encoder did."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from fastapi.encoders import jsonable_encoder

from apis import records
from apis.deps import current_notice
from orchestration.publish.serving import ROW_GROUP_ROWS
from zhongtai.notice import clear_stale, mark_stale

ENTRY = {
    "id": "t",
    "primary_key": ["id"],
    "fields": [
        {"name": "id", "data_type": "INTEGER"},
        {"name": "score", "data_type": "DECIMAL(9,2)"},
        {"name": "at", "data_type": "TIMESTAMP WITH TIME ZONE"},
        {"name": "name", "data_type": "VARCHAR"},
    ],
}
ROWS = 40 * ROW_GROUP_ROWS


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """A table written as orchestration/publish/serving.py writes one: small row groups, in key order."""
    path = tmp_path_factory.mktemp("serving") / "serving.duckdb"
    with duckdb.connect() as writer:
        writer.execute(f"attach '{path}' as serving (row_group_size {ROW_GROUP_ROWS})")
        writer.execute(
            "create table serving.t as select * from (select i as id,"
            " case when i % 4 = 0 then null else cast(i % 5 as decimal(9,2)) end as score,"
            " timestamptz '2026-01-01 08:00:00+08' + to_minutes(i) as at, 'n' || i as name"
            f" from range({ROWS}) r(i) order by hash(i)) order by id"
        )
        writer.execute("alter table serving.t alter column id set not null")
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'Asia/Shanghai'")
    return con


def scanned(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> int:
    """The rows DuckDB's table scan produced for `sql` (EXPLAIN ANALYZE)."""
    plan = con.execute("explain analyze " + sql, params).fetchall()[0][1]
    found = re.search(r"TABLE_SCAN.*?([\d,]+) rows", plan, re.S)
    assert found, plan
    return int(found.group(1).replace(",", ""))


def test_the_key_arm_is_a_plain_comparison_and_a_nullable_sort_field_keeps_its_null_arm() -> None:
    query = records.parse_query(ENTRY, "v1", sort="-score")
    sql, params, _ = records.select_sql(query, [3, 17], 10)
    assert '("score" < ? or "score" is null)' in sql
    assert '"id" > ?' in sql and '"id" is null' not in sql and '"id" > ? or' not in sql
    assert params == [3, 3, 17, 10, 0]


@pytest.mark.parametrize("in_order", [False, True])
@pytest.mark.parametrize("filters", [(), ("score:eq:1",)])
def test_a_deep_page_reads_a_few_row_groups_not_the_table(
    stored: duckdb.DuckDBPyConnection, filters: tuple, in_order: bool
) -> None:
    query = records.parse_query(ENTRY, "v1", filters=filters, stored_in_key_order=in_order)
    after = 5 * ROW_GROUP_ROWS + 7  # 35 row groups follow: a scan of them gives far more rows than two groups hold
    first, params, _ = records.select_sql(query, None, 51)
    deep, deep_params, _ = records.select_sql(query, [after], 51)
    # an `or id is null` arm made every page scan the rest of the table; a table not in key order, all of it
    assert scanned(stored, first, params) <= 2 * ROW_GROUP_ROWS
    assert scanned(stored, deep, deep_params) <= 2 * ROW_GROUP_ROWS
    page = records.read_page(stored, query, [after], 50, "s")
    ids = [row[0] for row in page.rows]
    assert len(ids) == 50 and ids == sorted(ids) and ids[0] > after
    assert all(i % 5 == 1 and i % 4 for i in ids) if filters else ids == list(range(after + 1, after + 51))


@pytest.mark.parametrize(("sort", "order_by"), [("-score", "score desc nulls last, id"), (None, "id")])
def test_read_page_walks_every_row_once_in_order_with_chosen_fields(
    stored: duckdb.DuckDBPyConnection, sort: str | None, order_by: str
) -> None:
    query = records.parse_query(
        ENTRY, "v1", filters=["id:lt:25000"], sort=sort, fields="name,score", stored_in_key_order=True
    )
    assert ("order by" in records.select_sql(query, None, 10)[0]) is (sort is not None)  # key order: as stored
    want = stored.execute(f"select name, score from t where id < 25000 order by {order_by}").fetchall()
    got: list[tuple] = []
    keys = None
    while True:
        page = records.read_page(stored, query, keys, 3333, "s")
        got += page.rows
        if page.next_cursor is None:
            break
        _, payload = records.cursor_version("s", page.next_cursor)
        keys = records.cursor_keys(payload, query)
    assert got == want and len(got) == 25000


def test_a_whole_read_in_key_order_streams_without_a_sort(stored: duckdb.DuckDBPyConnection) -> None:
    sorted_query = records.parse_query(ENTRY, "v1")
    as_stored = records.parse_query(ENTRY, "v1", stored_in_key_order=True)
    plans = {}
    for name, query in (("sorted", sorted_query), ("as stored", as_stored)):
        sql, params, _ = records.select_sql(query, None, None)
        plans[name] = stored.execute("explain " + sql, params).fetchall()[0][1]
        ids = [r[0] for r in stored.execute(sql, params).fetchall()]
        assert ids == list(range(ROWS))
    assert "ORDER_BY" in plans["sorted"] and "ORDER_BY" not in plans["as stored"]


def test_a_value_duckdb_cannot_convert_is_a_400_not_a_500(stored: duckdb.DuckDBPyConnection) -> None:
    # the types are checked before a query runs, so this is the safety net: any conversion DuckDB refuses
    for sql in ("select cast('x' as integer)", "select cast(1e30 as integer)", "select strptime('x', '%Y')"):
        with pytest.raises(records.ApiError) as err, records.value_errors():
            stored.execute(sql).fetchall()
        assert err.value.status_code == 400 and err.value.body.code == "bad_value"
        assert "does not fit its field" in err.value.body.detail


def test_json_response_encodes_as_jsonable_encoder_did(stored: duckdb.DuckDBPyConnection) -> None:
    query = records.parse_query(ENTRY, "v1")
    page = records.read_page(stored, query, None, 8, "s")
    body = {"records": page.records(query.fields), "next_cursor": page.next_cursor, "total": None}
    assert any(r["score"] is None for r in body["records"]) and body["records"][1]["at"].tzinfo is not None
    got = json.loads(records.json_response(body).body)
    assert got == json.loads(json.dumps(jsonable_encoder(body)))
    assert got["records"][1]["at"] == "2026-01-01T08:01:00+08:00" and got["records"][1]["score"] == 1.0
    huge = {"records": [{"n": 2**70}]}  # a hugeint orjson cannot hold: still answered
    assert json.loads(records.json_response(huge).body) == huge


def test_the_stale_notice_is_read_again_only_when_it_changes(tmp_path: Path) -> None:
    assert current_notice(tmp_path) == {"stale": False}
    mark_stale(tmp_path, "a blocking check failed")
    assert current_notice(tmp_path)["stale"] is True
    assert current_notice(tmp_path) is current_notice(tmp_path)  # unchanged file: the parsed notice is reused
    clear_stale(tmp_path, "v2")
    cleared = current_notice(tmp_path)
    assert cleared["stale"] is False and cleared["version"] == "v2"

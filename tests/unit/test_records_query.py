"""Keyset paging built by apis.records, walked on a real DuckDB table with nulls and ties in the sort columns."""

from __future__ import annotations

import duckdb
import pytest

from apis import records

ENTRY = {
    "id": "t",
    "primary_key": ["id"],
    "fields": [
        {"name": "id", "data_type": "INTEGER"},
        {"name": "score", "data_type": "DECIMAL(9,2)"},
        {"name": "day", "data_type": "DATE"},
        {"name": "name", "data_type": "VARCHAR"},
    ],
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(
        "create table t as select i as id, case when i % 4 = 0 then null else cast(i % 5 as decimal(9,2)) end as score,"
        " case when i % 7 = 0 then null else date '2024-01-01' + cast(i % 3 as integer) end as day,"
        " 'n' || i as name from range(97) r(i)"
    )
    return c


@pytest.mark.parametrize("sort", ["score", "-score", "-day,score", "day,-score", "-id", None])
@pytest.mark.parametrize("limit", [1, 6, 50])
def test_walk_equals_one_ordered_query(con: duckdb.DuckDBPyConnection, sort: str | None, limit: int) -> None:
    query = records.parse_query(ENTRY, "v1", filters=["id:ge:3"], sort=sort)
    sql, params, names = records.select_sql(query, None, None)
    want = [r[0] for r in con.execute(sql, params).fetchall()]
    got: list[int] = []
    keys = None
    while True:
        sql, params, names = records.select_sql(query, keys, limit)
        rows = con.execute(sql, params).fetchall()
        got += [r[0] for r in rows]
        if len(rows) < limit:
            break
        cursor = records.encode_cursor("s", query, [rows[-1][names.index(n)] for n, _ in query.order])
        _, payload = records.cursor_version("s", cursor)
        keys = records.cursor_keys(payload, query)
    assert got == want and len(got) == 94


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    query = records.parse_query(ENTRY, "v1")
    cursor = records.encode_cursor("other", query, [1])
    with pytest.raises(records.ApiError) as err:
        records.cursor_version("s", cursor)
    assert err.value.status_code == 400 and err.value.body.code == "bad_cursor"

"""The pipeline benchmark's arithmetic (stages from events, samples and dbt results) and the table checksums."""

from __future__ import annotations

import duckdb

from bench.pipeline import covered_seconds, peak_within, stages
from tests.support.checksums import differences, table_checksums


def test_covered_seconds_is_the_union_of_overlapping_intervals() -> None:
    assert covered_seconds([(0, 2), (1, 3), (5, 6)]) == 4
    assert covered_seconds([(0, 10), (2, 3)]) == 10
    assert covered_seconds([]) == 0


def test_peak_within_takes_only_samples_inside_the_intervals() -> None:
    samples = [(0.5, 100.0), (1.5, 900.0), (2.5, 300.0)]
    assert peak_within(samples, [(0, 1), (2, 3)]) == 300.0
    assert peak_within(samples, [(4, 5)]) == 0.0


def test_stages_from_steps_loads_and_dbt_layers() -> None:
    events = [
        {"t": 10.0, "kind": "STEP_START", "what": "ingest_hukou"},
        {"t": 11.0, "start": 10.1, "kind": "land", "what": "hukou.person"},
        {"t": 13.0, "start": 11.0, "kind": "load", "what": "hukou.person", "rows": 400},
        {"t": 13.5, "kind": "STEP_SUCCESS", "what": "ingest_hukou"},
        {"t": 14.0, "kind": "STEP_START", "what": "gx_hukou"},
        {"t": 15.0, "kind": "STEP_SUCCESS", "what": "gx_hukou"},
        {"t": 16.0, "kind": "CHILD_END", "success": True, "failed_steps": [], "failed_checks": []},
    ]
    dbt = [
        {
            "unique_id": "model.zhongtai.stg_hukou",
            "relation_name": '"zhongtai"."staging"."stg_hukou"',
            "status": "success",
            "execution_time": 1.0,
            "timing": [
                {"name": "compile", "started_at": "1970-01-01T00:00:20Z", "completed_at": "1970-01-01T00:00:20.5Z"},
                {"name": "execute", "started_at": "1970-01-01T00:00:20.5Z", "completed_at": "1970-01-01T00:00:21Z"},
            ],
        },
        {"unique_id": "test.zhongtai.not_null_x", "status": "pass", "execution_time": 0.1, "timing": []},
    ]
    samples = [(12.0, 500.0), (14.5, 200.0), (20.7, 800.0)]
    out = stages(events, samples, dbt)
    assert out["success"] is True
    assert out["stages"]["ingest steps"] == {"seconds": 3.5, "count": 1, "peak_rss_mib": 500.0}
    assert out["stages"]["load raw"]["rows"] == 400
    assert out["stages"]["load raw"]["rows_per_second"] == 200
    assert out["stages"]["land"]["seconds"] == 0.9
    assert out["stages"]["quality checks (raw)"]["peak_rss_mib"] == 200.0
    assert out["stages"]["dbt staging"] == {"seconds": 1.0, "count": 1, "peak_rss_mib": 800.0}
    assert "dbt tests" not in out["stages"]  # a node without timings has no interval
    assert out["slowest_dbt_nodes"][0]["node"] == "model.zhongtai.stg_hukou"


def test_table_checksums_ignore_row_order_but_not_duplicates_or_values() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.a as select * from (values (1, 'x'), (2, 'y')) as v(n, s)")
    before = table_checksums(con)
    con.execute("create or replace table marts.a as select * from (values (2, 'y'), (1, 'x')) as v(n, s)")
    assert differences(before, table_checksums(con)) == []
    con.execute("create or replace table marts.a as select * from (values (2, 'y'), (1, 'x'), (1, 'x')) as v(n, s)")
    assert differences(before, table_checksums(con)) == ["marts.a"]
    con.execute("create or replace table marts.a as select * from (values (1, 'y'), (2, 'x')) as v(n, s)")
    assert differences(before, table_checksums(con)) == ["marts.a"]
    con.execute("create table marts.b as select 1 as n")
    assert "marts.b" in differences(before, table_checksums(con))

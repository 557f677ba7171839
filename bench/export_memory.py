"""Peak extra memory of a records export at 1,000,000 rows: the API's own Parquet and XLSX writers (apis/exports.py)
fed by DuckDB's Arrow batches of the query `/v1/datasets/<id>/records?format=…` runs (apis.records.select_sql), on a
table stored as the serving writer stores one (orchestration/publish/serving.py: small row groups, key order), each
in a spawned child process so that its peak RSS (VmHWM) is its own.

`python -m bench.export_memory [--rows 1000000] [--formats parquet,xlsx] [--sorted]` → bench/results/export_memory.json

extra = the child's peak RSS − its RSS once DuckDB is open on the table and pyarrow/openpyxl are imported.
`--sorted` measures the query with its ORDER BY, as a table published before the serving writer kept key order is
read: DuckDB then sorts the whole table first.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.metrics import peak_rss_mib, rss_mib

RESULTS = Path(__file__).resolve().parent / "results" / "export_memory.json"
# a grid_event-shaped table: text, timestamps with time zone, integers and a nullable column
TABLE_SQL = """
create table grid_event as
select
    'GE' || lpad(cast(i as varchar), 9, '0') as event_no,
    ['治安隐患', '环境卫生', '消防安全', '矛盾纠纷'][1 + i % 4] as category,
    ['占道经营', '垃圾堆放', '通道堵塞', '邻里纠纷', '噪音扰民'][1 + i % 5] as event_type,
    ['区城市管理和综合执法局', '区应急管理局', '区司法局'][1 + i % 3] as department,
    '440604' || lpad(cast(i % 155 as varchar), 6, '0') as village_code,
    timestamptz '2026-01-01 08:00:00+08' + to_minutes(cast(i as bigint)) as reported_at,
    case when i % 50 = 0 then null else cast(i % 7 as integer) end as days_to_close,
from range(?) t(i)
"""


def _child(database: str, fmt: str, in_key_order: bool, queue: Any) -> None:
    import duckdb

    from apis import exports, records

    con = duckdb.connect(database, read_only=True)
    con.execute("set TimeZone = 'Asia/Shanghai'")
    fields = [{"name": name, "data_type": kind} for name, kind, *_ in con.execute("describe grid_event").fetchall()]
    entry = {"id": "grid_event", "primary_key": ["event_no"], "fields": fields}
    query = records.parse_query(entry, "bench", stored_in_key_order=in_key_order)
    sql, params, _ = records.select_sql(query, None, None)
    con.execute("select count(*) from grid_event").fetchone()
    baseline = rss_mib()
    started = time.perf_counter()
    size = exports.ARROW_BATCH if fmt == "parquet" else exports.XLSX_BATCH
    reader = con.execute(sql, params).fetch_record_batch(size)
    if fmt == "parquet":
        stream = exports.parquet_bytes(reader.schema, reader)
    else:
        rows = (row for batch in reader for row in zip(*(c.to_pylist() for c in batch.columns), strict=True))
        stream = exports.xlsx_bytes("网格事件", list(reader.schema.names), rows)
    size = sum(len(chunk) for chunk in stream)
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    con.close()
    queue.put(
        {
            "format": fmt,
            "sorted_by_duckdb": "order by" in sql,
            "bytes": size,
            "seconds": round(seconds, 2),
            "baseline_rss_mib": round(baseline, 1),
            "peak_rss_mib": round(peak, 1),
            "extra_rss_mib": round(peak - baseline, 1),
        }
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.export_memory")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="parquet,xlsx")
    parser.add_argument("--sorted", action="store_true", help="read with ORDER BY, as an older publish is read")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import duckdb

    from catalog.channels import STORED_IN_KEY_ORDER
    from orchestration.publish.serving import ROW_GROUP_ROWS

    spawn = multiprocessing.get_context("spawn")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "serving.duckdb")
        with duckdb.connect() as con:  # as the serving writer stores a table
            con.execute(f"attach '{database}' as serving (row_group_size {ROW_GROUP_ROWS})")
            con.execute("use serving")
            con.execute(TABLE_SQL + " order by event_no", [args.rows])
            con.execute(f"comment on table grid_event is '{STORED_IN_KEY_ORDER}'")
            con.execute("use memory")
            con.execute("detach serving")  # checkpointed now: a WAL left for the child would be replayed into memory
        runs = []
        for fmt in [f for f in args.formats.split(",") if f]:
            queue = spawn.Queue()
            child = spawn.Process(target=_child, args=(database, fmt, not args.sorted, queue))
            child.start()
            result = queue.get()
            child.join()
            print(json.dumps(result, ensure_ascii=False), flush=True)
            runs.append(result)
    report = {
        "rows": args.rows,
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "note": "extra = peak RSS of a child process − its RSS with DuckDB open; taken on a shared 2-core machine",
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()

"""Serving benchmark: the records endpoint against Datasette's JSON API, same table, same page size, same run.

`python -m bench.serving [--rows 240000] [--seconds 4] [--clients 4] [--page-size 50] [--port 18310]`

The table is the fixture warehouse's `marts.grid_event` grown to `--rows` rows (the same 300 events repeated under
new numbers), published once: zhongtai serves it from `serving.duckdb`, Datasette from `analyst.sqlite` of the same
version (started with `apis.datasette.datasette_command`, as `zhongtai serve` does). Both are started for real, one
process each, and driven by `--clients` threads of httpx clients (keep-alive) for `--seconds` per case:

- page 1, and page 1,000 (reached beforehand by following each API's own next-page token: zhongtai's keyset
  cursor, Datasette's `_next`), each without and with a filter (`category` equal to its most common value);
- Datasette with `_nocount=1&_nofacet=1&_nosuggest=1`, zhongtai without `total`: neither counts the rows.

Three untimed requests warm each case up. Every answer is checked (status 200, `--page-size` rows); the report
gives requests/s, p50 and p99 latency per case,
zhongtai/Datasette ratios and page 1,000 / page 1 latency ratios, and the machine's load average before and after
(the figures are only comparable within one run). Results: bench/results/serving.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import httpx

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path(__file__).resolve().parent / ".cache" / "serving"
ROOT = Path(__file__).resolve().parents[1]
TABLE = "grid_event"
QUOTA = "100000000/minute"


def build(data: Path, rows: int, manifest: Path | None) -> Any:
    """The fixture warehouse with grid_event grown to `rows` rows, published once; returns its Settings."""
    from orchestration.dbt import prepare_manifest
    from orchestration.publish import publish
    from tests.support.marts import make_warehouse
    from zhongtai.settings import Settings

    settings = Settings(data_dir=data)
    if (settings.current_snapshot / "serving.duckdb").is_file():
        with duckdb.connect(str(settings.current_snapshot / "serving.duckdb"), read_only=True) as con:
            if con.execute(f"select count(*) from {TABLE}").fetchone() == (rows,):
                return settings
    make_warehouse(settings)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "create or replace table marts.grid_event as select * replace ("
            "'GE' || lpad(i::varchar, 8, '0') as event_no) "
            "from range(?) r(i) join (select *, row_number() over (order by event_no) - 1 as n "
            "from marts.grid_event) g on g.n = r.i % 300",
            [rows],
        )
        con.execute("alter table marts.grid_event drop column n")
    publish(settings, manifest or prepare_manifest(settings))
    return settings


@contextmanager
def started(command: list[str], url: str, log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(url, timeout=5)
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{command[:3]} did not start: see {log}") from None
                    time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def skip_rows(
    client: httpx.Client, path: str, params: dict[str, Any], rows: int, size_param: str, token: str
) -> tuple[str, dict[str, Any]]:
    """The path and parameters of the page after the first `rows` rows, reached by following the API's own
    next-page token in pages of up to 1,000 rows (neither token depends on the page size, only on filter and order)."""
    after: dict[str, Any] = {}
    while rows:
        step = min(rows, 1000)
        body = client.get(path, params={**params, **after, size_param: step}).raise_for_status().json()
        assert len(body["records"] if "records" in body else body["rows"]) == step
        after = {token: body["next_cursor" if token == "cursor" else "next"]}
        rows -= step
    return path, {**params, **after}


def zhongtai_page(client: httpx.Client, params: dict[str, Any], page: int, size: int) -> tuple[str, dict[str, Any]]:
    return skip_rows(client, f"/v1/datasets/{TABLE}/records", params, (page - 1) * size, "limit", "cursor")


def datasette_page(
    client: httpx.Client, database: str, params: dict[str, Any], page: int, size: int
) -> tuple[str, dict[str, Any]]:
    return skip_rows(client, f"/{database}/{TABLE}.json", params, (page - 1) * size, "_size", "_next")


def rows_of(body: Any) -> int:
    return len(body["records"] if "records" in body else body["rows"])


def load(
    base: str,
    url: tuple[str, dict[str, Any]],
    *,
    clients: int,
    seconds: float,
    page_size: int,
    cookies: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`clients` threads asking for one page without pause for `seconds`; every answer checked."""
    path, params = url
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=60, cookies=cookies) as client:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = client.get(path, params=params)
                elapsed = time.perf_counter() - t0
                if r.status_code != 200 or rows_of(r.json()) != page_size:
                    with lock:
                        failures.append(f"{r.status_code} {r.text[:100]}")
                mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    # not timed: the first answers open files and caches
    with httpx.Client(base_url=base, timeout=60, cookies=cookies) as warm:
        for _ in range(3):
            warm.get(path, params=params).raise_for_status()
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=run) for _ in range(clients)]
    started_at = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started_at
    latencies.sort()
    return {
        "requests": len(latencies),
        "failed": len(failures),
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.serving")
    parser.add_argument("--rows", type=int, default=240_000)
    parser.add_argument("--seconds", type=float, default=4.0, help="per case")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--deep-page", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18310, help="zhongtai's port; Datasette gets the next one")
    parser.add_argument("--data-dir", type=Path, default=CACHE / "data")
    parser.add_argument("--out", type=Path, default=RESULTS / "serving.json")
    parser.add_argument("--manifest", type=Path, help="a parsed dbt manifest.json (default: `dbt parse` now)")
    args = parser.parse_args(argv)
    if args.rows < args.page_size * args.deep_page:
        parser.error(f"--rows must hold {args.deep_page} pages: at least {args.page_size * args.deep_page}")

    from apis.datasette import datasette_command, datasette_env
    from apis.operational.models import Role
    from tests.support.datasette import account, sign_in

    print(f"== building {args.rows:,} rows of {TABLE} under {args.data_dir}", flush=True)
    settings = build(args.data_dir, args.rows, args.manifest)
    with duckdb.connect(str(settings.current_snapshot / "serving.duckdb"), read_only=True) as con:
        category = con.execute(f"select category from {TABLE} group by 1 order by count(*) desc limit 1").fetchone()[0]  # type: ignore[index]
        matching = con.execute(f"select count(*) from {TABLE} where category = ?", [category]).fetchone()[0]  # type: ignore[index]
    if matching < args.page_size * args.deep_page:
        raise SystemExit(f"the filter keeps {matching} rows: too few for page {args.deep_page}; raise --rows")
    api_port, datasette_port = args.port, args.port + 1
    # The anonymous quota (60 a minute) would answer 429 within a second: raised, but still counted per request
    # in the operational database as in production (Datasette has no quota).
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "ZHONGTAI_QUOTA_ANONYMOUS": QUOTA}
    uvicorn = [sys.executable, "-m", "uvicorn", "apis.main:create_app", "--factory", "--no-access-log"]
    api_cmd = [*uvicorn, "--host", "127.0.0.1", "--port", str(api_port)]
    api_base, ds_base = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{datasette_port}"
    log_dir = args.data_dir.parent
    load_before = os.getloadavg()
    cases: dict[str, Any] = {}
    ds_cmd, ds_env = datasette_command(settings, port=datasette_port), {**os.environ, **datasette_env(settings)}
    with (
        started(api_cmd, f"{api_base}/health", log_dir / "api.log", env),
        started(ds_cmd, f"{ds_base}/-/sign-in", log_dir / "ds.log", ds_env),
        httpx.Client(base_url=api_base, timeout=60) as api,
        httpx.Client(base_url=ds_base, timeout=60) as ds,
    ):
        # zhongtai serves Datasette to signed-in staff only: an analyst signs in once, and every client keeps the cookie
        signed = sign_in(ds, account(settings, "bench-analyst", Role.analyst))
        assert signed.status_code == 302, signed.text
        cookies = dict(ds.cookies)
        for filtered in (False, True):
            z_params: dict[str, Any] = {"limit": args.page_size}
            d_params: dict[str, Any] = {"_size": args.page_size, "_nocount": 1, "_nofacet": 1, "_nosuggest": 1}
            if filtered:
                z_params["filter"] = f"category:eq:{category}"
                d_params["category"] = category
            for page in (1, args.deep_page):
                name = f"page {page}{' filtered' if filtered else ''}"
                print(f"== {name}: reaching the page", flush=True)
                urls = {
                    "zhongtai": (api_base, zhongtai_page(api, z_params, page, args.page_size)),
                    "datasette": (ds_base, datasette_page(ds, "analyst", d_params, page, args.page_size)),
                }
                cases[name] = {}
                for side, (base, url) in urls.items():
                    jar = cookies if side == "datasette" else None
                    result = load(
                        base, url, clients=args.clients, seconds=args.seconds, page_size=args.page_size, cookies=jar
                    )
                    cases[name][side] = result
                    print(f"   {side:9} {result}", flush=True)
                z, d = cases[name]["zhongtai"], cases[name]["datasette"]
                cases[name]["zhongtai_over_datasette_rps"] = round(z["requests_per_s"] / d["requests_per_s"], 2)
    for filtered in ("", " filtered"):
        deep, first = cases[f"page {args.deep_page}{filtered}"], cases[f"page 1{filtered}"]
        for side in ("zhongtai", "datasette"):
            deep[f"{side}_p50_over_page_1"] = round(deep[side]["p50_ms"] / first[side]["p50_ms"], 2)
    result = {
        "benchmark": "serving",
        "table": TABLE,
        "rows": args.rows,
        "page_size": args.page_size,
        "filter": f"category = {category} ({matching:,} rows)",
        "clients": args.clients,
        "seconds_per_case": args.seconds,
        "datasette_params": "_nocount=1&_nofacet=1&_nosuggest=1",
        "zhongtai_quota": f"{QUOTA} anonymous, counted per request",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 1) for x in load_before],
            "load_average_after": [round(x, 1) for x in os.getloadavg()],
            "note": (
                "the machine was otherwise idle (load average below its core count when the run started)"
                if load_before[0] < (os.cpu_count() or 1)
                else "taken under load from other work: compare within this run only"
            ),
        },
        "cases": cases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"== written {args.out}")
    return result


if __name__ == "__main__":
    main()

"""Connector throughput: the first pull from the upstream systems against a bare client reading the same endpoint.

`python -m bench.connectors [--scale small|tiny|district] [--repeats 1] [--cache-dir DIR]`

The upstreams are the sandbox's at `--scale`, generated once into `<cache>/data` (default bench/.cache/<scale>,
shared with bench.loading): the one-window service (its HTTP API, started here as `zhongtai sandbox serve`) and the
grid-governance database (SQLite). For each connector and entity, each side runs in its own spawned process, so its
peak RSS (VmHWM) is its own, from nothing landed; the clock starts after the side's imports:

- zhongtai: `orchestration.ingestion.connectors.pull` with the registry entry, into a fresh landing folder (pages
  written to landing as they arrive, deliveries of complete records, manifest). One-window three ways: keyset
  cursor (the registry's setting), page numbers one at a time, page numbers four at a time.
- bare: one-window — a plain httpx loop following the cursor (`next`), parsing each page and dropping it; grid — a
  plain sqlite3 `select * ... order by` the cursor column, fetched in blocks of 10,000 and dropped.

Records per second are records over wall time; the ratio is zhongtai's over the bare client's (cursor mode for the
one-window service, where both read the same pages). Results: bench/results/connectors_<scale>.json.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.loading import CACHE, ensure_sandbox, write_result
from bench.metrics import peak_rss_mib

# (connector, side): what runs; the first side of each connector is the bare reader the ratio divides by.
SIDES: dict[str, list[str]] = {
    "onewindow": ["bare_httpx_cursor", "zhongtai_cursor", "zhongtai_page", "zhongtai_page_x4"],
    "grid": ["bare_sqlite", "zhongtai_database"],
}
ZHONGTAI_CONNECTOR: dict[str, dict[str, Any]] = {
    "zhongtai_cursor": {"paging": "cursor"},
    "zhongtai_page": {"paging": "page", "concurrency": 1},
    "zhongtai_page_x4": {"paging": "page", "concurrency": 4},
    "zhongtai_database": {},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _source(connector: str, side: str):  # type: ignore[no-untyped-def]
    from catalog.registry import SOURCES_DIR, load_entry

    source = load_entry(SOURCES_DIR / f"{connector}.yaml")
    changes = ZHONGTAI_CONNECTOR.get(side) or {}
    return source.model_copy(update={"connector": source.connector.model_copy(update=changes)})


def _zhongtai(connector: str, side: str, entity_name: str, data_dir: Path, url: str, run_dir: Path) -> int:
    from orchestration.ingestion.connectors import pull
    from orchestration.ingestion.landing import Landing
    from zhongtai.settings import Settings

    settings = Settings(data_dir=data_dir, onewindow_url=url)
    source = _source(connector, side)
    landing = Landing(run_dir / "landing")
    pulled = pull(source, source.entity(entity_name), settings, landing)
    records = 0
    for delivery in pulled.landed:
        with delivery.file(landing.dir).open("rb") as fh:
            records += sum(1 for _ in fh)
    return records


def _bare_httpx(connector: str, entity_name: str, url: str) -> int:
    import httpx

    locator = _source(connector, "bare").entity(entity_name).locator
    records, params = 0, {"page_size": 500}
    with httpx.Client(timeout=30) as client:
        while True:
            body = client.get(url + locator, params=params).raise_for_status().json()
            records += len(body["items"])
            if not body.get("next"):
                return records
            params = {"page_size": 500, "cursor": body["next"]}


def _bare_sqlite(connector: str, entity_name: str, data_dir: Path) -> int:
    from zhongtai.settings import Settings

    entity = _source(connector, "bare").entity(entity_name)
    db = Settings(data_dir=data_dir).upstream / "grid" / "grid.sqlite"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(f"select * from {entity.locator} order by {entity.cursor_field}")
        records = 0
        while block := rows.fetchmany(10_000):
            records += len(block)
        return records
    finally:
        con.close()


def _child(connector: str, side: str, entity: str, data_dir: str, url: str, run_dir: str, queue: Any) -> None:
    try:
        # Imports are a once-per-process cost, not throughput: each side makes its own before the clock starts.
        if side.startswith("zhongtai"):
            import orchestration.ingestion.connectors  # noqa: F401
        import httpx  # noqa: F401

        started = time.perf_counter()
        if side == "bare_httpx_cursor":
            records = _bare_httpx(connector, entity, url)
        elif side == "bare_sqlite":
            records = _bare_sqlite(connector, entity, Path(data_dir))
        else:
            records = _zhongtai(connector, side, entity, Path(data_dir), url, Path(run_dir))
        seconds = time.perf_counter() - started
        queue.put({"records": records, "seconds": seconds, "peak_rss_mib": peak_rss_mib()})
    except BaseException as exc:  # reported, not swallowed
        queue.put({"error": f"{type(exc).__name__}: {exc}"})
        raise


def measure(connector: str, side: str, entity: str, data_dir: Path, url: str, scratch: Path) -> dict[str, Any]:
    """One pull in a fresh spawned process, into a fresh landing folder (removed afterwards)."""
    run_dir = Path(tempfile.mkdtemp(prefix=f"{connector}-{side}-", dir=scratch))
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    load = os.getloadavg()[0]
    process = ctx.Process(target=_child, args=(connector, side, entity, str(data_dir), url, str(run_dir), queue))
    process.start()
    stats = queue.get()
    process.join()
    shutil.rmtree(run_dir, ignore_errors=True)
    if "error" in stats:
        raise RuntimeError(f"{connector} / {side} / {entity}: {stats['error']}")
    stats.update(records_per_s=round(stats["records"] / stats["seconds"]), loadavg_1m=round(load, 1))
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()}


def summarise(runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]]) -> dict[str, Any]:
    """Per connector and side: records and seconds summed over the entities (per repeat), then the median."""
    out: dict[str, Any] = {}
    for connector, sides in runs.items():
        totals: dict[str, list[dict[str, float]]] = {}
        for side, entities in sides.items():
            count = len(next(iter(entities.values())))
            totals[side] = [
                {
                    "records": sum(e[r]["records"] for e in entities.values()),
                    "seconds": sum(e[r]["seconds"] for e in entities.values()),
                    "peak_rss_mib": max(e[r]["peak_rss_mib"] for e in entities.values()),
                }
                for r in range(count)
            ]
        bare = totals[SIDES[connector][0]]
        entry: dict[str, Any] = {}
        for side, repeats in totals.items():
            rates = [t["records"] / t["seconds"] for t in repeats]
            entry[side] = {
                "records": repeats[0]["records"],
                "seconds": round(statistics.median(t["seconds"] for t in repeats), 3),
                "records_per_s": round(statistics.median(rates)),
                "peak_rss_mib": statistics.median(t["peak_rss_mib"] for t in repeats),
                "ratio_over_bare": round(
                    statistics.median(
                        (z["records"] / z["seconds"]) / (b["records"] / b["seconds"])
                        for z, b in zip(repeats, bare, strict=True)
                    ),
                    3,
                ),
                "entities": {e: runs[connector][side][e] for e in runs[connector][side]},
            }
        out[connector] = entry
    return out


def print_table(summary: dict[str, Any]) -> None:
    head = f"{'connector':10} {'side':18} {'records':>10} {'s':>8} {'records/s':>10} {'ratio':>6} {'peak MiB':>9}"
    print(head)
    print("-" * len(head))
    for connector, sides in summary.items():
        for side, s in sides.items():
            print(
                f"{connector:10} {side:18} {s['records']:>10,} {s['seconds']:>8.2f} {s['records_per_s']:>10,} "
                f"{s['ratio_over_bare']:>6.2f} {s['peak_rss_mib']:>9.0f}"
            )
    print("ratio = records/s over the bare reader's (median of per-repeat ratios); peak = each process's own VmHWM")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.connectors")
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--cache-dir", type=Path, help="the sandbox (bench/.cache/<scale>, shared with bench.loading)")
    parser.add_argument("--connectors", default=",".join(SIDES), help="comma-separated: onewindow,grid")
    args = parser.parse_args(argv)
    cache = (args.cache_dir or CACHE / args.scale).resolve()
    data_dir = ensure_sandbox(cache / "data", args.scale)
    scratch = cache / "runs"
    scratch.mkdir(parents=True, exist_ok=True)
    connectors = [c for c in args.connectors.split(",") if c]
    port = _free_port()
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(data_dir), "ZHONGTAI_SANDBOX_PORT": str(port)}
    url = f"http://127.0.0.1:{port}"
    from zhongtai import processes

    zhongtai = str(Path(sys.executable).parent / "zhongtai")
    server = processes.start("sandbox", [zhongtai, "sandbox", "serve"], url=url, host="127.0.0.1", port=port, env=env)
    load_start = os.getloadavg()
    runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    try:
        for connector in connectors:
            entities = [e.name for e in _source(connector, "bare").entities]
            runs[connector] = {side: {e: [] for e in entities} for side in SIDES[connector]}
            for repeat in range(args.repeats):
                for entity in entities:
                    sides = SIDES[connector] if repeat % 2 == 0 else SIDES[connector][::-1]
                    for side in sides:
                        stats = measure(connector, side, entity, data_dir, url, scratch)
                        runs[connector][side][entity].append(stats)
                        print(
                            f"repeat {repeat + 1} {connector:9} {entity:24} {side:18} {stats['records']:>9,} "
                            f"{stats['seconds']:7.2f} s {stats['records_per_s']:>9,}/s  peak "
                            f"{stats['peak_rss_mib']:.0f} MiB  load {stats['loadavg_1m']}",
                            flush=True,
                        )
    finally:
        processes.stop([server])
    summary = summarise(runs)
    print_table(summary)
    write_result("connectors", args.scale, args.repeats, load_start, {"connectors": summary})


if __name__ == "__main__":
    main()

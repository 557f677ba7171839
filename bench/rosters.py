"""Roster benchmark (还数于村): how long the roster writer takes to write every village's workbook, CSVs and change
sheet from a warehouse, and its peak memory.

`python -m bench.rosters --data-dir DIR [--label district] [--target-seconds 60]`

DIR is a data directory after `zhongtai run` at the scale to measure (its warehouse and dbt manifest are read, never
written). The writer runs twice, each time in a spawned child process of its own so that its peak RSS (ru_maxrss) is
that pass's alone, into a scratch published folder under a temporary directory:

- first: no previous version, so every workbook has an empty 本次变化 sheet;
- again: the first pass's rosters are `current`, so every village's sheets are compared row by row with its previous
  CSVs — what every publish after the first does. Its time is the one held against the target (60 s at district).

Timings exclude opening the connection and reading the catalog. Results: bench/results/rosters_<label>.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _pass(data_dir: str, scratch: str, version: str, out: Any) -> None:
    """In a child: write every village's roster from the warehouse under data_dir into scratch/published/version."""
    from catalog.datasets import load_datasets
    from orchestration.dbt import manifest_path
    from orchestration.publish import rosters
    from orchestration.publish.context import WAREHOUSE, PublishContext, PublishResult
    from zhongtai.duckdb import connect
    from zhongtai.files import atomic_symlink
    from zhongtai.settings import Settings
    from zhongtai.sql import quote_literal

    real = Settings(data_dir=Path(data_dir))
    bench = Settings(data_dir=Path(scratch))  # its published folder only: where the writer looks for `current`
    manifest = manifest_path(real)
    datasets = load_datasets(manifest)
    folder = bench.published_dir / version
    folder.mkdir(parents=True)
    result = PublishResult(version=version, path=folder, created_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
    con = connect(":memory:", read_only=False, settings=real, extensions=("sqlite_scanner",))
    try:
        con.execute(f"attach {quote_literal(str(real.warehouse_path))} as {WAREHOUSE} (read_only)")
        con.execute("set timezone = 'Asia/Shanghai'")
        context = PublishContext(bench, datasets, manifest, con, result)
        started = time.perf_counter()
        rosters.write(context, folder)
        seconds = time.perf_counter() - started
    finally:
        con.close()
    atomic_symlink(version, bench.published_dir / "current")
    index = json.loads((folder / "rosters" / rosters.INDEX).read_text(encoding="utf-8"))
    changes = {
        kind: sum(v["changes"][kind] for v in index["villages"].values()) for kind in ("added", "removed", "changed")
    }
    out.put(
        {
            "seconds": round(seconds, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "villages": result.rosters,
            "population_rows": sum(v["rows"].get("population", 0) for v in index["villages"].values()),
            "rows": {
                sheet: sum(v["rows"].get(sheet, 0) for v in index["villages"].values()) for sheet in index["sheets"]
            },
            "changes": changes,
            "bytes": sum(f.stat().st_size for f in (folder / "rosters").iterdir()),
        }
    )


def _spawned(data_dir: Path, scratch: Path, version: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_pass, args=(str(data_dir), str(scratch), version, queue))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"the {version} pass failed (exit code {child.exitcode})")
    return queue.get(timeout=10)  # type: ignore[no-any-return]


def run(data_dir: Path, label: str, target_seconds: float) -> dict[str, Any]:
    warehouse = data_dir / "warehouse" / "zhongtai.duckdb"
    if not warehouse.exists():
        raise SystemExit(f"no warehouse at {warehouse}: run `zhongtai run` at the scale to measure first")
    with tempfile.TemporaryDirectory(prefix="bench-rosters-") as scratch:
        first = _spawned(data_dir, Path(scratch), "v1")
        print(f"  first publish: {first['seconds']} s, {first['villages']} villages, {first['peak_rss_mib']} MiB")
        again = _spawned(data_dir, Path(scratch), "v2")
        print(f"  with change sheets: {again['seconds']} s, {again['peak_rss_mib']} MiB")
    load = os.getloadavg()
    return {
        "label": label,
        "data_dir": str(data_dir),
        "target_seconds": target_seconds,
        "meets_target": again["seconds"] <= target_seconds,
        "first_publish": first,
        "with_change_sheets": again,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": load},
        "note": "taken under load" if load[0] > (os.cpu_count() or 1) else "",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rosters")
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="a data directory after zhongtai run")
    parser.add_argument("--label", default="district", help="the scale of that run, for the results file's name")
    parser.add_argument("--target-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    results = run(args.data_dir, args.label, args.target_seconds)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"rosters_{args.label}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"  → {path}")


if __name__ == "__main__":
    main()

"""Roster benchmark (还数于村): how long the roster writer takes to write every village's workbook, CSVs and change
sheet from a warehouse, and its peak memory.

`python -m bench.rosters --data-dir DIR [--label district] [--scale-to district] [--target-seconds 60]`

DIR is a data directory after `zhongtai run` at the scale to measure (its warehouse and dbt manifest are read, never
written). The writer runs twice, each time in a spawned child process of its own whose peak memory is its own VmHWM
(`bench.metrics.peak_rss_mib`; not ru_maxrss, which a spawned child inherits from its parent), into a scratch
published folder under a temporary directory:

- first: no previous version, so every workbook has an empty 本次变化 sheet;
- again: the first pass's rosters are `current`, so every village's sheets are compared row by row with its previous
  CSVs — what every publish after the first does. Its time is the one held against the target (60 s at district).

Timings exclude opening the connection and reading the catalog. Results: bench/results/rosters_<label>.json.

`--scale-to district` measures a **synthetic district**: the roster's source marts of DIR's warehouse (a `small`
run's) copied into a scratch DuckDB file, each person's rows (roster, household membership, residences) replicated
with new keys per copy (person, household and house numbers, and addresses, suffixed `~<copy>`) until they number
the district scale's persons, and each legal person's rows likewise up to its enterprises; villages are the same
155. Results: bench/results/rosters_<label>_synthetic.json, saying so.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _pass(data_dir: str, warehouse: str, scratch: str, version: str, out: Any) -> None:
    """In a child: write every village's roster from `warehouse` (data_dir's catalog) into scratch/published/version."""
    from bench.metrics import peak_rss_mib
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
        con.execute(f"attach {quote_literal(warehouse)} as {WAREHOUSE} (read_only)")
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
            "peak_rss_mib": peak_rss_mib(),
            "villages": result.rosters,
            "population_rows": sum(v["rows"].get("population", 0) for v in index["villages"].values()),
            "rows": {
                sheet: sum(v["rows"].get(sheet, 0) for v in index["villages"].values()) for sheet in index["sheets"]
            },
            "changes": changes,
            "bytes": sum(f.stat().st_size for f in (folder / "rosters").iterdir()),
        }
    )


def _spawned(data_dir: Path, warehouse: Path, scratch: Path, version: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_pass, args=(str(data_dir), str(warehouse), str(scratch), version, queue))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"the {version} pass failed (exit code {child.exitcode})")
    return queue.get(timeout=10)  # type: ignore[no-any-return]


# The marts the roster reads; the key columns a copy renames, so that each copy is new people, households,
# houses and legal persons in the same villages.
PERSON_TABLES = ("village_roster", "household_member", "person_residence")
ORG_TABLES = ("legal_person", "enterprise_premises")
COPY_KEYS = ("person_key", "household_no", "household_key", "house_no", "org_key")


def synthetic_warehouse(source: Path, target: Path, scale: str) -> dict[str, Any]:
    """The roster's marts of `source` (a `small` run's warehouse) replicated to `scale`'s persons and enterprises in a
    new DuckDB file at `target`: copy k of a row has its keys (and houses' addresses) suffixed `~k`; copy 0 is the
    original. Returns the row counts, before and after."""
    import duckdb

    from sandbox.scales import get_scale
    from zhongtai.sql import quote_identifier as q
    from zhongtai.sql import quote_literal

    small, wanted = get_scale("small"), get_scale(scale)
    factors = {t: wanted.persons / small.persons for t in PERSON_TABLES}
    factors |= {t: wanted.enterprises / small.enterprises for t in ORG_TABLES}
    counts: dict[str, Any] = {}
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach {quote_literal(str(source))} as src (read_only)")
        con.execute("create schema marts")
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'src' and schema_name = 'marts' "
                "union select view_name from duckdb_views() where database_name = 'src' and schema_name = 'marts'"
            ).fetchall()
        }
        for table in sorted(tables & {"village", *PERSON_TABLES, *ORG_TABLES}):
            columns = [r[0] for r in con.execute(f"describe src.marts.{q(table)}").fetchall()]
            before = con.execute(f"select count(*) from src.marts.{q(table)}").fetchone()[0]  # type: ignore[index]
            if table not in factors:
                con.execute(f"create table marts.{q(table)} as select * from src.marts.{q(table)}")
                counts[table] = {"small": before, "synthetic": before}
                continue
            renamed = [c for c in columns if c in COPY_KEYS or (table == "person_residence" and c == "address")]
            replace = ", ".join(f"case when k = 0 then {q(c)} else {q(c)} || '~' || k end as {q(c)}" for c in renamed)
            wanted_rows = round(before * factors[table])
            con.execute(
                f"create table marts.{q(table)} as select * exclude (k, _n) replace ({replace}) from ("
                f"select *, row_number() over () - 1 as _n from src.marts.{q(table)}) t, "
                f"range({math.ceil(factors[table])}) r(k) where k * {before} + _n < {wanted_rows}"
            )
            counts[table] = {"small": before, "synthetic": wanted_rows}
    return counts


def run(data_dir: Path, label: str, target_seconds: float, scale_to: str | None = None) -> dict[str, Any]:
    warehouse = data_dir / "warehouse" / "zhongtai.duckdb"
    if not warehouse.exists():
        raise SystemExit(f"no warehouse at {warehouse}: run `zhongtai run` at the scale to measure first")
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-rosters-") as scratch:
        synthetic = None
        if scale_to:
            started = time.perf_counter()
            measured = Path(scratch) / "synthetic.duckdb"
            synthetic = {
                "scale": scale_to,
                "from": str(warehouse),
                "rows": synthetic_warehouse(warehouse, measured, scale_to),
                "build_seconds": round(time.perf_counter() - started, 1),
            }
            warehouse = measured
            print(f"  synthetic {scale_to}: {synthetic['rows']} in {synthetic['build_seconds']} s", flush=True)
        first = _spawned(data_dir, warehouse, Path(scratch), "v1")
        print(f"  first publish: {first['seconds']} s, {first['villages']} villages, {first['peak_rss_mib']} MiB")
        again = _spawned(data_dir, warehouse, Path(scratch), "v2")
        print(f"  with change sheets: {again['seconds']} s, {again['peak_rss_mib']} MiB")
    load = os.getloadavg()
    cpus = os.cpu_count() or 1
    notes = []
    if synthetic:
        notes.append(
            f"a SYNTHETIC {scale_to}: the {label} warehouse's roster marts replicated with new keys per copy to "
            f"{scale_to} row counts (no {scale_to} warehouse exists on this machine)"
        )
    if max(load[0], load_at_start[0]) > cpus:
        notes.append(
            f"taken under load (load average {load_at_start[0]:.1f} at the start, {load[0]:.1f} at the end, on {cpus} "
            "cores): the times are upper bounds"
        )
    return {
        "label": label,
        "data_dir": str(data_dir),
        "synthetic": synthetic,
        "target_seconds": target_seconds,
        "meets_target": again["seconds"] <= target_seconds,
        "first_publish": first,
        "with_change_sheets": again,
        "peak_memory": "each pass's own VmHWM (/proc/self/status of its spawned child)",
        "machine": {
            "cpus": cpus,
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average": load,
        },
        "note": "; ".join(notes),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rosters")
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="a data directory after zhongtai run")
    parser.add_argument("--label", default="district", help="the scale of that run, for the results file's name")
    parser.add_argument("--target-seconds", type=float, default=60.0)
    parser.add_argument(
        "--scale-to", choices=["district"], help="replicate the warehouse's roster marts to this scale (synthetic)"
    )
    args = parser.parse_args(argv)
    results = run(args.data_dir, args.label, args.target_seconds, args.scale_to)
    RESULTS.mkdir(exist_ok=True)
    name = f"rosters_{args.scale_to}_synthetic" if args.scale_to else f"rosters_{args.label}"
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"  → {path}")


if __name__ == "__main__":
    main()

"""Load throughput benchmark: zhongtai's loader against DuckDB's / calamine's bare readers, same file, same run.

`python -m bench.loading [--scale district|small|tiny] [--repeats 3] [--cache-dir DIR]`

The file is the sandbox's hukou delivery (GBK CSV, one row per registered resident) at the chosen scale, generated
once into the cache dir (default bench/.cache/<scale>, not committed) and turned into three deliveries:

- CSV GBK: the file as the police system writes it;
- CSV UTF-8: the same file transcoded;
- XLSX: the same rows written with xlsxwriter (constant_memory), capped at the sheet limit (1,048,575 data rows).

Each variant is loaded, each in its own spawned child process (so peak RSS, VmHWM, is that load's own), into a
fresh DuckDB file by:

- zhongtai: land (copy + sha256 + manifest) and `load_delivery` (typed projection, quarantine, one transaction)
  with the hukou registry entry (a model_copy of it for the UTF-8 and XLSX variants);
- the peer: CSV — `create table t as select * from read_csv(path, encoding=…, all_varchar=true)`; XLSX —
  `fastexcel.read_excel(path).load_sheet(0, dtypes="string")` and `polars.read_excel(engine="calamine")`, each
  then `create table t as select * from` the Arrow / polars frame.

Timings exclude opening the connection. Repeats alternate sides; the ratio zhongtai / peer (of rows/s) is taken
within each repeat and its median reported. Results: bench/results/loading_<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.metrics import in_spawned_child, rss_mib

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path(__file__).resolve().parent / ".cache"
XLSX_MAX_DATA_ROWS = 1_048_576 - 1  # the sheet's row limit, less the header row

# (variant, side): what runs. Sides per variant, zhongtai first.
SIDES: dict[str, list[str]] = {
    "csv_utf8": ["zhongtai", "duckdb_read_csv"],
    "csv_gbk": ["zhongtai", "duckdb_read_csv"],
    "xlsx": ["zhongtai", "fastexcel", "polars_calamine"],
}


# ---------------------------------------------------------------------------------------------------- the files


def sandbox_options(prog: str, scale: str, repeats: int, cache_help: str) -> argparse.ArgumentParser:
    """The options of a benchmark on a sandbox generated under the cache: --scale, --repeats, --cache-dir."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--scale", default=scale, choices=["tiny", "small", "district"])
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--cache-dir", type=Path, help=cache_help)
    return parser


def cache_dir(args: argparse.Namespace) -> Path:
    return Path(args.cache_dir or CACHE / args.scale).resolve()


def ensure_sandbox(data_dir: Path, scale: str) -> Path:
    """A data dir holding the sandbox at `scale`, generated the first time (bench.connectors reads it too)."""
    drops = data_dir / "sandbox" / "upstream" / "drops" / "hukou"
    if not (drops.exists() and any(drops.glob("hukou_*.csv"))):
        import sandbox
        from zhongtai.settings import Settings

        print(f"generating the {scale} sandbox into {data_dir} (once; district takes a few minutes)", flush=True)
        sandbox.generate(Settings(data_dir=data_dir), scale, on_step=lambda m: print(f"  {m}", flush=True))
    return data_dir


def _hukou_file(data_dir: Path, scale: str) -> Path:
    """The sandbox's hukou delivery at `scale`, generated into data_dir the first time."""
    drops = ensure_sandbox(data_dir, scale) / "sandbox" / "upstream" / "drops" / "hukou"
    return sorted(drops.glob("hukou_*.csv"))[-1]


def prepare(scale: str, cache_dir: Path, variants: list[str] | None = None) -> dict[str, Path]:
    """The delivery files of `variants` (default all three), made once per cache dir."""
    files = cache_dir / "files"
    files.mkdir(parents=True, exist_ok=True)
    gbk = _hukou_file(cache_dir / "data", scale)
    utf8 = files / "hukou_utf8.csv"
    if not utf8.exists():
        tmp = utf8.with_suffix(".tmp")
        with gbk.open(encoding="gb18030", newline="") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
        tmp.replace(utf8)
    xlsx = files / "hukou.xlsx"
    if not xlsx.exists() and "xlsx" in (variants or SIDES):
        _write_xlsx(utf8, xlsx)
    return {"csv_utf8": utf8, "csv_gbk": gbk, "xlsx": xlsx}


def _write_xlsx(csv_path: Path, xlsx: Path) -> None:
    import polars as pl
    import xlsxwriter

    started = time.perf_counter()
    frame = pl.read_csv(csv_path, infer_schema=False, n_rows=XLSX_MAX_DATA_ROWS)
    tmp = xlsx.with_name("hukou.tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    sheet = book.add_worksheet("户籍人口")
    sheet.write_row(0, 0, frame.columns)
    write_string = sheet.write_string
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, value in enumerate(row):
            if value is not None:
                write_string(r, c, value)
    book.close()
    tmp.replace(xlsx)
    print(f"  wrote {xlsx.name}: {frame.height:,} rows in {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------------------------------------------- the loads


def _warm_up(con: Any) -> None:
    """DuckDB's Python client imports pandas on the first query with parameters (seconds on a busy machine): a
    once-per-process cost, not load throughput. Both sides pay it before the clock starts. No progress bar."""
    con.execute("set enable_progress_bar = false")
    con.execute("select ?", [1]).fetchall()


def _registry_entry(variant: str):  # type: ignore[no-untyped-def]
    from catalog.registry import load_entry

    source = load_entry(Path(__file__).resolve().parents[1] / "catalog" / "sources" / "hukou.yaml")
    changes = {"csv_utf8": {"encoding": "utf-8"}, "xlsx": {"kind": "xlsx", "encoding": "utf-8"}}.get(variant)
    if changes:
        source = source.model_copy(update={"format": source.format.model_copy(update=changes)})
    return source


def _zhongtai(variant: str, path: Path, run_dir: Path) -> dict[str, Any]:
    from orchestration.ingestion.ingest import open_warehouse
    from orchestration.ingestion.landing import Landing
    from orchestration.ingestion.loader import load_delivery
    from zhongtai.settings import Settings

    settings = Settings(data_dir=run_dir)
    source = _registry_entry(variant)
    entity = source.entities[0]
    con = open_warehouse(settings)
    _warm_up(con)
    rss_connected = rss_mib()
    started = time.perf_counter()
    delivery = Landing(settings.landing_dir).land_file(source.id, entity.name, path)
    assert delivery is not None
    landed = time.perf_counter()
    result = load_delivery(con, source, entity, delivery, settings.landing_dir)
    seconds = time.perf_counter() - started
    rows = con.execute(f"select count(*) from raw.{source.raw_table(entity.name)}").fetchone()[0]  # type: ignore[index]
    con.close()
    assert result.status == "loaded", result
    return {
        "seconds": seconds,
        "land_seconds": landed - started,
        "load_seconds": seconds - (landed - started),
        "rows": rows,
        "rows_delivered": result.rows_delivered,
        "rows_quarantined": result.rows_quarantined,
        "rss_after_connect_mib": rss_connected,
    }


def _peer(side: str, variant: str, path: Path, run_dir: Path) -> dict[str, Any]:
    import duckdb

    from zhongtai.duckdb import connect
    from zhongtai.settings import Settings

    if variant == "csv_gbk":  # DuckDB reads GB18030 only through the encodings extension
        con = connect(
            run_dir / "peer.duckdb", read_only=False, settings=Settings(data_dir=run_dir), extensions=("encodings",)
        )
    else:
        con = duckdb.connect(str(run_dir / "peer.duckdb"))
    _warm_up(con)
    rss_connected = rss_mib()
    started = time.perf_counter()
    if side == "duckdb_read_csv":
        # DuckDB's GB18030 decoder rejects some valid four-byte sequences (生僻字) and stops: the bare peer skips
        # those lines (ignore_errors) where zhongtai recovers them, so its row count is a little lower.
        options = "encoding='gb18030', ignore_errors=true" if variant == "csv_gbk" else "encoding='utf-8'"
        con.execute(f"create table t as select * from read_csv('{path}', {options}, all_varchar=true)")
    elif side == "fastexcel":
        import fastexcel

        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=0, dtypes="string").to_arrow()
        con.execute("create table t as select * from sheet")
        del sheet
    elif side == "polars_calamine":
        import polars as pl

        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        con.execute("create table t as select * from frame")
        del frame
    else:  # pragma: no cover
        raise ValueError(side)
    seconds = time.perf_counter() - started
    rows = con.execute("select count(*) from t").fetchone()[0]  # type: ignore[index]
    con.close()
    return {"seconds": seconds, "rows": rows, "rss_after_connect_mib": rss_connected}


def _load(side: str, variant: str, path: str, run_dir: str) -> dict[str, Any]:
    if side == "zhongtai":
        return _zhongtai(variant, Path(path), Path(run_dir))
    return _peer(side, variant, Path(path), Path(run_dir))


def measure(side: str, variant: str, path: Path, scratch: Path) -> dict[str, Any]:
    """One load in a fresh spawned process and a fresh DuckDB file (removed afterwards)."""
    run_dir = Path(tempfile.mkdtemp(prefix=f"{variant}-{side}-", dir=scratch))
    try:
        stats = in_spawned_child(_load, side, variant, str(path), str(run_dir))
    except RuntimeError as exc:
        raise RuntimeError(f"{variant} / {side}: {exc}") from None
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    size = path.stat().st_size
    stats.update(rows_per_s=round(stats["rows"] / stats["seconds"]), mb_per_s=round(size / 1e6 / stats["seconds"], 1))
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()}


def summarise(runs: dict[str, dict[str, list[dict[str, Any]]]], files: dict[str, Path]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for variant, sides in runs.items():
        zt = sides["zhongtai"]
        entry: dict[str, Any] = {"file": files[variant].name, "bytes": files[variant].stat().st_size, "sides": {}}
        for side, repeats in sides.items():
            med = {
                k: statistics.median(r[k] for r in repeats)
                for k in ("seconds", "rows_per_s", "mb_per_s", "peak_rss_mib", "rss_after_connect_mib")
            }
            if side == "zhongtai":
                med["land_seconds"] = statistics.median(r["land_seconds"] for r in repeats)
                med["load_seconds"] = statistics.median(r["load_seconds"] for r in repeats)
                med["rows_quarantined"] = repeats[0]["rows_quarantined"]
            else:
                # per-repeat ratios: both sides of a ratio ran back to back under the same load
                med["ratio_zhongtai_over_peer"] = round(
                    statistics.median(z["rows_per_s"] / p["rows_per_s"] for z, p in zip(zt, repeats, strict=True)), 3
                )
                med["ratio_load_only"] = round(
                    statistics.median(p["seconds"] / z["load_seconds"] for z, p in zip(zt, repeats, strict=True)), 3
                )
            med["rows"] = repeats[0]["rows"]
            entry["sides"][side] = {k: round(v, 3) if isinstance(v, float) else v for k, v in med.items()}
            entry["sides"][side]["repeats"] = repeats
        out[variant] = entry
    return out


def _machine() -> dict[str, Any]:
    import duckdb

    mem = 0
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    return {
        "cpus": os.cpu_count(),
        "memory_mib": mem,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }


def print_table(summary: dict[str, Any]) -> None:
    head = (
        f"{'variant':9} {'side':16} {'rows':>10} {'s':>7} {'rows/s':>10} {'MB/s':>7} {'ratio':>6} "
        f"{'peak MiB':>9} {'connected':>9}"
    )
    print(head)
    print("-" * len(head))
    for variant, entry in summary.items():
        for side, s in entry["sides"].items():
            ratio = f"{s['ratio_zhongtai_over_peer']:.2f}" if "ratio_zhongtai_over_peer" in s else ""
            print(
                f"{variant:9} {side:16} {s['rows']:>10,} {s['seconds']:>7.2f} {s['rows_per_s']:>10,.0f} "
                f"{s['mb_per_s']:>7.1f} {ratio:>6} {s['peak_rss_mib']:>9.0f} {s['rss_after_connect_mib']:>9.0f}"
            )
    print(
        "ratio = zhongtai rows/s / peer rows/s (median of per-repeat ratios); peak = the child's own VmHWM; "
        "connected = RSS before the clock starts (the encodings extension alone is ~330 MiB; only the peer loads it: "
        "the loader transcodes GBK in Python)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = sandbox_options("python -m bench.loading", "district", 3, "sandbox and files (bench/.cache/<scale>)")
    parser.add_argument("--variants", default=",".join(SIDES), help="comma-separated: csv_utf8,csv_gbk,xlsx")
    args = parser.parse_args(argv)
    cache = cache_dir(args)
    variants = [v for v in args.variants.split(",") if v]
    files = prepare(args.scale, cache, variants)
    scratch = cache / "runs"
    scratch.mkdir(exist_ok=True)
    load_start = os.getloadavg()
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {v: {s: [] for s in SIDES[v]} for v in variants}
    for repeat in range(args.repeats):
        for variant in variants:
            sides = SIDES[variant] if repeat % 2 == 0 else SIDES[variant][::-1]  # alternate who goes first
            for side in sides:
                stats = measure(side, variant, files[variant], scratch)
                runs[variant][side].append(stats)
                print(
                    f"repeat {repeat + 1} {variant:9} {side:16} {stats['seconds']:7.2f} s "
                    f"{stats['rows_per_s']:>10,} rows/s  peak {stats['peak_rss_mib']:.0f} MiB  "
                    f"load {stats['loadavg_1m']}",
                    flush=True,
                )
    summary = summarise(runs, files)
    print_table(summary)
    write_result("loading", args.scale, args.repeats, load_start, {"variants": summary})


def write_result(name: str, scale: str, repeats: int, load_start: tuple[float, ...], body: dict[str, Any]) -> Path:
    """bench/results/<name>_<scale>.json: the figures with the machine and the load average around the run."""
    result = {
        "benchmark": name,
        "scale": scale,
        "repeats": repeats,
        "machine": _machine(),
        "loadavg_at_start": [round(x, 1) for x in load_start],
        "loadavg_at_end": [round(x, 1) for x in os.getloadavg()],
        **body,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}_{scale}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"load average 1/5/15 min: start {result['loadavg_at_start']}, end {result['loadavg_at_end']}")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()

"""`python -m bench` (what `make bench` runs): every benchmark, results as JSON under bench/results/.

`python -m bench [--scale district|small|tiny] [--only loading,resolution] [--data-dir DIR]`

- loading: at `--scale` (default district), on the sandbox's hukou delivery, generated once under bench/.cache;
- resolution: needs a data directory after `zhongtai run` (`--data-dir`, default ./data); skipped, saying so, when
  there is no warehouse there;
- pipeline: first run, rebuild from landing and daily refresh at `--scale`, in bench/.cache/pipeline-<scale>
  (bench/pipeline.py; not in the default list: at `district` it takes the machine for an hour);
- serving: the records endpoint against Datasette's JSON API on a published, grown fixture table (bench/serving.py);
- rosters: every village's roster workbook, CSVs and change sheet written from the warehouse of `--data-dir` (after
  `zhongtai run` at `--scale`), time and peak RSS (bench/rosters.py); skipped, saying so, without a warehouse;
- connectors: the first pull from the one-window API and the grid database against bare clients, at `--scale`, on
  the sandbox generated under bench/.cache (bench/connectors.py).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

NEEDS_WAREHOUSE = {"resolution", "rosters"}


def run(name: str, argv: list[str], about: str, data_dir: Path) -> None:
    """Run `bench.<name>` with `argv`, under a heading; one that reads the warehouse of `data_dir` is skipped,
    saying so, when there is none."""
    warehouse = data_dir / "warehouse" / "zhongtai.duckdb"
    if name in NEEDS_WAREHOUSE and not warehouse.exists():
        print(f"== {name}: skipped, no warehouse at {warehouse} (run `zhongtai run` first, or --data-dir)")
        return
    print(f"== {name} ({about})" if about else f"== {name}", flush=True)
    importlib.import_module(f"bench.{name}").main(argv)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", default="district", choices=["tiny", "small", "district"])
    parser.add_argument(
        "--only",
        default="loading,connectors,resolution,serving,rosters",
        help="comma-separated benchmarks to run (also: pipeline)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="loading: repeats (median reported)")
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="resolution: a data dir after zhongtai run")
    args = parser.parse_args(argv)
    only = {name for name in args.only.split(",") if name}
    on_warehouse = ["--data-dir", str(args.data_dir), "--label", args.scale]
    plans: dict[str, tuple[list[str], str]] = {
        "loading": (["--scale", args.scale, "--repeats", str(args.repeats)], args.scale),
        "connectors": (["--scale", args.scale], args.scale),
        "resolution": (on_warehouse, str(args.data_dir)),
        "pipeline": (["--scale", args.scale], args.scale),
        "serving": ([], ""),
        "rosters": (on_warehouse, str(args.data_dir)),
    }
    if unknown := only - plans.keys():
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))} (choose from {', '.join(plans)})")
    for name, plan in plans.items():
        if name in only:
            run(name, *plan, args.data_dir)


if __name__ == "__main__":
    main()

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
from pathlib import Path

from bench import loading


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
    if "loading" in only:
        print(f"== loading ({args.scale})", flush=True)
        loading.main(["--scale", args.scale, "--repeats", str(args.repeats)])
    if "connectors" in only:
        from bench import connectors

        print(f"== connectors ({args.scale})", flush=True)
        connectors.main(["--scale", args.scale])
    if "resolution" in only:
        warehouse = args.data_dir / "warehouse" / "zhongtai.duckdb"
        if not warehouse.exists():
            print(f"== resolution: skipped, no warehouse at {warehouse} (run `zhongtai run` first, or --data-dir)")
        else:
            from bench import resolution

            print(f"== resolution ({args.data_dir})", flush=True)
            resolution.main(["--data-dir", str(args.data_dir), "--label", args.scale])
    if "pipeline" in only:
        from bench import pipeline

        print(f"== pipeline ({args.scale})", flush=True)
        pipeline.main(["--scale", args.scale])
    if "serving" in only:
        from bench import serving

        print("== serving", flush=True)
        serving.main([])
    if "rosters" in only:
        warehouse = args.data_dir / "warehouse" / "zhongtai.duckdb"
        if not warehouse.exists():
            print(f"== rosters: skipped, no warehouse at {warehouse} (run `zhongtai run` first, or --data-dir)")
        else:
            from bench import rosters

            print(f"== rosters ({args.data_dir})", flush=True)
            rosters.main(["--data-dir", str(args.data_dir), "--label", args.scale])


if __name__ == "__main__":
    main()

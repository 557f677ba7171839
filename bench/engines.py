"""Per-model build times of the dbt project on DuckDB and on local Spark, from dbt's run_results.json.

`python -m bench.engines DATA_DIR [--out FILE] [--master local[2]]`: DATA_DIR holds a finished `zhongtai run`. DuckDB
rebuilds every model on a copy of the run's warehouse (the run's own files are left alone); Spark builds them from
the run's sources and seeds exported as Parquet (orchestration/engines/spark.py), in this process. Writes, per model,
the seconds each engine took, and the totals, to bench/results/engines_<scale>.json by default.

The load average at the start is recorded with the results: run it alone on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from orchestration.dbt import dbt_env_for, dbt_executable, project_dir
from tests.support.pipeline import dated_env
from tests.support.spark import build_project_on_spark, local_spark, local_spark_conf
from zhongtai.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"


def model_seconds(run_results: Path) -> dict[str, float]:
    """model name → dbt's execution time of it, from a run_results.json."""
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    return {
        r["unique_id"].split(".")[-1]: round(r["execution_time"], 3)
        for r in results
        if r["unique_id"].startswith("model.")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engines")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--scale", default="tiny", help="the scale the run was generated at (for the file name)")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir)
    as_of = dated_env(settings.root)["ZHONGTAI_AS_OF"]
    load = [round(x, 2) for x in os.getloadavg()]
    work = Path(tempfile.mkdtemp(prefix="bench_engines_"))
    try:
        warehouse = work / "duckdb" / "zhongtai.duckdb"
        warehouse.parent.mkdir()
        shutil.copyfile(settings.warehouse_path, warehouse)
        started = time.monotonic()
        project = str(project_dir(settings))
        subprocess.run(
            [dbt_executable(), "run", "--project-dir", project, "--profiles-dir", project,
             "--target-path", str(work / "duckdb" / "target"), "--log-path", str(work / "duckdb" / "logs")],
            env=os.environ | dbt_env_for(warehouse, settings.key_secret) | {"ZHONGTAI_AS_OF": as_of},
            check=True,
        )  # fmt: skip
        duckdb_wall = time.monotonic() - started
        started = time.monotonic()
        with local_spark(work / "spark", {"spark.ui.showConsoleProgress": "false"}) as spark:
            spark_results = build_project_on_spark(settings, spark, work / "spark", as_of)
        spark_wall = time.monotonic() - started
        duck = model_seconds(work / "duckdb" / "target" / "run_results.json")
        spark_times = model_seconds(spark_results)
        totals = {"duckdb": round(sum(duck.values()), 1), "spark": round(sum(spark_times.values()), 1)}
        report: dict[str, Any] = {
            "scale": args.scale,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cores": os.cpu_count(),
            "load_average_at_start": load,
            "spark_master": local_spark_conf(work / "spark")["spark.master"],
            "wall_seconds": {"duckdb_dbt_run": round(duckdb_wall, 1), "spark_export_and_run": round(spark_wall, 1)},
            "model_seconds_total": totals,
            "models": {n: {"duckdb": duck.get(n), "spark": spark_times.get(n)} for n in sorted(duck | spark_times)},
        }
        out = args.out or RESULTS / f"engines_{args.scale}.json"
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out}: models took {totals['duckdb']} s on DuckDB, {totals['spark']} s on Spark")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

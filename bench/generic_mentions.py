"""The generic mentions at a district's volume: the current generator against an earlier one, side by side.

`python -m bench.generic_mentions DATA_DIR [--copies 50] [--against 888bc50] [--out FILE]`: DATA_DIR holds a finished
`zhongtai run` (at `small`, 50 copies give about the district's 6.7 million raw rows of generic systems). A copy of its
warehouse gets every generic system's raw rows repeated `--copies` times, each copy's first key column made unique;
then dbt builds the two models of mentions (`int_person_mentions`,
`int_org_mentions`) once with the project as this checkout generates it and once with the generic staging rendered by
`catalog/dbt_sources.py` as it was at `--against`, each on its own copy. Records each side's dbt model seconds, wall
time and peak RSS (GNU time), whether the two sides' tables are equal (row-hash checksums), and the load average at the
start. Results: bench/results/generic_mentions.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from catalog.dbt_sources import INTERMEDIATE_DIR, STAGING_DIR, assemble_project
from catalog.registry import load_registry
from orchestration.dbt import dbt_env_for, dbt_executable
from tests.support.checksums import table_checksums
from zhongtai.settings import Settings
from zhongtai.sql import qualified, quote_identifier

RESULTS = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parent.parent
# the generic staging models exist only on the earlier side (the current mentions compute it themselves)
MODELS = ["stg_registry__person_mentions", "stg_registry__org_mentions", "int_person_mentions", "int_org_mentions"]


def inflate(warehouse: Path, copies: int) -> int:
    """Repeat every generic system's raw rows `copies` times in place, the first key column unique per copy."""
    with duckdb.connect(str(warehouse)) as con:
        for system in load_registry():
            if system.staging != "generic":
                continue
            for entity in system.entities:
                table = qualified("raw", system.raw_table(entity.name))
                key = entity.primary_key[0]
                text = next(f.type for f in entity.fields if f.name == key) == "varchar"
                columns = [c for (c,) in con.execute(f"select column_name from (describe {table})").fetchall()]
                copy = f"{key} || '-' || k" if text else f"{key} * 1000 + k"
                select = ", ".join(
                    f"{copy} as {quote_identifier(c)}" if c == key else quote_identifier(c) for c in columns
                )
                con.execute(f"create temp table base as select * from {table}")
                con.execute(f"insert into {table} select {select} from base, range(1, {copies}) as r(k)")
                con.execute("drop table base")
        return sum(
            con.execute(f"select count(*) from {qualified('raw', s.raw_table(e.name))}").fetchone()[0]  # type: ignore[index]
            for s in load_registry() if s.staging == "generic" for e in s.entities
        )  # fmt: skip


def earlier_generator(revision: str) -> Any:
    """catalog/dbt_sources.py as it was at `revision`, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:catalog/dbt_sources.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="generator_")) / "dbt_sources_earlier.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("dbt_sources_earlier", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def build(project: Path, warehouse: Path, work: Path, secret: str) -> dict[str, Any]:
    """dbt parse, then dbt run of MODELS under GNU time; model seconds, wall seconds and peak RSS."""
    env = os.environ | dbt_env_for(warehouse, secret)
    common = ["--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(work / "target"),
              "--log-path", str(work / "logs")]  # fmt: skip
    subprocess.run([dbt_executable(), "parse", *common], env=env, check=True, capture_output=True)
    started = time.monotonic()
    run = subprocess.run(
        ["/usr/bin/time", "-v", dbt_executable(), "run", "--select", *MODELS, *common],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.monotonic() - started
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))  # type: ignore[union-attr]
    results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {
        "wall_seconds": round(wall, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "model_seconds": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in results},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generic_mentions")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--against", default="888bc50")
    parser.add_argument("--out", type=Path, default=RESULTS / "generic_mentions.json")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir)
    load = [round(x, 2) for x in os.getloadavg()]
    work = Path(tempfile.mkdtemp(prefix="bench_generic_mentions_"))
    try:
        base = work / "inflated.duckdb"
        shutil.copyfile(settings.warehouse_path, base)
        raw_rows = inflate(base, args.copies)
        current, _ = assemble_project(load_registry(), work / "current")
        earlier = work / "earlier" / current.name
        shutil.copytree(current.parent, earlier.parent, symlinks=True)
        generator, registry = earlier_generator(args.against), load_registry()
        # then, the generic staging was a model of its own, which the mentions read
        for kind, person in (("person", True), ("org", False)):
            staging = generator._render_generic_mentions(registry, person)
            (earlier / STAGING_DIR / f"stg_registry__{kind}_mentions.sql").write_text(staging)
            mentions = generator._render_mentions(registry, person)
            (earlier / INTERMEDIATE_DIR / f"int_{kind}_mentions.sql").write_text(mentions)
        sides: dict[str, Any] = {}
        sums = {}
        for side, project in (("current", current), (args.against, earlier)):
            # the file is named as the warehouse is (dbt's refs name the catalog zhongtai)
            warehouse = work / side / "db" / "zhongtai.duckdb"
            warehouse.parent.mkdir(parents=True)
            shutil.copyfile(base, warehouse)
            sides[side] = build(project, warehouse, work / side / "dbt", settings.key_secret)
            with duckdb.connect(str(warehouse), read_only=True) as con:
                sums[side] = {k: v for k, v in table_checksums(con, "intermediate").items() if k.endswith("_mentions")}
        report = {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cores": os.cpu_count(),
            "load_average_at_start": load,
            "copies": args.copies,
            "generic_raw_rows": raw_rows,
            "mention_rows": {k: v[0] for k, v in sums["current"].items()},
            "same_tables": sums["current"] == sums[args.against],
            "sides": sides,
        }
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(
            json.dumps({k: v for k, v in report.items() if k != "sides"}),
            {s: v["peak_rss_mib"] for s, v in sides.items()},
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

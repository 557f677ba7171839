"""Proof that rewriting models changed no mart: on a copy of a warehouse a run built, checksum every mart
(tests/support/checksums.py), rebuild the given models with this worktree's dbt project, checksum again, compare.

`python -m bench.marts_proof WAREHOUSE WORK_DIR [MODEL ...]` (default: the marts that use macro locate_in_grid).
Writes WORK_DIR/before.json and after.json; exits 1 when a mart differs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.dbt import dbt_env_for, dbt_executable
from tests.support.checksums import differences, table_checksums
from tests.support.dbt import dbt_project
from zhongtai.settings import Settings

LOCATE_IN_GRID = ["enterprise_premises", "person_residence", "household"]


def main(argv: list[str]) -> int:
    source, work, models = Path(argv[0]), Path(argv[1]), argv[2:] or LOCATE_IN_GRID
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "zhongtai.duckdb"
    if not warehouse.exists():
        shutil.copyfile(source, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = table_checksums(con)
    (work / "before.json").write_text(json.dumps(before, indent=1, sort_keys=True) + "\n")
    project = str(dbt_project())
    command = [dbt_executable(), "run", "--select", *models, "--project-dir", project, "--profiles-dir", project,
               "--target-path", str(work / "target"), "--log-path", str(work / "logs")]  # fmt: skip
    started = time.monotonic()
    env = os.environ | dbt_env_for(warehouse, Settings().key_secret)
    subprocess.run(command, env=env, check=True)
    print(f"dbt: {time.monotonic() - started:.1f} s")
    for node in json.loads((work / "target" / "run_results.json").read_text())["results"]:
        print(f"  {node['unique_id']}: {node['status']} in {node['execution_time']:.2f} s")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = table_checksums(con)
    (work / "after.json").write_text(json.dumps(after, indent=1, sort_keys=True) + "\n")
    changed = differences(before, after)
    print(f"{len(after)} marts, {len(changed)} differ" + "".join(f"\n  {name}" for name in changed))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

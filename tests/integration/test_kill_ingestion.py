"""Fault test: SIGKILL the ingestion at 20 random moments, rerun each time; nothing is lost or duplicated.

Each killed process has a random share of about a tenth of the ingestion's working time after its start-up, so the
twenty kills land at moments spread over the whole ingestion (every restart resumes where the last one stopped) rather
than re-doing its first half twenty times.

Every raw table must end up holding exactly the rows the sandbox delivered (loaded + quarantined =
delivered, per source entity), each delivered line once, and each delivery recorded once.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.support.pipeline import pipeline_env
from zhongtai import processes
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

KILLS = 20


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = pipeline_env(data)
    port = int(env["ZHONGTAI_SANDBOX_PORT"])
    zhongtai = str(Path(sys.executable).parent / "zhongtai")
    subprocess.run([zhongtai, "sandbox", "generate", "--scale", "tiny"], env=env, check=True, capture_output=True)
    settings = Settings(data_dir=data)
    ingest = [zhongtai, "ingest"]
    server = processes.start("sandbox", [zhongtai, "sandbox", "serve"], url="", host="127.0.0.1", port=port, env=env)
    try:
        started, started_wall = time.monotonic(), time.time()
        subprocess.run(ingest, env=env, check=True, capture_output=True)
        full = time.monotonic() - started
        # start-up: until the first delivery reaches landing (imports, registry); a kill before it tests nothing
        startup = min(p.stat().st_mtime for p in settings.landing_dir.rglob("*") if p.is_file()) - started_wall
        startup = min(max(startup, 0.05), full)
        working = 2 * (full - startup) / KILLS
        shutil.rmtree(settings.landing_dir)
        shutil.rmtree(settings.warehouse_path.parent)

        rng = random.Random(20261122)
        interrupted = finished_early = 0
        while interrupted < KILLS:
            process = subprocess.Popen(ingest, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(startup + rng.uniform(0.0, working))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                interrupted += 1
            else:
                # It finished before the kill: start over from nothing so the next kill lands mid-ingestion.
                finished_early += 1
                assert process.returncode == 0
                shutil.rmtree(settings.landing_dir)
                shutil.rmtree(settings.warehouse_path.parent)
            assert finished_early < 40, "ingestion finishes too fast for the kills to land"
        last = subprocess.run(ingest, env=env, capture_output=True, text=True)
        assert last.returncode == 0, last.stdout + last.stderr
    finally:
        processes.stop([server])

    delivered = json.loads((settings.truth_dir / "summary.json").read_text())["delivered_rows"]
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        per_entity = dict(
            con.execute(
                "select source_id || '/' || entity, sum(rows_delivered) from raw._deliveries "
                "where status = 'loaded' group by 1"
            ).fetchall()
        )
        assert per_entity == delivered
        for key in delivered:
            source_id, entity = key.split("/")
            table = f"raw.{source_id}__{entity}"
            rows, distinct_lines = con.execute(
                f"select count(*), count(distinct (_delivery_id, _line)) from {table}"
            ).fetchone()
            quarantined = con.execute(
                "select count(*) from raw._quarantine where source_id = ? and entity = ?", [source_id, entity]
            ).fetchone()[0]
            assert rows == distinct_lines, f"{table}: a line loaded twice"
            assert rows + quarantined == delivered[key], f"{table}: rows lost or duplicated"
        twice = con.execute("select sha256 from raw._deliveries group by sha256, source_id, entity having count(*) > 1")
        assert twice.fetchall() == [], "a delivery was recorded twice"
    finally:
        con.close()

"""The pipeline on the `small` district (≈30,000 residents): the same ground-truth checks as on `tiny`.

Only the pipeline runs here (no servers): generate → one-window API → `zhongtai run`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import free_port
from tests.e2e.test_end_to_end import delivered_id_is_valid, loaded_mentions, truth
from zhongtai import processes
from zhongtai.settings import Settings

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data = tmp_path_factory.mktemp("small") / "data"
    port = free_port()
    env = {
        **os.environ,
        "ZHONGTAI_DATA_DIR": str(data),
        "ZHONGTAI_SANDBOX_PORT": str(port),
        "ZHONGTAI_ONEWINDOW_URL": f"http://127.0.0.1:{port}",
    }
    run = [str(BIN / "zhongtai")]
    generated = subprocess.run(
        [*run, "sandbox", "generate", "--scale", "small"], env=env, capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stderr
    server = processes.start("sandbox", [*run, "sandbox", "serve"], url="", host="127.0.0.1", port=port, env=env)
    try:
        result = subprocess.run([*run, "run"], env=env, capture_output=True, text=True, timeout=900)
    finally:
        processes.stop([server])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    yield Settings(data_dir=data)


def test_small_no_raw_row_is_lost(small: Settings) -> None:
    delivered = json.loads((small.truth_dir / "summary.json").read_text())["delivered_rows"]
    con = duckdb.connect(str(small.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            "select source_id || '/' || entity, sum(rows_delivered), sum(rows_loaded), sum(rows_quarantined) "
            "from raw._deliveries group by 1"
        ).fetchall()
        for key, rows_delivered, loaded, quarantined in rows:
            source_id, entity = key.split("/")
            in_raw = con.execute(f"select count(*) from raw.{source_id}__{entity}").fetchone()[0]
            assert in_raw == loaded and loaded + quarantined == rows_delivered, key
    finally:
        con.close()
    assert {r[0]: r[1] for r in rows} == delivered


def test_small_one_person_per_distinct_valid_id(small: Settings) -> None:
    valid = loaded_mentions(small).filter(delivered_id_is_valid())
    people = truth(small, "persons").filter(pl.col("person_id").is_in(valid["person_id"].unique().to_list()))
    con = duckdb.connect(str(small.warehouse_path), read_only=True)
    try:
        ids = [r[0] for r in con.execute("select id_number from marts.natural_person").fetchall()]
    finally:
        con.close()
    assert len(ids) == people.height
    assert set(ids) == set(people["citizen_id"].to_list())

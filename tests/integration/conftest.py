"""Fixtures shared by integration tests: one real pipeline run on the `small` district, dated by the sandbox, and one
later run on a copy of it after new deliveries.

`small_run` is made once per session and never changed afterwards. `later_delivery` copies its data directory, delivers
what the tests of a second run need — a hukou extract in which one person has moved (history), and the credit office's
register approving one penalty's repair and rejecting another's (credit repair) — and runs again there. Modules can
use both in any order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import pipeline_env
from tests.integration.credit_repair import RepairCase, deliver_repair
from zhongtai import processes
from zhongtai.settings import Settings

BIN = Path(sys.executable).parent
ZHONGTAI = str(BIN / "zhongtai")


def dated_env(data: Path) -> dict[str, str]:
    """pipeline_env, with ZHONGTAI_AS_OF = the sandbox district's date so life events and credit windows are fixed."""
    env = pipeline_env(data)
    env["ZHONGTAI_AS_OF"] = json.loads((Settings(data_dir=data).truth_dir / "summary.json").read_text())["as_of"]
    return env


def run_pipeline(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`zhongtai run` with the sandbox's one-window API started beside it (and stopped after)."""
    port = int(env["ZHONGTAI_SANDBOX_PORT"])
    server = processes.start("sandbox", [ZHONGTAI, "sandbox", "serve"], url="", host="127.0.0.1", port=port, env=env)
    try:
        return subprocess.run([ZHONGTAI, "run"], env=env, capture_output=True, text=True, timeout=3000, check=False)
    finally:
        processes.stop([server])


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """generate small → start the simulated one-window API → `zhongtai run` with ZHONGTAI_AS_OF = the district's date.

    ZHONGTAI_TEST_SMALL_RUN points at the data directory of such a run already made, to rerun the checks alone.
    """
    reuse = os.environ.get("ZHONGTAI_TEST_SMALL_RUN")
    if reuse:
        yield Settings(data_dir=Path(reuse))
        return
    data = tmp_path_factory.mktemp("small_run") / "data"
    generated = subprocess.run(
        [ZHONGTAI, "sandbox", "generate", "--scale", "small"], env=pipeline_env(data), capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    run = run_pipeline(dated_env(data))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "entity_resolution" in run.stdout
    yield Settings(data_dir=data)


@pytest.fixture(scope="session")
def rerun_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Settings, str], tuple[Settings, dict[str, str]]]:
    """A copy of a finished run's data directory, with its own environment, to deliver more and run again."""

    def copy(settings: Settings, name: str) -> tuple[Settings, dict[str, str]]:
        data = tmp_path_factory.mktemp(name) / "data"
        shutil.copytree(settings.root, data, symlinks=True)
        return Settings(data_dir=data), dated_env(data)

    return copy


MOVED_TO = "佛山市禅城区祖庙街道测试新街1号101房"


@dataclass(frozen=True)
class LaterDelivery:
    settings: Settings  # the copy, after its second run
    id_number: str  # the person who moved
    old_address: str
    repair: RepairCase  # the repair approved and the one rejected before the second run


def deliver_a_move(later: Settings) -> tuple[str, str]:
    """One more hukou extract, identical but for one person's address; returns (their ID number, old address)."""
    drops = later.upstream / "drops" / "hukou"
    first = sorted(drops.glob("hukou_*.csv"))[-1]
    frame = pl.read_csv(first, encoding="gb18030", infer_schema=False)
    target = frame.filter(pl.col("公民身份号码").str.contains(r"^[0-9]{18}$")).row(0, named=True)
    changed = frame.with_columns(
        pl.when(pl.col("公民身份号码") == target["公民身份号码"]).then(pl.lit(MOVED_TO)).otherwise(pl.col("户籍地址"))
        .alias("户籍地址")
    )  # fmt: skip
    (drops / "hukou_20991231.csv").write_bytes(changed.write_csv().encode("gb18030"))
    return target["公民身份号码"], target["户籍地址"]


@pytest.fixture(scope="session")
def later_delivery(small_run: Settings, rerun_copy) -> LaterDelivery:  # type: ignore[no-untyped-def]
    """A copy of the small run, given a moved person and a credit-repair decision, run again."""
    later, env = rerun_copy(small_run, "later_delivery")
    id_number, old_address = deliver_a_move(later)
    repair = deliver_repair(later)
    run = run_pipeline(env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return LaterDelivery(later, id_number, old_address, repair)

"""Fixtures shared by integration tests: one real pipeline run on the `small` district, dated by the sandbox.

The run is made once per session and never changed afterwards: a test that needs a later delivery copies its data
directory (`rerun_copy`) and runs again there, so modules can use `small_run` in any order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import pipeline_env
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

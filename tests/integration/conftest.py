"""Fixtures shared by integration tests: one real pipeline run on the `tiny` district, dated by the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import pipeline_env
from zhongtai import processes
from zhongtai.settings import Settings

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """generate → start the simulated one-window API → `zhongtai run` with ZHONGTAI_AS_OF = the district's date.

    ZHONGTAI_TEST_TINY_RUN points at the data directory of such a run already made, to rerun the checks alone.
    """
    reuse = os.environ.get("ZHONGTAI_TEST_TINY_RUN")
    if reuse:
        yield Settings(data_dir=Path(reuse))
        return
    data = tmp_path_factory.mktemp("tiny_run") / "data"
    env = pipeline_env(data)
    port = int(env["ZHONGTAI_SANDBOX_PORT"])
    zt = str(BIN / "zhongtai")
    generated = subprocess.run([zt, "sandbox", "generate", "--scale", "tiny"], env=env, capture_output=True, text=True)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    settings = Settings(data_dir=data)
    as_of = json.loads((settings.truth_dir / "summary.json").read_text())["as_of"]
    env["ZHONGTAI_AS_OF"] = as_of
    server = processes.start("sandbox", [zt, "sandbox", "serve"], url="", host="127.0.0.1", port=port, env=env)
    try:
        run = subprocess.run([zt, "run"], env=env, capture_output=True, text=True, timeout=3000)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    finally:
        processes.stop([server])
    yield settings

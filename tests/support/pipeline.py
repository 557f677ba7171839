"""Running zhongtai in tests: free ports, an environment on one data directory, `zhongtai run` beside the sandbox."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from zhongtai import processes
from zhongtai.settings import Settings

BIN = Path(sys.executable).parent
ZHONGTAI = str(BIN / "zhongtai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pipeline_env(data: Path, *, servers: bool = False) -> dict[str, str]:
    """The environment for zhongtai processes on one data directory, with the sandbox's one-window API on a free port
    (and, with `servers`, free ports for the API, Datasette and the Dagster UI)."""
    sandbox_port = free_port()
    env = {
        **os.environ,
        "ZHONGTAI_DATA_DIR": str(data),
        "ZHONGTAI_SANDBOX_PORT": str(sandbox_port),
        "ZHONGTAI_ONEWINDOW_URL": f"http://127.0.0.1:{sandbox_port}",
        "DO_NOT_TRACK": "1",
    }
    if servers:
        for name in ("API", "DATASETTE", "DAGSTER"):
            env[f"ZHONGTAI_{name}_PORT"] = str(free_port())
    return env


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


@dataclass(frozen=True)
class FirstRun:
    settings: Settings
    run: subprocess.CompletedProcess[str]


def generate_and_run(data: Path, scale: str) -> subprocess.CompletedProcess[str]:
    """`zhongtai sandbox generate --scale <scale>` into `data`, then `zhongtai run` dated by the sandbox."""
    generated = subprocess.run(
        [ZHONGTAI, "sandbox", "generate", "--scale", scale], env=pipeline_env(data), capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return run_pipeline(dated_env(data))


def wait_for_http(client: httpx.Client, path: str, proc: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    """Return once the server started as `proc` answers `path`; fail with its stderr if it exits first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            client.get(path)
            return
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "the server exited"
            assert time.monotonic() < deadline, f"no answer on {path} within {seconds} s"
            time.sleep(0.05)

"""Shared fixtures: free ports and an environment pointing every zhongtai process at one data directory."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest


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


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# Property tests must not fail because a loaded 2-core machine was slow: no per-example deadline.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("zhongtai", deadline=None)
hypothesis_settings.load_profile("zhongtai")

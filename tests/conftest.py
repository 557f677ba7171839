"""Shared fixtures: free ports and an environment pointing every zhongtai process at one data directory."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# Property tests must not fail because a loaded 2-core machine was slow: no per-example deadline.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("zhongtai", deadline=None)
hypothesis_settings.load_profile("zhongtai")

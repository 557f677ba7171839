"""What the test processes of one `pytest` run make once between them: `make test` runs two pytest-xdist workers, each
with its own temporary folder, and a session fixture or a per-process cache is otherwise made once in each. Whatever
`once` makes lives in the run's own folder (the workers' folders sit in it), under a file lock, so the first worker to
need it makes it and the other one waits for it and reads it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

_ROOT: list[Path] = []


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`shared` in the run's folder: the parent of a worker's own (`popen-gwN`); pytest's base without xdist."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"


def set_root(folder: Path) -> Path:
    """Where `once` keeps what it makes, for this process."""
    folder.mkdir(exist_ok=True)
    _ROOT[:] = [folder]
    return folder


def once(name: str, make: Callable[[Path], object]) -> Path:
    """`<run folder>/shared/<name>`, made by `make(folder)` the first time any worker of the run asks for it. A `make`
    that fails leaves nothing behind, so the next one to ask tries again (and fails with its own error)."""
    if not _ROOT:
        raise RuntimeError("tests/conftest.py sets the run's shared folder before any test runs")
    folder = _ROOT[0] / name
    with FileLock(f"{folder}.lock"):
        if not folder.exists():
            building = folder.with_name(f"{name}.building")
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            make(building)
            building.rename(folder)
    return folder

"""tests/support/shared.py: what the workers of one run make once between them is made once, even when both ask at
the same moment, and a failed make leaves nothing behind for the next one to trust."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from tests.support import shared


def _ask(root: Path, start: float) -> None:
    """One worker: asks for the folder at `start`, as both workers of a run ask for the dbt parse first thing."""
    shared.set_root(root)

    def make(folder: Path) -> None:
        with (root / "calls").open("a") as calls:
            calls.write("made\n")
        time.sleep(0.5)  # long enough for the other worker to ask while this one makes it
        (folder / "made.txt").write_text("ok")

    time.sleep(max(0.0, start - time.time()))
    assert (shared.once("thing", make) / "made.txt").read_text() == "ok"


def test_two_workers_asking_at_once_make_it_once_and_both_read_it(tmp_path: Path) -> None:
    fork = multiprocessing.get_context("fork")
    start = time.time() + 0.3
    workers = [fork.Process(target=_ask, args=(tmp_path, start)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert (tmp_path / "calls").read_text() == "made\n"


def test_a_failed_make_leaves_nothing_and_the_next_ask_makes_it(tmp_path: Path) -> None:
    shared.set_root(tmp_path)

    def broken(folder: Path) -> None:
        (folder / "half.txt").write_text("half")
        raise RuntimeError("dbt parse failed")

    with pytest.raises(RuntimeError, match="dbt parse failed"):
        shared.once("thing", broken)
    assert not (tmp_path / "thing").exists()
    made = shared.once("thing", lambda folder: (folder / "whole.txt").write_text("whole"))
    assert sorted(p.name for p in made.iterdir()) == ["whole.txt"]

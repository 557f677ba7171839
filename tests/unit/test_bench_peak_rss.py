"""Benchmarks measure each side's own peak memory (issue 14, item 5): a child spawned by a parent that has used
far more memory reports its own peak, not the parent's (ru_maxrss survives fork and exec on Linux; VmHWM does not)."""

from __future__ import annotations

import multiprocessing as mp
import resource
from typing import Any

from bench.metrics import peak_rss_mib

PARENT_MIB = 400


def _child(queue: Any) -> None:
    queue.put((peak_rss_mib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def test_a_spawned_childs_peak_is_its_own() -> None:
    held = bytearray(PARENT_MIB << 20)
    held[:: 1 << 12] = b"x" * len(held[:: 1 << 12])  # touch every page, so it is resident
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(queue,))
    process.start()
    own, inherited = queue.get(timeout=120)
    process.join()
    assert inherited >= PARENT_MIB  # what the old column read
    assert 5 < own < PARENT_MIB / 2  # a bare interpreter: tens of MiB
    assert peak_rss_mib() >= PARENT_MIB  # and the parent's own peak is its own

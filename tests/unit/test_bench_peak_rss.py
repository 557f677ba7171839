"""Benchmarks measure each side's own peak memory (issue 14, item 5): a child spawned by a parent that has used
far more memory reports its own peak, not the parent's (ru_maxrss survives fork and exec on Linux; VmHWM does not).
`bench.metrics.in_spawned_child` is how bench.connectors and bench.loading run a side; a failing side says why."""

from __future__ import annotations

import os
import resource
from typing import Any

import pytest

from bench.metrics import in_spawned_child, peak_rss_mib

PARENT_MIB = 400


def _inherited(label: str) -> dict[str, Any]:
    return {"label": label, "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _fails() -> dict[str, Any]:
    raise ValueError("bad delivery")


def _dies() -> dict[str, Any]:
    os._exit(3)


def test_a_spawned_childs_peak_is_its_own() -> None:
    held = bytearray(PARENT_MIB << 20)
    held[:: 1 << 12] = b"x" * len(held[:: 1 << 12])  # touch every page, so it is resident
    stats = in_spawned_child(_inherited, "side")
    assert stats["label"] == "side"  # what the work returned comes back
    assert stats["ru_maxrss_mib"] >= PARENT_MIB  # what the old column read
    assert 5 < stats["peak_rss_mib"] < PARENT_MIB / 2  # a bare interpreter: tens of MiB
    assert stats["loadavg_1m"] >= 0
    assert peak_rss_mib() >= PARENT_MIB  # and the parent's own peak is its own


def test_a_failing_child_says_why() -> None:
    with pytest.raises(RuntimeError, match="ValueError: bad delivery"):
        in_spawned_child(_fails)
    with pytest.raises(RuntimeError, match="exited with code 3 and reported nothing"):
        in_spawned_child(_dies)

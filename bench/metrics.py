"""What benchmarks measure: a side's own peak memory in a spawned child, and pairwise precision / recall / F1 of a
clustering against ground truth (computed without listing the pairs)."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queues
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # polars is imported where it is used: a spawned child importing this module must not pay for it
    import polars as pl


def rss_mib(field: str = "VmRSS") -> float:
    """A field of this process's /proc status in MiB: VmRSS (resident now) or VmHWM (its high-water mark)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_rss_mib() -> float:
    """This process's own peak resident memory: VmHWM, the high-water mark of its address space.

    Not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a child spawned by multiprocessing (fork, then
    exec) reports its parent's peak when that is higher — which made every side and repeat of bench.loading read the
    parent's 4,887 MiB (the parent had read the whole CSV with polars to write the XLSX)."""
    return rss_mib("VmHWM")


def _child(work: Callable[..., dict[str, Any]], args: tuple[Any, ...], results: Any) -> None:
    try:
        stats = work(*args)
        stats["peak_rss_mib"] = peak_rss_mib()
        results.put(stats)
    except BaseException as exc:  # reported to the parent, not swallowed
        results.put({"error": f"{type(exc).__name__}: {exc}"})
        raise


def in_spawned_child(work: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`work(*args)` in a fresh spawned process, so that the memory it reports is its own: the dict `work` returns,
    plus `peak_rss_mib` (the child's VmHWM once `work` is done) and `loadavg_1m` (the machine's as the child started).

    `work` must be a module-level function (spawn pickles it by name) and its arguments picklable. A failure in the
    child — an exception, or the process dying without a word — raises RuntimeError here, saying what it was."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    load = os.getloadavg()[0]
    process = ctx.Process(target=_child, args=(work, args, results))
    process.start()
    try:
        while True:
            try:
                stats: dict[str, Any] = results.get(timeout=1)
                break
            except queues.Empty:
                if not process.is_alive() and results.empty():
                    raise RuntimeError(f"the child exited with code {process.exitcode} and reported nothing") from None
    finally:
        process.join()
    if "error" in stats:
        raise RuntimeError(stats["error"])
    stats["loadavg_1m"] = round(load, 1)
    return stats


def _pairs(counts: pl.Series) -> int:
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(frame: pl.DataFrame, predicted: str = "predicted", truth: str = "truth") -> dict[str, float]:
    """frame: one row per record with its predicted cluster and its true entity (both non-null)."""
    predicted_pairs = _pairs(frame.group_by(predicted).len()["len"])
    true_pairs = _pairs(frame.group_by(truth).len()["len"])
    both = _pairs(frame.group_by(predicted, truth).len()["len"])
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": frame.height,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "true_positive_pairs": both,
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
    }

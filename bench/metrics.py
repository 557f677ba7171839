"""What the benchmarks measure with: a process's own resident memory, and pairwise precision / recall / F1 of a
clustering against ground truth, computed without listing the pairs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polars only where clusterings are scored: not in every benchmark child that reads its memory
    import polars as pl


def rss_mib(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS), or another line of /proc/self/status in MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_rss_mib() -> float:
    """This process's own peak resident memory: VmHWM, the high-water mark of its address space.

    Not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a child spawned by multiprocessing (fork, then
    exec) reports its parent's peak when that is higher — which made every side and repeat of bench/loading.py read
    the parent's 4,887 MiB (the parent had read the whole CSV with polars to write the XLSX)."""
    return rss_mib("VmHWM")


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

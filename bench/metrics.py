"""Pairwise precision / recall / F1 of a clustering against ground truth, computed without listing the pairs."""

from __future__ import annotations

import polars as pl


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

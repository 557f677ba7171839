"""Score matches against a ground truth of item → (dataset, field): precision, recall, F1 and the wrong matches."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

Target = tuple[str, str] | None


def target_key(dataset: str | None, field: str | None) -> Target:
    if not dataset or not field:
        return None
    return dataset, re.sub(r"\s+", "", field.lower())  # expressions compare without their spacing


def score(pairs: Iterable[tuple[str, Target, Target]]) -> dict[str, Any]:
    """`pairs` of (label, true target, predicted target) → precision, recall, F1 and the confusion of errors."""
    tp = fp = fn = tn = items = 0
    wrong: Counter[str] = Counter()
    for label, truth, predicted in pairs:
        items += 1
        if predicted is not None and predicted == truth:
            tp += 1
        elif predicted is not None:
            fp += 1
            wrong[f"{label} → {predicted[0]}.{predicted[1]} (truth: {'.'.join(truth) if truth else 'not held'})"] += 1
            fn += truth is not None
        elif truth is not None:
            fn += 1
            wrong[f"{label} → not held (truth: {'.'.join(truth)})"] += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": items,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "true_negatives": tn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "wrong": wrong.most_common(),
    }


__all__ = ["Target", "score", "target_key"]

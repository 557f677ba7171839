"""The sandbox's noise functions on edge cases a day of the district's life can produce."""

from __future__ import annotations

import numpy as np
import polars as pl

from sandbox.noise import noisy_phones


def test_noisy_phones_of_nobody_is_nothing() -> None:
    """A day on which the grid collects nobody: no phones in, none out, and no numpy error."""
    delivered, kinds = noisy_phones(np.random.default_rng(1), pl.Series([], dtype=pl.String), {"missing": 0.1}, ["138"])
    assert delivered.len() == 0 and kinds.len() == 0


def test_noisy_phones_keeps_one_answer_per_person() -> None:
    phones = pl.Series(["13800000001", None, "13900000002"])
    delivered, kinds = noisy_phones(np.random.default_rng(1), phones, {"missing": 0.5, "conflict": 0.5}, ["137"])
    assert delivered.len() == kinds.len() == 3
    assert kinds[1] is None  # a person without a phone has nothing to go missing or conflict

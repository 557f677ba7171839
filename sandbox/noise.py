"""Noise as upstream systems deliver it: missing, broken, 15-digit and full-width IDs, typos, conflicting phones.

Every function draws from the generator it is given, column-wise (no loop per row), and returns the values as
delivered beside the kind of noise applied to each (null for a clean value), which the truth keeps.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from zhongtai.identifiers import ID_CHECK_CHARS, USCC_ALPHABET

# noise rates per system: (kind, share of rows); a kind that does not apply to a row (lower_x on an ID without X,
# old15 for someone born after 1999) leaves that row clean
ID_NOISE: dict[str, dict[str, float]] = {
    "grid": {"missing": 0.03, "broken_check": 0.01, "old15": 0.01, "full_width": 0.01, "lower_x": 0.30},
    "hukou": {"old15": 0.02},
    "civil_marriage": {"broken_check": 0.01, "full_width": 0.01, "lower_x": 0.20},
    "market_registry": {"missing": 0.01, "broken_check": 0.005, "old15": 0.01, "full_width": 0.005, "lower_x": 0.20},
    "onewindow": {"missing": 0.005, "broken_check": 0.005, "old15": 0.005, "full_width": 0.01, "lower_x": 0.30},
}
USCC_NOISE = {"missing": 0.01, "broken_check": 0.005, "lower_case": 0.01}
NAME_TYPO = {"grid": 0.02, "hukou": 0.0, "civil_marriage": 0.01, "market_registry": 0.01, "onewindow": 0.01}
PHONE_NOISE = {"grid": {"missing": 0.15, "conflict": 0.05}, "onewindow": {"missing": 0.05, "conflict": 0.03}}
# the legacy department systems' rates (sandbox/legacy.py), lower than the big systems'
LEGACY_ID_NOISE = {"missing": 0.005, "broken_check": 0.005, "old15": 0.005, "full_width": 0.005, "lower_x": 0.2}
LEGACY_USCC_NOISE = {"missing": 0.005, "broken_check": 0.005, "lower_case": 0.01}
LEGACY_NAME_TYPO = 0.005

_FULL_WIDTH_DIGITS = [chr(0xFF10 + i) for i in range(10)]


def _kinds(rng: np.random.Generator, n: int, rates: dict[str, float]) -> pl.Series:
    """Draw a noise kind per row (null for a clean row) with the given shares."""
    edges = np.cumsum(list(rates.values()))
    idx = np.searchsorted(edges, rng.random(n), side="right")
    labels = np.asarray([*rates.keys(), ""])
    kinds = pl.Series("kind", labels[np.minimum(idx, len(rates))])
    return pl.select(pl.when(kinds != "").then(kinds)).to_series()


def noisy_ids(rng: np.random.Generator, ids: pl.Series, rates: dict[str, float]) -> tuple[pl.Series, pl.Series]:
    """Deliver citizen IDs with noise; returns (as delivered, noise kind or null).

    A broken ID keeps its 17 digits and gets a wrong check character, so it can never be another person's valid ID.
    """
    n = ids.len()
    df = pl.DataFrame(
        {
            "id": ids,
            "kind": _kinds(rng, n, rates),
            "k": rng.integers(1, 11, n),
        }
    )
    year = pl.col("id").str.slice(6, 4).cast(pl.Int64)
    applies = (
        pl.when(pl.col("kind") == "old15")
        .then(year.is_between(1900, 1999))
        .when(pl.col("kind") == "lower_x")
        .then(pl.col("id").str.ends_with("X"))
        .otherwise(pl.col("kind").is_not_null())
    )
    df = df.with_columns(kind=pl.when(applies).then(pl.col("kind")))
    check_index = (
        pl.col("id")
        .str.slice(17, 1)
        .replace_strict({c: i for i, c in enumerate(ID_CHECK_CHARS)}, return_dtype=pl.Int64)
    )
    wrong = ((check_index + pl.col("k")) % 11).replace_strict(dict(enumerate(ID_CHECK_CHARS)), return_dtype=pl.String)
    kind = pl.col("kind")
    out = df.select(
        delivered=pl.when(kind.is_null())
        .then(pl.col("id"))
        .when(kind == "missing")
        .then(None)
        .when(kind == "broken_check")
        .then(pl.col("id").str.slice(0, 17) + wrong)
        .when(kind == "old15")
        .then(pl.col("id").str.slice(0, 6) + pl.col("id").str.slice(8, 9))
        .when(kind == "full_width")
        .then(pl.col("id").str.replace_many(list("0123456789"), _FULL_WIDTH_DIGITS))
        .when(kind == "lower_x")
        .then(pl.col("id").str.replace("X", "x", literal=True))
        .otherwise(pl.col("id")),
        kind=kind,
    )
    return out["delivered"], out["kind"]


def noisy_usccs(rng: np.random.Generator, codes: pl.Series, rates: dict[str, float]) -> tuple[pl.Series, pl.Series]:
    """Deliver credit codes with noise; a broken code only has its check character changed."""
    n = codes.len()
    df = pl.DataFrame({"c": codes, "kind": _kinds(rng, n, rates), "k": rng.integers(1, 31, n)})
    idx = (
        pl.col("c").str.slice(17, 1).replace_strict({c: i for i, c in enumerate(USCC_ALPHABET)}, return_dtype=pl.Int64)
    )
    wrong = ((idx + pl.col("k")) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)
    kind = pl.col("kind")
    out = df.select(
        delivered=pl.when(kind.is_null())
        .then(pl.col("c"))
        .when(kind == "missing")
        .then(None)
        .when(kind == "broken_check")
        .then(pl.col("c").str.slice(0, 17) + wrong)
        .when(kind == "lower_case")
        .then(pl.col("c").str.to_lowercase())
        .otherwise(pl.col("c")),
        kind=kind,
    )
    return out["delivered"], out["kind"]


def noisy_names(
    rng: np.random.Generator, names: pl.Series, rate: float, pool: list[str]
) -> tuple[pl.Series, pl.Series]:
    """A typo swaps the last character of the name for another from the given-name pool."""
    n = names.len()
    typo = rng.random(n) < rate
    shift = rng.integers(1, len(pool), n)
    df = pl.DataFrame({"name": names, "typo": typo, "shift": shift})
    last_idx = (
        pl.col("name")
        .str.slice(-1, 1)
        .replace_strict({c: i for i, c in enumerate(pool)}, default=0, return_dtype=pl.Int64)
    )
    new_last = ((last_idx + pl.col("shift")) % len(pool)).replace_strict(dict(enumerate(pool)), return_dtype=pl.String)
    out = df.select(
        delivered=pl.when(pl.col("typo"))
        .then(pl.col("name").str.slice(0, pl.col("name").str.len_chars() - 1) + new_last)
        .otherwise(pl.col("name")),
        noise=pl.when(pl.col("typo")).then(pl.lit("typo")),
    )
    return out["delivered"], out["noise"]


def noisy_phones(
    rng: np.random.Generator, phones: pl.Series, rates: dict[str, float], prefixes: list[str]
) -> tuple[pl.Series, pl.Series]:
    """Phones go missing, or the system holds a different number than the person's own (a conflict between systems)."""
    n = phones.len()
    if n == 0:  # a day with nobody to report (numpy's zfill fails on an empty array)
        return pl.Series("delivered", [], dtype=pl.String), pl.Series("kind", [], dtype=pl.String)
    other = np.char.add(
        np.asarray(prefixes)[rng.integers(0, len(prefixes), n)],
        np.char.zfill(rng.integers(0, 100_000_000, n).astype(str), 8),
    )
    df = pl.DataFrame({"p": phones, "kind": _kinds(rng, n, rates), "other": other})
    df = df.with_columns(
        kind=pl.when(pl.col("p").is_not_null() & (pl.col("other") != pl.col("p"))).then(pl.col("kind"))
    )
    out = df.select(
        delivered=pl.when(pl.col("kind") == "missing")
        .then(None)
        .when(pl.col("kind") == "conflict")
        .then(pl.col("other"))
        .otherwise(pl.col("p")),
        kind=pl.col("kind"),
    )
    return out["delivered"], out["kind"]

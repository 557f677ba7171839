"""Reference tables shipped with zhongtai: Chancheng's administrative divisions (GB/T 2260, to 12 digits) and grids."""

from __future__ import annotations

from pathlib import Path

import polars as pl

REFERENCE_DIR = Path(__file__).resolve().parent


def load_divisions() -> pl.DataFrame:
    """code, name, level (district|town|village), parent_code, unit_type (村委会|居委会|'')."""
    return pl.read_csv(REFERENCE_DIR / "admin_divisions.csv", infer_schema=False).with_columns(
        pl.col("parent_code", "unit_type").fill_null("")
    )


def load_grids() -> pl.DataFrame:
    """grid_code, village_code, name."""
    return pl.read_csv(REFERENCE_DIR / "grids.csv", infer_schema=False)

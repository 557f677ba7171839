"""Reading a finished run in tests: the warehouse (read-only) and the sandbox's ground truth beside it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import polars as pl

from zhongtai.settings import Settings


def query(settings: Settings, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).pl()
    finally:
        con.close()


def truth(settings: Settings, name: str) -> pl.DataFrame:
    return pl.read_parquet(settings.truth_dir / f"{name}.parquet")


def sandbox_as_of(settings: Settings) -> dt.date:
    """The sandbox district's date, which the tests' runs use as ZHONGTAI_AS_OF."""
    return dt.date.fromisoformat(json.loads((settings.truth_dir / "summary.json").read_text())["as_of"])

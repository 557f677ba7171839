"""Reading a finished run in tests: the warehouse (read-only) and the sandbox's ground truth beside it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import polars as pl

from zhongtai.identifiers import InvalidIdentifier, parse_citizen_id
from zhongtai.settings import Settings


def query(settings: Settings, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).pl()
    finally:
        con.close()


def raw_counts(settings: Settings) -> dict[str, int]:
    """Rows per raw table of a source entity (`<source id>__<entity>`; not the bookkeeping tables, whose names start
    with _)."""
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' and table_type = 'BASE TABLE' "
            "and not starts_with(table_name, '_')"
        ).fetchall()
        return {t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for (t,) in tables}
    finally:
        con.close()


def truth(settings: Settings, name: str) -> pl.DataFrame:
    return pl.read_parquet(settings.truth_dir / f"{name}.parquet")


def sandbox_as_of(settings: Settings) -> dt.date:
    """The sandbox district's date, which the tests' runs use as ZHONGTAI_AS_OF."""
    return dt.date.fromisoformat(json.loads((settings.truth_dir / "summary.json").read_text())["as_of"])


def is_valid_id(value: str | None) -> bool:
    try:
        parse_citizen_id(value)
    except InvalidIdentifier:
        return False
    return True


def loaded_mentions(settings: Settings) -> pl.DataFrame:
    """Person mentions in every delivered row except those the sandbox broke on purpose (quarantined)."""
    return truth(settings, "source_records").filter(pl.col("fault").fill_null("") != "bad_date_row")


def delivered_id_is_valid() -> pl.Expr:
    """Validity by our GB 11643 implementation, applied to the ID exactly as the upstream delivered it."""
    return pl.col("id_as_delivered").fill_null("").map_elements(is_valid_id, return_dtype=pl.Boolean)


def nonempty(frame: pl.DataFrame, what: str) -> pl.DataFrame:
    """The frame, once it is known to have rows: a check over no rows proves nothing, so it fails instead."""
    assert frame.height > 0, f"no rows: {what}"
    return frame

"""Raw tables as the pipeline's loader writes them, filled by hand in tests: every registered entity's table, typed
as the loader types the registry's fields, with the delivery columns, and deliveries appended line by line as from a
file."""

from __future__ import annotations

from typing import Any

import duckdb

from catalog.registry import Registry, load_registry
from orchestration.ingestion.loader import SQL_TYPES
from zhongtai import bookkeeping


def create_raw_tables(con: duckdb.DuckDBPyConnection, registry: Registry | None = None) -> None:
    """Every entity's raw table of `registry` (the committed one by default), plus the delivery columns."""
    con.execute("create schema if not exists raw")
    for source in registry if registry is not None else load_registry():
        for entity in source.entities:
            columns = [f"{f.name} {SQL_TYPES[f.type]}" for f in entity.fields]
            columns += ["_delivery_id varchar not null", "_line bigint not null", "_received_at timestamptz not null"]
            columns += ["_extra varchar"]
            con.execute(f"create table if not exists raw.{source.raw_table(entity.name)} ({', '.join(columns)})")
    # The resolution step's output, empty here (zhongtai.bookkeeping defines it), so every mention in a fixture
    # resolves deterministically or stays unresolved.
    bookkeeping.ensure_link_tables(con)


def deliver(
    con: duckdb.DuckDBPyConnection,
    table: str,
    delivery: tuple[str, str],
    columns: str,
    rows: list[tuple[Any, ...]],
    **same: Any,
) -> None:
    """Append one delivery (id, received at) to a raw table, lines numbered as in a file with a header."""
    delivery_id, received_at = delivery
    names = [*columns.split(), *same, "_delivery_id", "_line", "_received_at"]
    for line, row in enumerate(rows, start=2):
        values = [*row, *same.values(), delivery_id, line, received_at]
        con.execute(f"insert into raw.{table} ({', '.join(names)}) values ({', '.join('?' * len(values))})", values)

"""The small warehouse of marts the publish tests serve, built from tests/fixtures/marts/warehouse.sql."""

from __future__ import annotations

from pathlib import Path

import duckdb

from zhongtai.settings import Settings

WAREHOUSE_SQL = Path(__file__).resolve().parents[1] / "fixtures" / "marts" / "warehouse.sql"


def make_warehouse(settings: Settings) -> None:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(WAREHOUSE_SQL.read_text(encoding="utf-8"))


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every table of a DuckDB database: `schema.table` → [(column, type in DuckDB's own spelling)]."""
    rows = con.execute(
        "select schema_name || '.' || table_name, column_name, lower(data_type) from duckdb_columns() "
        "where not internal order by schema_name, table_name, column_index"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def duckdb_type(con: duckdb.DuckDBPyConnection, declared: str) -> str:
    """A contract's data type as DuckDB spells it (`int` → integer, `decimal(18, 4)` → decimal(18,4))."""
    return str(con.execute(f"select lower(typeof(cast(null as {declared})))").fetchone()[0])  # type: ignore[index]

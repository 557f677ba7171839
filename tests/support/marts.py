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


def rename_villages(con: duckdb.DuckDBPyConnection, renaming: dict[str, str], schema: str | None = None) -> None:
    """Give the fixture's villages other codes (fixture code → new code) in every table with a village_code column,
    or only in `schema`'s: accounts and pages name the district's real villages."""
    tables = con.execute(
        "select distinct table_schema || '.' || table_name from information_schema.columns "
        "where column_name = 'village_code' and (? is null or table_schema = ?)",
        [schema, schema],
    ).fetchall()
    for (table,) in tables:
        for old, new in renaming.items():
            con.execute(f"update {table} set village_code = ? where village_code = ?", [new, old])


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

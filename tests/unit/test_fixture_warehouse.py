"""The fixture warehouse the publish tests serve agrees with the real project: every table is a mart of the parsed
dbt project with exactly its contract's columns, in order, and types."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.support.dbt import mart_contracts
from tests.support.marts import WAREHOUSE_SQL, duckdb_type, table_columns


def test_every_fixture_table_has_its_mart_contract(dbt_manifest: Path) -> None:
    contracts = mart_contracts(dbt_manifest)
    with duckdb.connect(":memory:") as con:
        con.execute(WAREHOUSE_SQL.read_text(encoding="utf-8"))
        tables = table_columns(con)
        expected = {
            table: [(column, duckdb_type(con, declared)) for column, declared in contracts[table]]
            for table in tables
            if table in contracts
        }
        empty = [t for t in tables if not con.execute(f"select count(*) from {t}").fetchone()[0]]  # type: ignore[index]
    assert tables, "the fixture warehouse has no tables"
    assert not set(tables) - set(contracts), "fixture tables that are no mart of the dbt project"
    for table, columns in tables.items():
        assert columns == expected[table], table
    assert not empty, f"fixture tables without rows: {empty}"

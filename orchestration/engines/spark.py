"""The warehouse's inputs on Spark: every table the dbt project reads as a source (the raw layer the loader writes,
and the tables Python writes, such as entity resolution's links) and its seeds, exported from DuckDB as Parquet and
registered as a Spark table of the same schema and name, so that the same models build on Spark.

What to export is read from the parsed project's sources (the registry's systems and the hand-written ones) and seed
nodes, never listed here. The seeds are taken as the warehouse holds them rather than loaded again by `dbt seed`:
their YAML's column types are DuckDB's (`varchar`), which Spark's parser rejects. The Parquet files are the
hand-over: DuckDB writes them (`COPY … (FORMAT parquet)`), Spark reads them in place as external tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from zhongtai.sql import qualified, quote_literal


@dataclass(frozen=True, order=True)
class SourceTable:
    """A relation the dbt project reads as a source: `schema.name` in the warehouse and on Spark alike."""

    schema: str
    name: str

    @property
    def spark_name(self) -> str:
        return f"{spark_identifier(self.schema)}.{spark_identifier(self.name)}"


def spark_identifier(name: str) -> str:
    """A Spark SQL identifier in backquotes."""
    return "`" + name.replace("`", "``") + "`"


def input_tables(manifest: Path) -> list[SourceTable]:
    """Every relation the parsed project's sources and seeds name, once each, in order."""
    parsed: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    sources = {SourceTable(node["schema"], node["identifier"]) for node in parsed["sources"].values()}
    seeds = {
        SourceTable(node["schema"], node["alias"])
        for node in parsed["nodes"].values()
        if node["resource_type"] == "seed"
    }
    return sorted(sources | seeds)


def export_parquet(warehouse: Path, tables: list[SourceTable], folder: Path) -> dict[SourceTable, Path]:
    """Write each table of the DuckDB warehouse to `folder/<schema>/<name>/data.parquet`; returns each table's folder
    (what Spark reads as its location)."""
    exported = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in tables:
            location = folder / table.schema / table.name
            location.mkdir(parents=True, exist_ok=True)
            target = quote_literal(str(location / "data.parquet"))
            con.execute(f"copy {qualified(table.schema, table.name)} to {target} (format parquet)")
            exported[table] = location
    return exported


def register_tables(spark: Any, exported: dict[SourceTable, Path]) -> None:
    """Register each exported folder as an external Parquet table `schema.name` of the SparkSession's catalog."""
    for schema in sorted({table.schema for table in exported}):
        spark.sql(f"create database if not exists {spark_identifier(schema)}")
    for table, location in sorted(exported.items()):
        spark.sql(f"drop table if exists {table.spark_name}")
        spark.sql(f"create table {table.spark_name} using parquet location {spark_literal(str(location))}")


def spark_literal(value: str) -> str:
    """A Spark SQL string literal (Spark reads backslash escapes in quoted strings)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

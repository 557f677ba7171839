"""Spark beside the DuckDB warehouse: the warehouse's inputs on Spark, and the pipeline's own SparkSession.

The inputs: every table the dbt project reads as a source (the raw layer the loader writes,
and the tables Python writes, such as entity resolution's links) and its seeds, exported from DuckDB as Parquet and
registered as a Spark table of the same schema and name, so that the same models build on Spark.

What to export is read from the parsed project's sources (the registry's systems and the hand-written ones) and seed
nodes, never listed here. The seeds are taken as the warehouse holds them rather than loaded again by `dbt seed`:
their YAML's column types are DuckDB's (`varchar`), which Spark's parser rejects. The Parquet files are the
hand-over: DuckDB writes them (`COPY … (FORMAT parquet)`), Spark reads them in place as external tables.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from zhongtai.settings import Settings
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


def splink_conf() -> dict[str, str]:
    """What a SparkSession needs before it starts for Splink's Spark backend: the jar of Splink's string similarity
    UDFs (jaro_winkler …) on `spark.jars` (they cannot be added to a running session)."""
    from splink.backends.spark import similarity_jar_location

    return {"spark.jars": similarity_jar_location()}


def session_conf(settings: Settings) -> dict[str, str]:
    """The settings of the pipeline's own SparkSession (entity resolution's): the master from Settings.spark_master,
    Splink's jar, scratch space and warehouse under the data directory, no UI, and ANSI mode off as dbt-spark has it
    on its connections, so SQL beside dbt's behaves as dbt's does."""
    work = settings.root / "spark"
    return {
        "spark.master": settings.spark_master,
        "spark.app.name": "zhongtai",
        "spark.ui.enabled": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.local.dir": str(work / "local"),
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        **splink_conf(),
    }


def start_session(conf: dict[str, str], *, app: str = "zhongtai", hive: bool = False) -> Any:
    """A SparkSession with `conf` (a new one, or the running one with its runtime settings applied); with `hive`, Hive
    catalog support."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if hive:
        builder = builder.enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@contextmanager
def spark_session(settings: Settings) -> Iterator[Any]:
    """The SparkSession of Settings.engine = spark, with Hive support as dbt-spark's session method builds its own, so
    that both read the catalog the deployment configures (a shared metastore on a cluster); stopped after."""
    # entity resolution's Python UDFs run in this environment's Python unless the deployment names another
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = start_session(session_conf(settings), hive=True)
    try:
        yield session
    finally:
        session.stop()


def checkpoint_dir(settings: Settings) -> Path:
    """Where Splink on Spark writes its intermediate tables (as Parquet) to cut their lineage."""
    return settings.root / "spark" / "checkpoints"

"""Spark beside the DuckDB warehouse (Settings.engine = spark): the run's Spark configuration, the sources handed
to it as Parquet, and the marts handed back.

- Configuration: every Spark process of a run (dbt's, through dbt-spark's `session` method, and entity resolution's
  in the pipeline's process) starts from one spark-defaults.conf: the deployment's SPARK_CONF_DIR (deploy/spark/),
  or, on one machine, one written from Settings under the data directory, with a Hive metastore in embedded Derby
  there, so that the models dbt builds in one process are tables the next reads.
- Sources: the tables the dbt project reads as sources (the raw layer the loader commits, entity resolution's links)
  are written by DuckDB as Parquet under sources_dir(), each by the step that changed it: dbt's first step writes
  the raw layer before it builds, entity resolution its links after it decides. On Spark, the project's `source()`
  (dbt_project/macros/sources_on_spark.sql) reads those files in place, so landing, as loaded once with its
  quarantine and contracts, stays the one source of truth; nothing is registered that could fall behind it.
- Marts: after dbt's last step, the marts are copied from Spark into the warehouse, cast to their contracts' types,
  in one transaction; the quality checks and publish read them there as on DuckDB.

What to export is read from the parsed project's sources (the registry's systems and the hand-written ones), never
listed here. Tests and benchmarks also register exported tables in a catalog by name (register_tables).
"""

from __future__ import annotations

import glob
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from catalog.datasets import load_datasets
from zhongtai.duckdb import connect
from zhongtai.settings import Settings
from zhongtai.sql import qualified, quote_identifier, quote_literal


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


def input_tables(manifest: Path, *, seeds: bool = True) -> list[SourceTable]:
    """Every relation the parsed project's sources (and, with `seeds`, its seeds) name, once each, in order."""
    parsed: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    sources = {SourceTable(node["schema"], node["identifier"]) for node in parsed["sources"].values()}
    seed_tables = {
        SourceTable(node["schema"], node["alias"])
        for node in parsed["nodes"].values()
        if seeds and node["resource_type"] == "seed"
    }
    return sorted(sources | seed_tables)


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


JAVA_OPTIONS = "spark.driver.extraJavaOptions"


def spark_defaults(settings: Settings) -> dict[str, str]:
    """The Spark settings of a run without a deployment's SPARK_CONF_DIR (local[N] on this machine): one catalog that
    every process of the run shares — a Hive metastore in an embedded Derby database and the tables' files, both
    under the data directory — scratch space there too, no UI, and ANSI mode off as dbt-spark has it on its
    connections (so SQL beside dbt's behaves as dbt's does); then Settings.spark_conf over them (its JVM options
    added to zhongtai's)."""
    work = settings.root / "spark"
    return {
        "spark.master": settings.spark_master,
        "spark.app.name": "zhongtai",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={work / 'metastore'};create=true",
        "spark.local.dir": str(work / "local"),
        **settings.spark_conf,
        # the metastore's log beside it (not in the working directory), after any JVM options the settings give
        JAVA_OPTIONS: f"{settings.spark_conf.get(JAVA_OPTIONS, '')} -Dderby.system.home={work / 'derby'}".strip(),
    }


def conf_dir(settings: Settings) -> Path:
    """The folder of the spark-defaults.conf every Spark process of a run starts with (dbt's, entity resolution's):
    the deployment's SPARK_CONF_DIR when it sets one (deploy/spark/), else one written under the data directory from
    spark_defaults()."""
    deployed = os.environ.get("SPARK_CONF_DIR")
    if deployed:
        return Path(deployed)
    folder = settings.root / "spark" / "conf"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} {value}" for key, value in sorted(spark_defaults(settings).items())]
    text = "# written by zhongtai from its settings (orchestration/engines/spark.py); edits are overwritten\n"
    text += "\n".join(lines) + "\n"
    conf = folder / "spark-defaults.conf"
    if not conf.exists() or conf.read_text(encoding="utf-8") != text:
        conf.write_text(text, encoding="utf-8")
    return folder


def spark_env(settings: Settings) -> dict[str, str]:
    """What a process needs in its environment to start the run's Spark: the conf folder, where the sources'
    Parquet lies (dbt's source() reads it there, dbt_project/macros/sources_on_spark.sql), the Python of the UDFs'
    workers (this environment's, unless the deployment names another) and Java (Debian's OpenJDK 17 unless
    JAVA_HOME is set)."""
    env = {
        "SPARK_CONF_DIR": str(conf_dir(settings)),
        "ZHONGTAI_SPARK_SOURCES": str(sources_dir(settings)),
        "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON") or sys.executable,
    }
    java_home = os.environ.get("JAVA_HOME") or debian_java_home()
    if java_home:
        env["JAVA_HOME"] = java_home
    return env


def debian_java_home() -> str | None:
    """Debian's OpenJDK 17 (`make java`), which pyspark is tested with; None when it is not installed."""
    homes = sorted(glob.glob("/usr/lib/jvm/java-17-openjdk-*"))
    return homes[0] if homes else None


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
    """The run's SparkSession in this process, on the catalog dbt's processes use (conf_dir), with Splink's jar and
    the master of Settings.spark_master; after the block the session and its JVM are stopped, which also lets go of
    the embedded metastore (Derby lets one JVM at a time open it: the next dbt step's)."""
    with environment(spark_env(settings)):
        session = start_session({"spark.master": settings.spark_master, **splink_conf()}, hive=True)
    try:
        yield session
    finally:
        session.stop()
        stop_jvm()


def stop_jvm() -> None:
    """End the JVM pyspark started (SparkSession.stop leaves it running until Python exits)."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        process.terminate()
        process.wait(timeout=30)
    SparkContext._gateway = None
    SparkContext._jvm = None


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set for the block (pyspark's launcher and dbt in this process read theirs there),
    then restored."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def checkpoint_dir(settings: Settings) -> Path:
    """Where Splink on Spark writes its intermediate tables (as Parquet) to cut their lineage."""
    return settings.root / "spark" / "checkpoints"


def sources_dir(settings: Settings) -> Path:
    """Where the sources' Parquet lies for Spark: `<schema>/<name>/data.parquet`, one folder per table."""
    return settings.root / "spark" / "sources"


def export_sources(
    settings: Settings, manifest: Path, schemas: set[str] | None = None, *, exclude: set[str] = frozenset()
) -> int:
    """Write the warehouse's tables that the project reads as sources to sources_dir() as Parquet (those in `schemas`
    when given, none in `exclude`), replacing what was there; returns how many tables were written."""
    tables = [
        t
        for t in input_tables(manifest, seeds=False)
        if (schemas is None or t.schema in schemas) and t.schema not in exclude
    ]
    export_parquet(settings.warehouse_path, tables, sources_dir(settings))
    return len(tables)


def import_marts(settings: Settings, manifest: Path) -> int:
    """Replace the warehouse's marts (the catalog's datasets) with those dbt built on Spark, in one transaction, each
    column cast to its contract's type (what the quality checks and publish read); returns how many were copied."""
    datasets = load_datasets(manifest)
    with (
        spark_session(settings) as spark,
        connect(settings.warehouse_path, read_only=False, settings=settings, extensions=()) as con,
    ):
        con.execute("begin")
        for dataset in datasets:
            schema, name = dataset.relation.split(".", 1)
            rows = spark.table(f"{spark_identifier(schema)}.{spark_identifier(name)}").toArrow()
            con.register("spark_rows", rows)
            cast = ", ".join(
                f"cast({quote_identifier(f.name)} as {f.data_type}) as {quote_identifier(f.name)}"
                if f.data_type
                else quote_identifier(f.name)
                for f in dataset.fields
            )
            con.execute(f"create schema if not exists {quote_identifier(schema)}")
            con.execute(f"create or replace table {qualified(schema, name)} as select {cast} from spark_rows")
            con.unregister("spark_rows")
        con.execute("commit")
    return len(datasets)

"""The engine Python-side SQL runs on: the DuckDB warehouse or a SparkSession, behind the few calls entity resolution
needs (a query's rows as a Polars frame, a frame registered as a view, Splink's database API on the same engine).

The SQL itself is written once; what the two engines spell differently is chosen per dialect in
orchestration/engines/portable.py. Which engine a step uses comes from Settings.engine (the step's resource).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import duckdb
import polars as pl

from orchestration.engines.portable import Dialect, register_spark_functions
from zhongtai.settings import Settings


class Engine(Protocol):
    """Where a step's SQL runs, and Splink beside it."""

    dialect: Dialect

    def query(self, sql: str) -> pl.DataFrame:
        """The query's rows."""
        ...

    def register(self, name: str, frame: pl.DataFrame) -> None:
        """`frame` as a view `name` the engine's SQL can read until it is unregistered."""
        ...

    def unregister(self, name: str) -> None: ...

    def splink_api(self, memory_limit: str | None = None) -> Any:
        """Splink's database API on this engine (`memory_limit`: DuckDB's, for Splink's own connection)."""
        ...

    def splink_rows(self, frame: Any, columns: Callable[[list[str]], list[str]]) -> pl.DataFrame:
        """The rows of a Splink result, with the columns `columns` picks from its column names."""
        ...

    def splink_done(self, api: Any, inputs: list[str]) -> None:
        """Leave nothing of a finished Splink run (its tables, the `inputs` registered with it) on the engine."""
        ...


class DuckDBEngine:
    """DuckDB: queries on the given connection (the warehouse); Splink on an in-memory DuckDB of its own."""

    dialect: Dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self.con = con

    def _con(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise ValueError("this DuckDB engine has no connection to query (it only runs Splink)")
        return self.con

    def query(self, sql: str) -> pl.DataFrame:
        return self._con().sql(sql).pl()

    def register(self, name: str, frame: pl.DataFrame) -> None:
        self._con().register(name, frame.to_arrow())

    def unregister(self, name: str) -> None:
        self._con().unregister(name)

    def splink_api(self, memory_limit: str | None = None) -> Any:
        from splink.backends.duckdb import DuckDBAPI

        return DuckDBAPI(connection=splink_connection(memory_limit))

    def splink_rows(self, frame: Any, columns: Callable[[list[str]], list[str]]) -> pl.DataFrame:
        relation = frame.as_duckdbpyrelation()
        return pl.from_arrow(relation.select(", ".join(columns(relation.columns))).arrow())  # type: ignore[return-value]

    def splink_done(self, api: Any, inputs: list[str]) -> None:
        pass  # Splink's DuckDB is its own, in memory, and goes with the API


def splink_connection(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for Splink: four threads, and with a memory limit a private spill folder."""
    import os
    import tempfile

    con = duckdb.connect(":memory:")
    con.execute("set threads to 4")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
        # an in-memory database spills to ./.tmp unless told otherwise
        con.execute(f"set temp_directory = '{Path(tempfile.gettempdir()) / f'zhongtai-splink-{os.getpid()}'}'")
    return con


class SparkEngine:
    """Spark: queries and Splink on one SparkSession, with the UDFs of engines/portable.py registered, Splink's
    similarity jar on `spark.jars` (orchestration/engines/spark.py, splink_conf; SparkAPI registers its UDFs from it)
    and a checkpoint folder (Splink writes its intermediate tables there as Parquet). Its Python workers run the
    portable UDFs, so they need this project's environment (PYSPARK_PYTHON)."""

    dialect: Dialect = "spark"

    def __init__(self, spark: Any, checkpoint_dir: Path | None = None) -> None:
        self.spark = spark
        register_spark_functions(spark)
        if checkpoint_dir is not None:
            spark.sparkContext.setCheckpointDir(str(checkpoint_dir))

    def query(self, sql: str) -> pl.DataFrame:
        return _from_spark(self.spark.sql(sql))

    def register(self, name: str, frame: pl.DataFrame) -> None:
        self.spark.createDataFrame(frame.to_arrow()).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def splink_api(self, memory_limit: str | None = None) -> Any:
        return _splink_spark_api()(spark_session=self.spark)

    def splink_rows(self, frame: Any, columns: Callable[[list[str]], list[str]]) -> pl.DataFrame:
        df = frame.as_spark_dataframe()
        return _from_spark(df.select(*columns(df.columns)))

    def splink_done(self, api: Any, inputs: list[str]) -> None:
        # the session outlives the run: a second run would find its input views taken
        api.delete_tables_created_by_splink_from_db()
        for name in inputs:
            self.spark.catalog.dropTempView(name)


def _splink_spark_api() -> type:
    """Splink's SparkAPI, writing its SQL for Spark without its `customspark` sqlglot dialect.

    dagster-dbt installs sqlglot's compiled build (sqlglotc, through the `sqlglot[rs]` extra), in which sqlglot's
    Generator is a mypyc class that an interpreted subclass cannot be instantiated from; Splink 5's `customspark`
    dialect is such a subclass, so every query SparkAPI ran failed with "interpreted classes cannot inherit from
    compiled". The one thing that dialect adds to sqlglot's Spark is written here as a transform of the parsed SQL
    instead: a literal cast to double becomes a double literal (`0.5D`), so that Spark does not read long literals
    (m and u probabilities) as decimals of at most 38 digits."""
    from splink.backends.spark import SparkAPI

    class SplinkSparkAPI(SparkAPI):  # type: ignore[misc]
        def _setup_for_execute_sql(self, sql: str, physical_name: str) -> str:
            return spark_sql_for_splink(sql)

    return SplinkSparkAPI


def spark_sql_for_splink(sql: str) -> str:
    """Splink's Spark SQL as its `customspark` dialect writes it, with sqlglot's own Spark dialect (see above)."""
    import sqlglot
    from sqlglot import exp

    def double_literals(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.Cast | exp.TryCast)
            and node.to.is_type(exp.DataType.Type.DOUBLE)
            and isinstance(node.this, exp.Literal)
            and node.name != "Infinity"
        ):
            return exp.Var(this=f"{node.name}D")
        return node

    tree = sqlglot.parse_one(sql, read="spark")
    return tree.transform(double_literals).sql(dialect="spark", pretty=True)


def _from_spark(df: Any) -> pl.DataFrame:
    """A Spark DataFrame's rows through Arrow (no row objects in between)."""
    return pl.from_arrow(df.toArrow())  # type: ignore[return-value]


def as_engine(where: Any) -> Engine:
    """An Engine for a DuckDB connection or a SparkSession (an Engine is returned as it is)."""
    if isinstance(where, duckdb.DuckDBPyConnection):
        return DuckDBEngine(where)
    if isinstance(where, DuckDBEngine | SparkEngine):
        return where
    if type(where).__name__ == "SparkSession":
        return SparkEngine(where)
    raise TypeError(f"not a DuckDB connection, a SparkSession or an Engine: {type(where).__name__}")


@contextmanager
def engine_for(settings: Settings, con: duckdb.DuckDBPyConnection) -> Iterator[Engine]:
    """The engine Settings.engine names: the warehouse's connection `con` on DuckDB, or a SparkSession on
    Settings.spark_master (orchestration/engines/spark.py), stopped after the block."""
    if settings.engine == "duckdb":
        yield DuckDBEngine(con)
        return
    from orchestration.engines.spark import checkpoint_dir, spark_session

    checkpoints = checkpoint_dir(settings)
    try:
        with spark_session(settings) as spark:
            yield SparkEngine(spark, checkpoints)
    finally:
        # Splink's intermediate tables, as Parquet: of no use once the step is over
        shutil.rmtree(checkpoints, ignore_errors=True)

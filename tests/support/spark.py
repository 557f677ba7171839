"""Local Spark for tests: one quick-starting session (DESIGN.md §9), and dbt run on it in this process."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from orchestration.dbt import dbt_env_for, manifest_path, project_dir
from orchestration.engines.spark import (
    debian_java_home,
    environment,
    export_parquet,
    input_tables,
    register_tables,
    start_session,
    stop_jvm,
)
from zhongtai.settings import Settings

# What makes Spark quick on test data, for the tests' own sessions and for a pipeline run on Spark
# (ZHONGTAI_SPARK_CONF): short JVM start-up (C1 JIT only, no perf-data file), two shuffle partitions, and no code
# generation. Test data is small and the queries many and wide (the generic staging is a union over every registered
# system): compiling Java for each plan with Janino cost far more CPU than running it. Interpreted expressions and no
# whole-stage code generation: the same answers, none of the compiling.
JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:-UsePerfData"
QUICK_SPARK = {
    "spark.sql.shuffle.partitions": "2",
    "spark.driver.extraJavaOptions": JVM_FLAGS,
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


def local_spark_conf(work: Path) -> dict[str, str]:
    """The settings of a local Spark whose warehouse and scratch space lie under `work`, with an in-memory catalog
    instead of Derby."""
    return {
        **QUICK_SPARK,
        "spark.master": "local[2]",
        "spark.ui.enabled": "false",
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.local.dir": str(work / "local"),
        "spark.driver.extraJavaOptions": f"{JVM_FLAGS} -Dderby.system.home={work / 'derby'}",
        "spark.sql.session.timeZone": "Asia/Shanghai",
        # dbt-spark switches ANSI mode off on its connections; the session does the same, so SQL run beside dbt
        # behaves as dbt's does
        "spark.sql.ansi.enabled": "false",
    }


@contextmanager
def local_spark(work: Path, conf: dict[str, str] | None = None) -> Iterator[Any]:
    """A SparkSession on `local[2]` for the duration of the block (`conf` overrides settings); its JVM is stopped
    after."""
    # the in-memory catalog forgets tables, but their files stay in the warehouse directory and would clash
    shutil.rmtree(work / "warehouse", ignore_errors=True)
    java_home = debian_java_home()
    env = {"JAVA_HOME": java_home} if java_home and not os.environ.get("JAVA_HOME") else {}
    # Python UDFs (entity resolution's, orchestration/engines/portable.py) run in this environment's Python
    if not os.environ.get("PYSPARK_PYTHON"):
        env["PYSPARK_PYTHON"] = sys.executable
    with environment(env):
        session = start_session(local_spark_conf(work) | (conf or {}), app="zhongtai-tests")
        try:
            yield session
        finally:
            session.stop()
            stop_jvm()


def spark_profile(name: str, schema: str) -> dict[str, Any]:
    """A dbt profile on the SparkSession this process already holds (dbt-spark's `session` method)."""
    return {name: {"target": "spark", "outputs": {"spark": {
        "type": "spark", "method": "session", "host": "NA", "schema": schema, "threads": 1,
    }}}}  # fmt: skip


def dbt_in_process(args: list[str]) -> None:
    """Run dbt in this process (the session method needs the SparkSession here); fail with what dbt reported."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(args)
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception or result.result}"


def build_project_on_spark(
    settings: Settings, spark: Any, work: Path, as_of: str, select: list[str] | None = None
) -> Path:
    """The project a run assembled under `settings`, built on `spark` from the run's warehouse: its sources and seeds
    exported as Parquet and registered, then `dbt run` (every model, the history's included).
    dbt's target/ and logs/ go under `work`; returns the path of its run_results.json. `select`: only these models
    (dbt's selection syntax, `+model` with its parents), not every model."""
    project = project_dir(settings)
    exported = export_parquet(settings.warehouse_path, input_tables(manifest_path(settings)), work / "parquet")
    register_tables(spark, exported)
    env = dbt_env_for(settings.warehouse_path, settings.key_secret, "spark", local_spark_conf(work)["spark.master"])
    with environment({**env, "ZHONGTAI_AS_OF": as_of}):
        dbt_in_process([
            "run", "--project-dir", str(project), "--profiles-dir", str(project), "--target", "spark",
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            *(["--select", *select] if select else []),
        ])  # fmt: skip
    return work / "target" / "run_results.json"

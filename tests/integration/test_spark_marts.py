"""The `tiny` district rebuilt on Spark by the pipeline itself equals the same district built on DuckDB.

A copy of the tiny run's data directory is run again with `zhongtai run --rebuild` and ZHONGTAI_ENGINE=spark: the
loader fills a fresh DuckDB warehouse from landing, dbt builds every model on local Spark (dbt-spark's session
method, one Derby metastore under the data directory shared by dbt's processes and the pipeline's), entity
resolution reads the mentions and runs Splink there, the marts come back to the warehouse for the checks and
publish (orchestration/engines/spark.py). Each mart is then read from both runs' warehouses, its values normalised
once (tests/support/engine_rows.py) and its sorted rows checksummed; a mart that differs is named, with a few of the
rows only one run has. The history and the contracts are read on Spark itself.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from orchestration.dbt import manifest_path
from orchestration.engines.spark import spark_session
from tests.support.dbt import mart_contracts
from tests.support.engine_rows import checksum, normalised_rows, row_differences
from tests.support.pipeline import ZHONGTAI, FirstRun
from tests.support.spark import QUICK_SPARK
from zhongtai.settings import Settings
from zhongtai.sql import qualified

pytestmark = [pytest.mark.integration, pytest.mark.spark_build]


@pytest.fixture(scope="module")
def spark_run(tiny_run: FirstRun, rerun_copy: Callable[[Settings, str], tuple[Settings, dict[str, str]]]) -> Settings:
    """The tiny run's landing rebuilt by `zhongtai run --rebuild` on Spark; the settings it ran with."""
    assert tiny_run.run.returncode == 0, tiny_run.run.stdout[-3000:] + tiny_run.run.stderr[-3000:]
    copied, env = rerun_copy(tiny_run.settings, "spark_run")
    env |= {"ZHONGTAI_ENGINE": "spark", "ZHONGTAI_SPARK_CONF": json.dumps(QUICK_SPARK)}
    env.pop("SPARK_CONF_DIR", None)
    run = subprocess.run(
        [ZHONGTAI, "run", "--rebuild"], env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]
    return Settings(data_dir=copied.root, engine="spark", spark_conf=QUICK_SPARK)


@pytest.fixture(scope="module")
def spark(spark_run: Settings) -> Iterator[Any]:
    """A session on the Spark run's catalog, as the pipeline's own steps open it."""
    with spark_session(spark_run) as session:
        yield session


def test_dbt_built_nothing_on_duckdb(spark_run: Settings) -> None:
    """The fresh warehouse holds what the loader and the pipeline's Python wrote, and the marts copied from Spark:
    no staging or intermediate layer, which only dbt on DuckDB would have built there."""
    with duckdb.connect(str(spark_run.warehouse_path), read_only=True) as con:
        schemas = {row[0] for row in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    assert {"raw", "marts", "resolution"} <= schemas
    assert not schemas & {"staging", "intermediate"}, schemas


def test_every_mart_is_the_same_on_spark(tiny_run: FirstRun, spark_run: Settings) -> None:
    marts = sorted(mart_contracts(manifest_path(tiny_run.settings)))
    assert len(marts) > 30
    differing = []
    with (
        duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as duck,
        duckdb.connect(str(spark_run.warehouse_path), read_only=True) as spark,
    ):
        for mart in marts:
            schema, name = mart.split(".")
            select = f"select * from {qualified(schema, name)}"
            left, right = duck.execute(select).to_arrow_table(), spark.execute(select).to_arrow_table()
            assert left.schema == right.schema, mart  # the contracts' types, as the warehouse holds them
            left, right = normalised_rows(left), normalised_rows(right)
            if len(left) != len(right) or checksum(left) != checksum(right):
                differing.append(
                    f"{mart}: {len(left)} rows on DuckDB, {len(right)} on Spark (left DuckDB, right Spark)\n"
                    + row_differences(left, right)
                )
    assert not differing, f"{len(differing)} of {len(marts)} marts differ:\n" + "\n".join(differing)


def test_the_spark_run_published_the_same_rows(tiny_run: FirstRun, spark_run: Settings) -> None:
    def rows(settings: Settings) -> dict[str, Any]:
        manifest = settings.published_dir / "current" / "manifest.json"
        return json.loads(manifest.read_text(encoding="utf-8"))["rows"]  # type: ignore[no-any-return]

    published = rows(spark_run)
    assert published["api"] and published["datasette"] and published["roster"]
    assert published == rows(tiny_run.settings)


def test_the_history_is_the_same_on_spark(tiny_run: FirstRun, spark: Any) -> None:
    """The golden records' history (ordinary models, macros/history.sql) after one run: the same versions on both
    engines, their validity times aside (each engine's run started at its own time)."""
    histories = ["history.natural_person_history", "history.legal_person_history"]
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        for history in histories:
            duck = con.execute(f"select * exclude (valid_from, valid_to) from {history}").to_arrow_table()
            duck = normalised_rows(duck)
            on_spark = normalised_rows(spark.table(history).drop("valid_from", "valid_to").toArrow())
            assert len(duck) > 100 and len(duck) == len(on_spark), history
            assert checksum(duck) == checksum(on_spark), f"{history}:\n{row_differences(duck, on_spark)}"


def test_the_columns_are_the_contracts_on_spark(tiny_run: FirstRun, spark: Any) -> None:
    """Spark's marts have the contracts' columns, in order (a dropped or renamed column would not show in rows)."""
    contracts = mart_contracts(manifest_path(tiny_run.settings))
    wrong = {
        mart: (spark.table(mart).columns, [name for name, _ in columns])
        for mart, columns in contracts.items()
        if spark.table(mart).columns != [name for name, _ in columns]
    }
    assert not wrong, json.dumps(wrong, ensure_ascii=False, indent=1)

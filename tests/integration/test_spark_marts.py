"""Every mart of the `tiny` run built again on local Spark, from the run's own raw layer, equals DuckDB's.

The run's sources (raw tables, entity resolution's links) go to Spark as Parquet (orchestration/engines/spark.py);
dbt builds the seeds and every model of the run's assembled project there (local[2], in-memory catalog); each mart
is then read from both engines, its values normalised once (tests/support/engine_rows.py) and its sorted rows
checksummed. A mart that differs is named, with a few of the rows only one engine has.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from orchestration.dbt import manifest_path
from tests.support.dbt import mart_contracts
from tests.support.engine_rows import checksum, normalised_rows, row_differences
from tests.support.pipeline import FirstRun, dated_env
from tests.support.spark import build_project_on_spark, local_spark
from zhongtai.sql import qualified

pytestmark = [pytest.mark.integration, pytest.mark.spark_build]


@pytest.fixture(scope="module")
def spark_build(tiny_run: FirstRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The run's project built on a local Spark whose session time zone is DuckDB's (current_date agrees)."""
    assert tiny_run.run.returncode == 0, tiny_run.run.stdout[-3000:] + tiny_run.run.stderr[-3000:]
    work = tmp_path_factory.mktemp("spark_marts")
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        zone = con.execute("select current_setting('TimeZone')").fetchone()[0]  # type: ignore[index]
    as_of = dated_env(tiny_run.settings.root)["ZHONGTAI_AS_OF"]
    with local_spark(work, {"spark.sql.session.timeZone": zone, "spark.ui.showConsoleProgress": "false"}) as spark:
        build_project_on_spark(tiny_run.settings, spark, work, as_of)
        yield spark


def test_every_mart_is_the_same_on_spark(tiny_run: FirstRun, spark_build: Any) -> None:
    marts = sorted(mart_contracts(manifest_path(tiny_run.settings)))
    assert len(marts) > 30
    differing = []
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        for mart in marts:
            schema, name = mart.split(".")
            duck = normalised_rows(con.execute(f"select * from {qualified(schema, name)}").to_arrow_table())
            spark = normalised_rows(spark_build.table(mart).toArrow())
            if len(duck) != len(spark) or checksum(duck) != checksum(spark):
                differing.append(
                    f"{mart}: {len(duck)} rows on DuckDB, {len(spark)} on Spark (left DuckDB, right Spark)\n"
                    + row_differences(duck, spark)
                )
    assert not differing, f"{len(differing)} of {len(marts)} marts differ:\n" + "\n".join(differing)


def test_the_history_is_the_same_on_spark(tiny_run: FirstRun, spark_build: Any) -> None:
    """The golden records' history (ordinary models, macros/history.sql) after one run: the same versions on both
    engines, their validity times aside (each engine's run started at its own time)."""
    histories = ["history.natural_person_history", "history.legal_person_history"]
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        for history in histories:
            duck = con.execute(f"select * exclude (valid_from, valid_to) from {history}").to_arrow_table()
            duck = normalised_rows(duck)
            spark = normalised_rows(spark_build.table(history).drop("valid_from", "valid_to").toArrow())
            assert len(duck) > 100 and len(duck) == len(spark), history
            assert checksum(duck) == checksum(spark), f"{history}:\n{row_differences(duck, spark)}"


def test_the_columns_are_the_contracts_on_spark(tiny_run: FirstRun, spark_build: Any) -> None:
    """Spark's marts have the contracts' columns, in order (a dropped or renamed column would not show in rows)."""
    contracts = mart_contracts(manifest_path(tiny_run.settings))
    wrong = {
        mart: (spark_build.table(mart).columns, [name for name, _ in columns])
        for mart, columns in contracts.items()
        if spark_build.table(mart).columns != [name for name, _ in columns]
    }
    assert not wrong, json.dumps(wrong, ensure_ascii=False, indent=1)

"""A source suite's result is reused while its source entity has no new delivery, and only then.

Real Dagster (materialize the ingest asset, its GX checks and an asset downstream), real DuckDB, real GX.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from catalog.registry import Registry, SourceSystem
from orchestration.checks import build_group_check, run_suites
from orchestration.ingestion.replay import replay
from orchestration.resources import resources
from orchestration.sources import build_source_asset, raw_asset_key
from quality.suites import source_suites
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

CONTRACT = "gx_testsys__things_contract"
HEADER = "编号,姓名\n"


def make_source() -> SourceSystem:
    return SourceSystem.model_validate(
        {
            "id": "testsys",
            "title": "测试系统",
            "description": "测试",
            "owner_department": "测试局",
            "connector": {"kind": "file_drop", "location": "{upstream}/drops/testsys"},
            "format": {"kind": "csv", "encoding": "utf-8"},
            "schedule": "daily",
            "freshness_hours": 24,
            "delivery_mode": "incremental",
            "entities": [
                {
                    "name": "things",
                    "title": "事项",
                    "locator": "*.csv",
                    "primary_key": ["record_no"],
                    "fields": [
                        {"name": "record_no", "header": "编号", "type": "varchar", "required": True, "title": "编号"},
                        {"name": "name", "header": "姓名", "type": "varchar", "title": "姓名"},
                    ],
                }
            ],
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path / "data")
    (s.upstream / "drops" / "testsys").mkdir(parents=True)
    return s


def drop(settings: Settings, name: str, body: str) -> None:
    (settings.upstream / "drops" / "testsys" / name).write_text(HEADER + body, encoding="utf-8")


class Pipeline:
    """The source's ingest asset, its suites as one check step, and an asset that reads the raw table."""

    def __init__(self, settings: Settings) -> None:
        self.source = make_source()
        self.suites = source_suites(Registry({self.source.id: self.source}, []))
        self.ingest = build_source_asset([self.source])
        self.checks = build_group_check("testsys", self.suites)
        self.resources = resources(settings)

        @dg.asset(deps=[raw_asset_key(self.source, "things")])
        def downstream() -> None:
            return None

        self.downstream = downstream
        self.instance = dg.DagsterInstance.ephemeral()

    def run(self) -> tuple[dg.AssetCheckEvaluation, bool]:
        """The contract check's evaluation, and whether the downstream asset was materialised."""
        result = dg.materialize(
            [self.ingest, self.checks, self.downstream],
            instance=self.instance,
            resources=self.resources,
            raise_on_error=False,
        )
        [contract] = [e for e in result.get_asset_check_evaluations() if e.check_name == CONTRACT]
        downstream_ran = dg.AssetKey("downstream") in {m.asset_key for m in result.get_asset_materialization_events()}
        return contract, downstream_ran


def meta(evaluation: dg.AssetCheckEvaluation, key: str) -> object:
    return evaluation.metadata[key].value


def test_a_failed_contract_keeps_failing_and_blocking_until_a_new_delivery(settings: Settings) -> None:
    pipeline = Pipeline(settings)
    drop(settings, "things_1.csv", "A1,张三\nA1,李四\n")  # the key twice: the blocking contract fails

    first, downstream_ran = pipeline.run()
    assert (first.passed, meta(first, "reused"), downstream_ran) == (False, False, False)
    assert first.severity == dg.AssetCheckSeverity.ERROR
    assert "expect_column_values_to_be_unique on record_no: 2 unexpected" in str(meta(first, "failures"))

    again, downstream_ran = pipeline.run()  # nothing new delivered: the same result, reported as reused
    assert (again.passed, meta(again, "reused"), downstream_ran) == (False, True, False)
    assert again.severity == dg.AssetCheckSeverity.ERROR
    for key in ("failures", "rows", "expectations", "validated_in_run", "validated_at"):
        assert meta(again, key) == meta(first, key), key

    drop(settings, "things_2.csv", "B1,王五\nB2,赵六\n")  # a good delivery: validated anew, and it passes
    fixed, downstream_ran = pipeline.run()
    assert (fixed.passed, meta(fixed, "reused"), downstream_ran) == (True, False, True)
    assert meta(fixed, "validated_in_run") != meta(first, "validated_in_run")

    still, downstream_ran = pipeline.run()
    assert (still.passed, meta(still, "reused"), downstream_ran) == (True, True, True)


def test_a_changed_suite_or_a_replayed_delivery_is_validated_again(settings: Settings) -> None:
    pipeline = Pipeline(settings)
    drop(settings, "things_1.csv", "A1,张三\nA2,\n")
    pipeline.run()
    [contract] = [s for s in pipeline.suites if s.name == "testsys__things_contract"]
    stricter = dataclasses.replace(
        contract,
        expectations=[
            *contract.expectations,
            type(contract.expectations[0])("ExpectColumnValuesToNotBeNull", {"column": "name"}),
        ],
    )

    con = duckdb.connect(str(settings.warehouse_path))
    try:
        [(_, same, reused)] = list(run_suites(con, [contract], "run-a"))
        assert (same and same.passed, reused) == (True, True)
        [(_, result, reused)] = list(run_suites(con, [stricter], "run-b"))
        assert (result and result.passed, reused) == (False, False)
        [delivery_id] = [r[0] for r in con.execute("select delivery_id from raw._deliveries").fetchall()]
    finally:
        con.close()

    replay(settings, delivery_id, Registry({pipeline.source.id: pipeline.source}, []))
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        [(_, result, reused)] = list(run_suites(con, [stricter], "run-c"))
        assert (result and result.passed, reused) == (False, False)
        assert result and result.run_id == "run-c"
    finally:
        con.close()


def test_an_entity_that_never_delivered_is_validated_once_until_its_first_delivery(settings: Settings) -> None:
    """An upload source's raw table exists, empty, before its first file: its result holds until a delivery."""
    pipeline = Pipeline(settings)
    [contract] = [s for s in pipeline.suites if s.name == "testsys__things_contract"]
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute("create schema raw")
        con.execute(
            "create table raw.testsys__things (record_no varchar, name varchar, _delivery_id varchar, "
            "_received_at timestamptz)"
        )
        [(_, first, reused)] = list(run_suites(con, [contract], "run-a"))
        assert (first and first.rows, reused) == (0, False)
        [(_, again, reused)] = list(run_suites(con, [contract], "run-b"))
        assert (again, reused) == (first, True)
        con.execute("drop table raw.testsys__things")
    finally:
        con.close()

    drop(settings, "things_1.csv", "A1,张三\n")  # the first delivery: validated anew
    evaluation, _ = pipeline.run()
    assert (evaluation.passed, meta(evaluation, "reused"), meta(evaluation, "rows")) == (True, False, 1)

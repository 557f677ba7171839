"""The pooled SQLite storage (orchestration/dagster_storage) keeps Dagster's run history readable by Dagster's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

from orchestration import dagster_storage
from orchestration.dagster_storage import PooledSqliteEventLogStorage, PooledSqliteRunStorage
from zhongtai.settings import REPO_ROOT


@dg.asset
def numbers() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=numbers, blocking=True)
def three_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copyfile(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return tmp_path


def test_the_project_instance_uses_the_pooled_storage_under_history(home: Path) -> None:
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PooledSqliteRunStorage)
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    assert (home / "history" / "runs.db").is_file()
    assert (home / "history" / "runs" / "index.db").is_file()


def test_runs_written_through_the_pool_read_back_with_dagsters_own_storage(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dagster_storage, "KEPT_ENGINES", 2)  # more runs than engines kept: some are disposed
    job = dg.Definitions(assets=[numbers], asset_checks=[three_rows]).resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.get() as instance:
        run_ids = [job.execute_in_process(instance=instance).run_id for _ in range(4)]
        assert len(instance.event_log_storage._engines._engines) <= 2  # type: ignore[attr-defined]

    runs = SqliteRunStorage.from_local(str(home / "history"))
    events = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert {r.run_id for r in runs.get_runs()} == set(run_ids)
    assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs.get_runs())
    for run_id in run_ids:
        kinds = [e.dagster_event_type for e in events.get_logs_for_run(run_id) if e.is_dagster_event]
        assert dg.DagsterEventType.ASSET_MATERIALIZATION in kinds
        assert dg.DagsterEventType.ASSET_CHECK_EVALUATION in kinds
    latest = events.get_latest_materialization_events([dg.AssetKey("numbers")])[dg.AssetKey("numbers")]
    assert latest is not None and latest.run_id == run_ids[-1]
    check = events.get_latest_asset_check_execution_by_key([dg.AssetCheckKey(dg.AssetKey("numbers"), "three_rows")])
    assert next(iter(check.values())).run_id == run_ids[-1]

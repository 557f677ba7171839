"""Nobody asks dbt its version: the resource knows it is this environment's dbt."""

from __future__ import annotations

from orchestration.dbt import ProjectDbtCli, dbt_executable
from zhongtai.settings import REPO_ROOT


def test_the_version_is_the_installed_dbt_cores_without_running_dbt(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    import dbt.version

    def refuse(*_a: object, **_k: object) -> bytes:
        raise AssertionError("dbt --version was run")

    monkeypatch.setattr(subprocess, "check_output", refuse)
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", refuse, raising=False)
    project = str(REPO_ROOT / "dbt_project")
    resource = ProjectDbtCli(project_dir=project, profiles_dir=project, dbt_executable=dbt_executable())
    assert str(resource._cli_version) == dbt.version.__version__


def test_no_dbt_adapter_is_opened_in_the_run_process() -> None:
    project = str(REPO_ROOT / "dbt_project")
    resource = ProjectDbtCli(project_dir=project, profiles_dir=project, dbt_executable=dbt_executable())
    assert resource._initialize_dbt_core_adapter(["build"]) is None

"""Each dbt step starts from the project's partial-parse state, and nobody asks dbt its version."""

from __future__ import annotations

from pathlib import Path

from orchestration.dbt import PARTIAL_PARSE, ProjectDbtCli, dbt_executable, invocation_target
from zhongtai.settings import REPO_ROOT


def test_each_invocation_gets_its_own_folder_seeded_with_the_parse_state(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / PARTIAL_PARSE).write_bytes(b"state")
    first = invocation_target(tmp_path, "dbt_prepare", "0123456789abcdef")
    second = invocation_target(tmp_path, "dbt_prepare", "0123456789abcdef")
    assert first != second
    assert first.parent == second.parent == tmp_path / "target"
    assert first.name.startswith("dbt_prepare-0123456-")
    assert (first / PARTIAL_PARSE).read_bytes() == (second / PARTIAL_PARSE).read_bytes() == b"state"


def test_without_a_parse_state_dbt_parses_in_an_empty_folder(tmp_path: Path) -> None:
    target = invocation_target(tmp_path, "dbt_models", "run")
    assert target.is_dir() and not any(target.iterdir())


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

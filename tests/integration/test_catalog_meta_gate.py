"""A mart column without a field class fails `dbt build` and the output names model and column."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.dbt_sources import assemble_project
from catalog.registry import load_registry
from orchestration.dbt import dbt_env_for

pytestmark = pytest.mark.integration


def copy_project(tmp: Path) -> Path:
    project, _ = assemble_project(load_registry(), tmp)  # dbt_project/ plus the files generated from the registry
    return project


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | dbt_env_for(project.parent / "warehouse.duckdb", "test-secret")
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(project), "--profiles-dir",
               str(project)]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)


def test_a_column_without_a_class_fails_the_build_and_is_named(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    sql = project / "models" / "marts" / "villages" / "village.sql"
    sql.write_text(sql.read_text().replace("    town_name\nfrom final", "    town_name,\n    'x' as note\nfrom final"))
    yml = project / "models" / "marts" / "villages" / "_villages__models.yml"
    text = yml.read_text()
    anchor = "        config: {meta: {title: 镇街名称, field_class: plain}}\n"
    assert text.count(anchor) == 1
    column = "      - name: note\n        data_type: varchar\n        config: {meta: {title: 备注}}\n"
    yml.write_text(text.replace(anchor, anchor + column))
    result = dbt(project, "build", "--select", "village")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "village.note: column meta `field_class` is missing" in output


def test_a_mart_without_a_title_fails_the_build_and_is_named(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    yml = project / "models" / "marts" / "villages" / "_villages__models.yml"
    yml.write_text(yml.read_text().replace("        title: 村居人口统计\n", "", 1))
    result = dbt(project, "build", "--select", "village")
    assert result.returncode != 0
    assert "village_population: model meta `title` is missing" in result.stdout + result.stderr

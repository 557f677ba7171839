"""The dbt manifest tests read: the one `dbt parse` of the real project makes, and the marts' contracts in it.

Every test that needs a manifest gets it through `parsed_manifest` (the `dbt_manifest` fixture), and every test that
runs dbt itself runs it on `dbt_project()`, so how the project is assembled is known in this one place.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from catalog.datasets import load_datasets
from catalog.dbt_sources import assemble_project
from catalog.registry import load_registry
from orchestration.dbt import dbt_env_for, prepare_manifest
from zhongtai.settings import Settings


@functools.cache
def dbt_project() -> Path:
    """The project as a run assembles it (dbt_project/ plus the files generated from the registry), once a session."""
    project, _ = assemble_project(load_registry(), Path(tempfile.mkdtemp(prefix="dbt_project_")))
    return project


SECRET = "test-secret"
MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros"


def throwaway_project(root: Path, name: str, variables: dict[str, Any] | None = None) -> Path:
    """A dbt project under `root/project` holding a copy of the real project's macros and an empty models/ folder
    (models are tables unless they say otherwise), for tests that build a few hand-written models on them."""
    project = root / "project"
    shutil.copytree(MACROS, project / "macros")
    (project / "models").mkdir()
    config = {
        "name": name, "version": "1.0", "config-version": 2, "profile": name,
        "model-paths": ["models"], "macro-paths": ["macros"],
        "flags": {"send_anonymous_usage_stats": False, "version_check": False},
        "vars": variables or {},
        "models": {name: {"+materialized": "table"}},
    }  # fmt: skip
    (project / "dbt_project.yml").write_text(yaml.safe_dump(config))
    return project


def run_dbt(
    args: list[str], warehouse: Path, work: Path, secret: str = SECRET, project: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the dbt CLI of this venv on the assembled project (or on `project`, assembled from another registry), with
    target/ and logs/ kept under `work`."""
    project = project or dbt_project()
    command = [
        str(Path(sys.executable).parent / "dbt"),
        *args,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
    ]  # fmt: skip
    env = os.environ | dbt_env_for(warehouse, secret)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    return result


def parsed_manifest(folder: Path) -> Path:
    """`dbt parse` of the real project as a run assembles it, copied into `folder`."""
    parsed = prepare_manifest(Settings(data_dir=folder / "data"))
    copy = folder / "manifest.json"
    shutil.copyfile(parsed, copy)
    return copy


def with_parsed_project(data: Path, manifest: Path) -> Settings:
    """A data directory holding the assembled and parsed project `parsed_manifest` left beside `manifest`, so that what
    prepares the project there (orchestration.dbt.prepare_project) finds it up to date instead of parsing it again."""
    shutil.copytree(manifest.parent / "data" / "dbt", data / "dbt", symlinks=True)
    return Settings(data_dir=data)


def mart_contracts(manifest: Path) -> dict[str, list[tuple[str, str]]]:
    """Each mart's contract as the catalog reads it: its relation `marts.<alias>` → [(column, data type)] in declared
    order."""
    return {d.relation: [(f.name, str(f.data_type).lower()) for f in d.fields] for d in load_datasets(manifest)}

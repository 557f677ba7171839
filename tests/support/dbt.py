"""The dbt manifest tests read: the one `dbt parse` of the real project makes, and the marts' contracts in it.

Every test that needs a manifest gets it through `parsed_manifest` (the `dbt_manifest` fixture), and every test that
runs dbt itself runs it on `DBT_PROJECT`, so how the project is assembled is known in this one place.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from orchestration.dbt import prepare_manifest
from zhongtai.settings import REPO_ROOT, Settings

DBT_PROJECT = REPO_ROOT / "dbt_project"


def parsed_manifest(folder: Path) -> Path:
    """`dbt parse` of the real project (reused while no project file is newer), copied into `folder`."""
    parsed = prepare_manifest(Settings(data_dir=folder / "data"))
    copy = folder / "manifest.json"
    shutil.copyfile(parsed, copy)
    return copy


def mart_contracts(manifest: Path) -> dict[str, list[tuple[str, str]]]:
    """Each mart model's contract: its relation `marts.<alias>` → [(column, data type)] in declared order."""
    nodes: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    return {
        f"marts.{n['alias']}": [(c["name"], str(c["data_type"]).lower()) for c in n["columns"].values()]
        for n in nodes.values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    }

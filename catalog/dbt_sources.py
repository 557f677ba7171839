"""Render dbt's sources YAML (dbt_project/models/staging/_sources.yml) from the source registry."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from catalog.registry import Registry, SourceSystem, load_registry

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES_YAML = REPO_ROOT / "dbt_project" / "models" / "staging" / "_sources.yml"
REGENERATE = "python -m catalog.dbt_sources"

_HEADER = f"""\
# GENERATED from catalog/sources/*.yaml by `{REGENERATE}`. Do not edit by hand:
# change the registry and regenerate (tests/unit/test_dbt_sources_drift.py checks this file).
"""


def _source(system: SourceSystem) -> dict[str, Any]:
    return {
        "name": system.id,
        "description": f"{system.title}：{system.description}",
        "schema": "raw",
        "loaded_at_field": "_received_at",
        "config": {
            "meta": {
                "title": system.title,
                "owner_department": system.owner_department,
                "connector": system.connector.kind,
                "delivery_mode": system.delivery_mode,
                "freshness_hours": system.freshness_hours,
            },
            "freshness": {"warn_after": {"count": system.freshness_hours, "period": "hour"}},
        },
        "tables": [
            {
                "name": entity.name,
                "identifier": system.raw_table(entity.name),
                "description": entity.title,
                "config": {
                    "meta": {
                        "title": entity.title,
                        "primary_key": list(entity.primary_key),
                        "dagster": {"asset_key": ["raw", system.raw_table(entity.name)]},
                    }
                },
                "columns": [
                    {"name": field.name, "description": field.title}
                    | ({"config": {"meta": {"canonical": field.canonical}}} if field.canonical else {})
                    for field in entity.fields
                ]
                + [
                    {"name": "_delivery_id", "description": "交付批次编号"},
                    {"name": "_line", "description": "交付文件中的行号"},
                    {"name": "_received_at", "description": "接收时间"},
                ],
            }
            for entity in system.entities
        ],
    }


def render_sources_yaml(registry: Registry) -> str:
    """The sources YAML for every registered system, in a stable order."""
    document = {"version": 2, "sources": [_source(registry.sources[k]) for k in sorted(registry.sources)]}
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
    return _HEADER + body


def write_sources_yaml(registry: Registry, path: Path = SOURCES_YAML) -> Path:
    path.write_text(render_sources_yaml(registry), encoding="utf-8")
    return path


def main() -> int:
    registry = load_registry()
    if registry.errors:
        for error in registry.errors:
            print(error, file=sys.stderr)
        return 1
    path = write_sources_yaml(registry)
    print(f"wrote {path.relative_to(REPO_ROOT)} ({len(registry.sources)} sources)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

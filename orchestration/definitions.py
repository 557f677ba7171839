"""The Dagster code location: everything loaded from the registry and the dbt manifest, policy applied once."""

from __future__ import annotations

import dagster as dg

from catalog.datasets import CatalogError, load_datasets
from catalog.registry import load_registry, registry_dirs
from orchestration.checks import build_checks
from orchestration.dbt import build_dbt_assets, dbt_resource, manifest_path
from orchestration.publish.asset import build_publish_asset
from orchestration.resolution.asset import build_resolution_asset
from orchestration.resources import resources
from orchestration.schedules import (
    build_cadence_jobs,
    build_cadence_schedules,
    build_file_drop_sensor,
)
from orchestration.sources import build_source_assets
from zhongtai.settings import Settings, get_settings

REFRESH_JOB = "refresh_all"


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or get_settings()
    registry = load_registry(*registry_dirs(settings.registry_dirs))
    if registry.errors:
        # A broken entry is reported, and the other sources still load.
        for error in registry.errors:
            dg.get_dagster_logger().error(f"source registry: {error}")
    sources = build_source_assets(registry)
    dbt = build_dbt_assets(settings)
    resolution = build_resolution_asset()
    marts = [key for assets in dbt for key in assets.keys if key.path[0] == "marts"]
    publish = build_publish_asset(marts)
    cadence_jobs = build_cadence_jobs(registry)
    refresh = dg.define_asset_job(REFRESH_JOB, selection=dg.AssetSelection.all(), description="拉取、建模、校验、发布")
    return dg.Definitions(
        assets=[*sources, *dbt, resolution, publish],
        asset_checks=build_checks(
            registry,
            _datasets(settings),
            _keys([*sources, *dbt]),
            ingest_steps={key: a.node_def.name for a in sources for key in a.keys},
        ),
        jobs=[refresh, *cadence_jobs],
        sensors=[build_file_drop_sensor(registry)],
        schedules=[
            dg.ScheduleDefinition(
                name="hourly_refresh",
                job=refresh,
                cron_schedule="0 * * * *",
                execution_timezone="Asia/Shanghai",
                description="每小时拉取各源系统、重建模型并发布",
            ),
            *build_cadence_schedules(cadence_jobs),
        ],
        # settings reach the assets only through these (orchestration/resources.py), never captured
        resources={"dbt": dbt_resource(settings), **resources(settings)},
    )


def _datasets(settings: Settings) -> list:  # type: ignore[type-arg]
    """The catalog's marts, for their generated checks; a broken catalog still loads (publish will refuse it)."""
    try:
        return load_datasets(manifest_path(settings))
    except CatalogError as exc:
        dg.get_dagster_logger().error(f"catalog: {exc}")
        return []


def _keys(assets: list[dg.AssetsDefinition]) -> set[dg.AssetKey]:
    return {key for a in assets for key in a.keys}


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()

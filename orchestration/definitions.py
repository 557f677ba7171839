"""The Dagster code location: everything loaded from the registry and the dbt manifest, policy applied once."""

from __future__ import annotations

import dagster as dg

from catalog.registry import load_registry
from orchestration.checks import build_checks
from orchestration.dbt import build_dbt_assets, dbt_resource
from orchestration.publishing import build_publish_asset
from orchestration.sources import build_source_assets
from zhongtai.settings import Settings, get_settings

REFRESH_JOB = "refresh_all"


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or get_settings()
    registry = load_registry()
    if registry.errors:
        # A broken entry is reported, and the other sources still load.
        for error in registry.errors:
            dg.get_dagster_logger().error(f"source registry: {error}")
    sources = build_source_assets(registry, settings)
    dbt = build_dbt_assets(settings)
    marts = [key for key in dbt.keys if key.path[0] == "marts"]
    publish = build_publish_asset(settings, marts)
    refresh = dg.define_asset_job(REFRESH_JOB, selection=dg.AssetSelection.all(), description="拉取、建模、校验、发布")
    return dg.Definitions(
        assets=[*sources, dbt, publish],
        asset_checks=build_checks(settings),
        jobs=[refresh],
        schedules=[
            dg.ScheduleDefinition(
                name="hourly_refresh",
                job=refresh,
                cron_schedule="0 * * * *",
                execution_timezone="Asia/Shanghai",
                description="每小时拉取各源系统、重建模型并发布",
            )
        ],
        resources={"dbt": dbt_resource(settings)},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()

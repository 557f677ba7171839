"""The publish asset: read-only artefacts for every channel, switched in atomically after the marts pass."""

import dagster as dg

from orchestration.dbt import manifest_path
from orchestration.sources import WAREHOUSE_POOL
from zhongtai.settings import Settings


def build_publish_asset(settings: Settings, marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published", "snapshot"]),
        deps=marts,
        group_name="published",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "sqlite", "excel"},
        description="发布快照：开放数据接口、分析库（Datasette）和村居名册，版本化并原子切换",
    )
    def published_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        from orchestration.publish import publish

        result = publish(settings, manifest_path(settings))
        context.log.info(f"published {result}")
        return dg.MaterializeResult(metadata=result.as_metadata() if hasattr(result, "as_metadata") else {})

    return published_snapshot

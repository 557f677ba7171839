"""The publish asset: read-only artefacts for every channel, switched in atomically after the marts pass."""

import dagster as dg

from orchestration.dbt import manifest_path
from orchestration.publish.frame import publish
from orchestration.resources import WarehouseResource
from orchestration.sources import WAREHOUSE_POOL

PUBLISH_KEY = dg.AssetKey(["published", "snapshot"])


def build_publish_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        deps=marts,
        group_name="published",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "sqlite", "excel"},
        description="发布快照：开放数据接口、分析库（Datasette）和村居名册，版本化并原子切换",
    )
    def published_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        result = publish(settings, manifest_path(settings))
        context.log.info(f"published {result}")
        return dg.MaterializeResult(metadata=result.as_metadata())

    return published_snapshot

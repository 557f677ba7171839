"""Source assets generated from the registry: one multi-asset per system, one asset per entity's raw table."""

import dagster as dg

from catalog.registry import Registry, SourceSystem
from orchestration.ingestion import ingest_source
from zhongtai.settings import Settings

WAREHOUSE_POOL = "warehouse"


def raw_asset_key(source: SourceSystem, entity: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.raw_table(entity)])


def build_source_asset(source: SourceSystem, settings: Settings) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            raw_asset_key(source, entity.name),
            description=f"{source.title} · {entity.title}（{source.owner_department}）",
            group_name="sources",
            kinds={"duckdb"},
            tags={"connector": source.connector.kind, "schedule": source.schedule},
            metadata={
                "source_id": source.id,
                "owner_department": source.owner_department,
                "connector": source.connector.kind,
                "format": f"{source.format.kind} ({source.format.encoding})",
                "freshness_hours": source.freshness_hours,
                "primary_key": ", ".join(entity.primary_key),
            },
        )
        for entity in source.entities
    ]

    @dg.multi_asset(name=f"ingest_{source.id}", specs=specs, pool=WAREHOUSE_POOL, description=source.description)
    def _ingest(context: dg.AssetExecutionContext):  # type: ignore[no-untyped-def]
        summaries = ingest_source(settings, source, on_delivery=lambda r: context.log.info(str(r)))
        failed = [s for s in summaries if s.error]
        for s in summaries:
            if s.error:
                context.log.error(f"{s.source_id}.{s.entity}: {s.error}")
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(source, s.entity),
                metadata={
                    "deliveries_landed": s.landed,
                    "deliveries_already_seen": s.already_seen,
                    "deliveries_loaded": len(s.loads),
                    "files_quarantined": s.files_quarantined,
                    "rows_loaded": s.rows_loaded,
                    "rows_quarantined": s.rows_quarantined,
                    "connector_error": s.error or "",
                },
            )
        if failed:
            # Every entity was still loaded from what had landed; the failure is made visible, not hidden.
            raise dg.Failure(
                description=f"{source.id}: connector failed for {', '.join(s.entity for s in failed)}",
                metadata={"errors": "\n".join(str(s.error) for s in failed)},
            )

    return _ingest


def build_source_assets(registry: Registry, settings: Settings) -> list[dg.AssetsDefinition]:
    return [build_source_asset(source, settings) for source in registry]

"""Source assets generated from the registry: one multi-asset per system, one asset per entity's raw table."""

import datetime as dt

import dagster as dg

from catalog.registry import Registry, SourceSystem
from orchestration.ingestion import ingest_source
from orchestration.ingestion.ingest import open_warehouse
from orchestration.resources import WarehouseResource

WAREHOUSE_POOL = "warehouse"


def raw_asset_key(source: SourceSystem, entity: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.raw_table(entity)])


def _specs(source: SourceSystem) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            raw_asset_key(source, entity.name),
            description=f"{source.title} · {entity.title}（{source.owner_department}）",
            group_name="sources",
            kinds={"duckdb"},
            # the source is stale when nothing was materialised within its registered freshness window
            freshness_policy=dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=source.freshness_hours)),
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


def build_source_asset(sources: list[SourceSystem], name: str | None = None) -> dg.AssetsDefinition:
    """One multi-asset over the raw tables of one or more sources; selecting some of them ingests only those."""
    specs = [spec for source in sources for spec in _specs(source)]
    name = name or f"ingest_{sources[0].id}"

    @dg.multi_asset(
        name=name,
        specs=specs,
        pool=WAREHOUSE_POOL,
        can_subset=len(sources) > 1,
        description=sources[0].description
        if len(sources) == 1
        else f"{len(sources)} 个源系统（{sources[0].owner_department}）",
        # an unreachable upstream is retried with backoff; what had landed is loaded on every attempt anyway
        retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        settings = warehouse.settings()
        selected = context.selected_asset_keys
        failed = []
        # One warehouse connection for the step, not one per source: opening is cheap, but each connection
        # that reads a GBK file pays seconds to load the encodings extension.
        con = open_warehouse(settings)
        try:
            for source in sources:
                if not any(raw_asset_key(source, e.name) in selected for e in source.entities):
                    continue
                summaries = ingest_source(settings, source, con=con, on_delivery=lambda r: context.log.info(str(r)))
                for s in summaries:
                    if s.error:
                        context.log.error(f"{s.source_id}.{s.entity}: {s.error}")
                        failed.append(s)
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
        finally:
            con.close()
        if failed:
            # Every entity was still loaded from what had landed; the failure is made visible, not hidden.
            raise dg.Failure(
                description="connector failed for " + ", ".join(f"{s.source_id}.{s.entity}" for s in failed),
                metadata={"errors": "\n".join(str(s.error) for s in failed)},
            )

    return _ingest


def build_source_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    """A multi-asset per hand-staged system; the generically staged legacy systems one per owner department,
    so a run has a step per department rather than per system (the raw assets are the same either way)."""
    custom = [build_source_asset([s]) for s in registry if s.staging == "custom"]
    by_department: dict[str, list[SourceSystem]] = {}
    for s in registry:
        if s.staging == "generic":
            by_department.setdefault(s.owner_department, []).append(s)
    generic, names = [], set()
    for group in by_department.values():
        name = f"ingest_{group[0].id.split('_')[0]}_department"
        name = name if name not in names else f"ingest_{group[0].id}_department"
        names.add(name)
        generic.append(build_source_asset(group, name=name))
    return [*custom, *generic]

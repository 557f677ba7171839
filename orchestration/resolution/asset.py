"""The entity-resolution asset: read the intermediate mentions, decide, write the link tables dbt reads."""

from typing import Any

import dagster as dg

from orchestration.dbt import manifest_path
from orchestration.engines.engine import engine_for
from orchestration.engines.spark import export_sources
from orchestration.resolution.clerical import DECISIONS, read_decisions
from orchestration.resolution.decisions import resolve_orgs, resolve_persons
from orchestration.resolution.features import linkage_input
from orchestration.resources import WarehouseResource
from orchestration.sources import WAREHOUSE_POOL
from zhongtai import bookkeeping
from zhongtai.duckdb import connect
from zhongtai.settings import Settings

PERSON_LINKS_KEY = dg.AssetKey(bookkeeping.PERSON_LINKS.split("."))
ORG_LINKS_KEY = dg.AssetKey(bookkeeping.ORG_LINKS.split("."))


def run_resolution(settings: Settings) -> dict[str, Any]:
    """Resolve every loose mention and replace the link tables; a summary for the run's metadata.

    The mentions are read, and Splink scores, on the engine Settings.engine names: on DuckDB the warehouse (Splink in
    an in-memory DuckDB of its own), on Spark the intermediate models in the SparkSession's catalog, where dbt's Spark
    target builds them. The stewards' decisions come from, and the links go to, the warehouse's bookkeeping either
    way: dbt reads them as sources (on Spark through orchestration/engines/spark.py's export)."""
    memory_limit = settings.resolution_memory
    with (
        connect(settings.warehouse_path, read_only=False, settings=settings, extensions=()) as con,
        engine_for(settings, con) as engine,
    ):
        con.execute(f"set memory_limit = '{memory_limit}'")
        linkage = linkage_input(engine)
        decisions = read_decisions(con)
        result = resolve_persons(
            linkage, memory_limit=memory_limit, decisions=decisions, secret=settings.key_secret, engine=engine
        )
        orgs = resolve_orgs(engine)
        bookkeeping.write_links(con, result.links, orgs)
        bookkeeping.write_clerical(con, result.review_cases, result.labels)
    if settings.engine == "spark":
        # the links, as Parquet for dbt's source() on Spark (the raw layer went before dbt's first step)
        export_sources(settings, manifest_path(settings), {bookkeeping.RESOLUTION})
    counts = result.links.group_by("decision").len().to_dict(as_series=False)
    by_decision = dict(zip(counts["decision"], counts["len"], strict=True))
    return {
        "loose_person_mentions": linkage.loose.height,
        "golden_profiles": linkage.profiles,
        "person_linked": int(by_decision.get("linked", 0)),
        "person_review": int(by_decision.get("review", 0)),
        "person_clerical": int(by_decision.get("clerical", 0)),
        "clerical_decisions_applied": result.labels.height,
        "candidate_pairs": result.edges,
        "linkage_records": result.records,
        "org_linked": orgs.height,
        "seconds": round(result.seconds, 2),
    }


def build_resolution_asset() -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                PERSON_LINKS_KEY,
                deps=[dg.AssetKey(["intermediate", "int_person_mentions"]), dg.AssetKey(DECISIONS.split("."))],
                group_name="resolution",
                description="自然人概率匹配结果 — 身份证号缺失或无效的出现记录：关联到的自然人或待复核候选（Splink）",
            ),
            dg.AssetSpec(
                ORG_LINKS_KEY,
                deps=[dg.AssetKey(["intermediate", "int_org_mentions"])],
                group_name="resolution",
                description="法人匹配结果 — 信用代码缺失或无效的出现记录按代码主体或规范化名称关联到的法人",
            ),
        ],
        pool=WAREHOUSE_POOL,
        name="entity_resolution",
    )
    def entity_resolution(context: dg.AssetExecutionContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        summary = run_resolution(warehouse.settings())
        context.log.info(f"entity resolution: {summary}")
        yield dg.MaterializeResult(
            asset_key=PERSON_LINKS_KEY, metadata={k: v for k, v in summary.items() if "org" not in k}
        )
        yield dg.MaterializeResult(asset_key=ORG_LINKS_KEY, metadata={"org_linked": summary["org_linked"]})

    return entity_resolution

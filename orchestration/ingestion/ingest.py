"""Ingest a source system: pull what is new, land it, load every landed delivery not yet loaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from catalog.registry import Registry, SourceSystem, load_registry, registry_dirs
from orchestration.ingestion.connectors import ConnectorError, pull
from orchestration.ingestion.landing import Landing
from orchestration.ingestion.loader import LoadResult, ensure_raw_table, load_delivery
from zhongtai import bookkeeping
from zhongtai.duckdb import connect
from zhongtai.settings import Settings


@dataclass
class EntitySummary:
    source_id: str
    entity: str
    landed: int = 0
    already_seen: int = 0
    loads: list[LoadResult] = field(default_factory=list)
    error: str | None = None

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.loads)

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.loads)

    @property
    def files_quarantined(self) -> int:
        return sum(r.status == "quarantined" for r in self.loads)


@dataclass
class IngestSummary:
    entities: list[EntitySummary] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f"{e.source_id}.{e.entity}: {e.error}" for e in self.entities if e.error]


def open_warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-write. The encodings extension is loaded by the loader on the first delivery that
    needs it (GBK / GB18030), not here; the connection runs only the loader's SQL, so its extensions are checked
    against their wheels once per process (zhongtai.duckdb) rather than by DuckDB on every step's LOAD."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(settings.warehouse_path, read_only=False, settings=settings, extensions=(), wheel_verified=True)
    con.execute("set TimeZone = 'Asia/Shanghai'")
    return con


def ingest_source(
    settings: Settings,
    source: SourceSystem,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    on_delivery: Callable[[LoadResult], None] | None = None,
) -> list[EntitySummary]:
    """Pull and load every entity of one source. A connector failure is reported; landed data still loads.
    With settings.from_landing (a rebuild from landing), no upstream is asked: only what has landed is loaded."""
    landing = Landing(settings.landing_dir)
    own = con is None
    con = con or open_warehouse(settings)
    summaries = []
    try:
        bookkeeping.ensure_ingestion_tables(con)
        for entity in source.entities:
            summary = EntitySummary(source.id, entity.name)
            if source.connector.kind == "upload":
                # sent by people, maybe never: dbt reads the raw table even before the first delivery
                ensure_raw_table(con, source, entity)
            try:
                if not settings.from_landing:
                    pulled = pull(source, entity, settings, landing)
                    summary.landed, summary.already_seen = len(pulled.landed), pulled.already_seen
            except ConnectorError as exc:
                summary.error = str(exc)
            # Load everything landed and not yet loaded: this is also how a crashed run carries on.
            landed = [d for d in landing.deliveries() if d.source_id == source.id and d.entity == entity.name]
            pending = [d for d in landed if not bookkeeping.is_loaded(con, d.delivery_id)]
            for delivery in sorted(pending, key=lambda d: d.received_at):
                result = load_delivery(con, source, entity, delivery, landing.dir)
                summary.loads.append(result)
                if on_delivery:
                    on_delivery(result)
            summaries.append(summary)
    finally:
        if own:
            con.close()
    return summaries


def ingest_all(settings: Settings, registry: Registry | None = None) -> IngestSummary:
    registry = registry or load_registry(*registry_dirs(settings.registry_dirs))
    summary = IngestSummary()
    con = open_warehouse(settings)
    try:
        for source in registry:
            summary.entities.extend(ingest_source(settings, source, con=con))
    finally:
        con.close()
    return summary

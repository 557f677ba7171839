"""Replay a delivery after its registry entry was fixed: forget what its earlier load left, load it again; or
rebuild the whole warehouse from landing (after a model change): set the warehouse aside, load every landed delivery."""

from __future__ import annotations

from pathlib import Path

from catalog.registry import Registry, load_registry, registry_dirs
from orchestration.ingestion.ingest import open_warehouse
from orchestration.ingestion.landing import Landing
from orchestration.ingestion.loader import LoadResult, load_delivery
from zhongtai import bookkeeping
from zhongtai.settings import Settings


class ReplayError(LookupError):
    """The delivery or its source is unknown."""


def quarantined_deliveries(settings: Settings) -> list[tuple[str, str, str]]:
    """(delivery_id, error_code, file name) of every delivery quarantined whole or with quarantined rows."""
    con = open_warehouse(settings)
    try:
        return bookkeeping.quarantined_deliveries(con)
    finally:
        con.close()


def replay(settings: Settings, delivery_id: str, registry: Registry | None = None) -> LoadResult:
    """Load a landed delivery again under the current registry entry, replacing its earlier result atomically."""
    registry = registry or load_registry(*registry_dirs(settings.registry_dirs))
    landing = Landing(settings.landing_dir)
    delivery = next((d for d in landing.deliveries() if d.delivery_id == delivery_id), None)
    if delivery is None:
        raise ReplayError(f"no landed delivery {delivery_id!r}")
    if delivery.source_id not in registry.sources:
        raise ReplayError(f"source {delivery.source_id!r} of {delivery_id} is not in the registry")
    source = registry[delivery.source_id]
    entity = source.entity(delivery.entity)
    con = open_warehouse(settings)
    try:
        return load_delivery(con, source, entity, delivery, landing.dir, replace=True)
    finally:
        con.close()


def set_warehouse_aside(settings: Settings) -> Path | None:
    """Move the warehouse (and its write-ahead log) to `<name>.before-rebuild`, replacing an earlier one, so that the
    next run (with settings.from_landing) builds a fresh warehouse from the landed, immutable deliveries. Returns where
    the old one went, or None when there was none. Landing, published versions and the run history stay."""
    path = settings.warehouse_path
    if not path.exists():
        return None
    kept = path.with_name(path.name + ".before-rebuild")
    for suffix in ("", ".wal"):
        old, aside = Path(str(path) + suffix), Path(str(kept) + suffix)
        aside.unlink(missing_ok=True)
        if old.exists():
            old.rename(aside)
    return kept

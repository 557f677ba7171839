"""Replay a delivery after its registry entry was fixed: forget what its earlier load left, load it again; or
rebuild the whole warehouse from landing (after a model change): set the warehouse aside, load every landed delivery."""

from __future__ import annotations

from pathlib import Path

import duckdb

from catalog.registry import Registry, load_registry, registry_dirs
from orchestration.ingestion.ingest import open_warehouse
from orchestration.ingestion.landing import Landing
from orchestration.ingestion.loader import LoadResult, load_delivery
from zhongtai import bookkeeping
from zhongtai.settings import Settings
from zhongtai.sql import quote_identifier, quote_literal


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


# The golden records' version logs (dbt_project/models/history, the incremental `<record>_versions` models).
HISTORY_SCHEMA = "history"
HISTORY_LOG_SUFFIX = "_versions"


def set_warehouse_aside(settings: Settings) -> Path | None:
    """Move the warehouse (and its write-ahead log) to `<name>.before-rebuild`, replacing an earlier one, so that the
    next run (with settings.from_landing) builds a fresh warehouse from the landed, immutable deliveries. Returns where
    the old one went, or None when there was none. Landing, published versions and the run history stay, and so do
    the golden records' version logs (carry_history_logs)."""
    path = settings.warehouse_path
    if not path.exists():
        return None
    kept = path.with_name(path.name + ".before-rebuild")
    for suffix in ("", ".wal"):
        old, aside = Path(str(path) + suffix), Path(str(kept) + suffix)
        aside.unlink(missing_ok=True)
        if old.exists():
            old.rename(aside)
    carry_history_logs(kept, path)
    return kept


def carry_history_logs(kept: Path, fresh: Path) -> list[str]:
    """Copy the golden records' version logs from the warehouse set aside into the fresh one; returns their names.

    A log says what the golden records were at each run: no landing holds that (a snapshot delivery says how things
    are, not since when), so a rebuild cannot derive it again and a fresh start would forget every earlier version.
    Carried over, the logs are what an incremental run of their models extends: the rebuild appends a version only
    for a record the rebuilt golden records give otherwise (after a model change, say), stamped with its own run."""
    with duckdb.connect() as con:
        con.execute(f"attach {quote_literal(str(kept))} as kept (read_only)")
        logs = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where database_name = 'kept' and schema_name = ? "
                "and ends_with(table_name, ?) order by 1",
                [HISTORY_SCHEMA, HISTORY_LOG_SUFFIX],
            ).fetchall()
        ]
        if logs:  # the fresh warehouse is made only to hold them: a rebuild without history starts with no file
            con.execute(f"attach {quote_literal(str(fresh))} as fresh")
            con.execute(f"create schema fresh.{HISTORY_SCHEMA}")
        for name in logs:
            table = f"{HISTORY_SCHEMA}.{quote_identifier(name)}"
            con.execute(f"create table fresh.{table} as select * from kept.{table}")
    return logs

"""Check a sample delivery against a draft entry: parse and type it with the real loader, in memory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from catalog.registry import SourceSystem
from orchestration.ingestion.landing import Delivery, sha256_file
from orchestration.ingestion.loader import LoadResult, load_delivery


def load_sample(source: SourceSystem, sample: Path) -> LoadResult:
    """What loading `sample` as the source's first entity would do (rows loaded, quarantined, file fault), in a
    throw-away DuckDB database: nothing is landed and the warehouse is not touched."""
    entity = source.entities[0]
    delivery = Delivery(
        delivery_id=f"{source.id}.{entity.name}.sample",
        source_id=source.id,
        entity=entity.name,
        received_at=dt.datetime.now(dt.UTC).isoformat(),
        sha256=sha256_file(sample),
        bytes=sample.stat().st_size,
        file_name=sample.name,
        path=sample.name,
    )
    # extensions (encodings for a GB18030 sample) are loaded from their wheels: nothing is fetched
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        return load_delivery(con, source, entity, delivery, sample.parent)
    finally:
        con.close()

"""The files the API drops for the pipeline as deliveries of an upload source: for village verification one per
upload (its corrections and confirmations) and one per department decision; for match review one per steward's
decision. Headers are the registry entry's, so the pipeline reads them like any other delivery; each file appears
whole (atomic rename) and is never rewritten."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.registry import SourceSystem, load_registry, registry_dirs
from zhongtai.files import atomic_write
from zhongtai.settings import Settings

SOURCE_ID = "village_verification"


@lru_cache(maxsize=8)
def _source(extra_dirs: str | None, source_id: str) -> SourceSystem:
    return load_registry(*registry_dirs(extra_dirs))[source_id]


def drop_folder(settings: Settings, source_id: str = SOURCE_ID) -> Path:
    source = _source(settings.registry_dirs, source_id)
    return Path(source.connector.location.format(uploads=settings.uploads_dir))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def write_delivery(
    settings: Settings, entity: str, name: str, rows: Iterable[Mapping[str, Any]], source_id: str = SOURCE_ID
) -> Path:
    """`rows` keyed by the registry's field names; written under the entity's headers as `<entity>_<name>.csv`."""
    fields = _source(settings.registry_dirs, source_id).entity(entity).fields
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.header for f in fields])
    for row in rows:
        writer.writerow([_cell(row.get(f.name)) for f in fields])
    path = drop_folder(settings, source_id) / f"{entity}_{name}.csv"
    atomic_write(path, out.getvalue())
    return path

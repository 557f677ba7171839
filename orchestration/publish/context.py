"""What every publish writer is handed: the settings, the catalog's datasets, the warehouse (read-only) and the
result it adds its counts to; and the SQL each of them needs to read a mart as its channel may see it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from catalog.datasets import Dataset
from zhongtai.settings import Settings
from zhongtai.sql import qualified, quote_identifier

WAREHOUSE = "wh"  # the name the warehouse is attached under, read-only


@dataclass
class PublishResult:
    version: str
    path: Path
    created_at: str
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # channel → dataset → rows
    rosters: int = 0
    files: int = 0
    suppressed_cells: int = 0
    deliveries: dict[str, str] = field(default_factory=dict)  # source.entity → latest loaded delivery id
    pruned: list[str] = field(default_factory=list)  # older versions removed after the switch (Settings.published_keep)
    # Names of natural persons, drawn read-only from the warehouse, so the scan can find them where they must not be.
    person_names: list[str] = field(default_factory=list, repr=False)

    def as_metadata(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created_at": self.created_at,
            "rows": json.dumps(self.rows, ensure_ascii=False),
            "rosters": self.rosters,
            "files": self.files,
            "suppressed_cells": self.suppressed_cells,
            "versions_removed": len(self.pruned),
        }


@dataclass
class PublishContext:
    settings: Settings
    datasets: list[Dataset]
    manifest_path: Path  # dbt's manifest, for lineage
    con: duckdb.DuckDBPyConnection  # in memory, the warehouse attached as `wh` (read-only)
    result: PublishResult
    # column → DuckDB type of each dataset the serving writer published: the API's types, read by later writers
    types: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def by_id(self) -> dict[str, Dataset]:
        return {d.id: d for d in self.datasets}


@dataclass(frozen=True)
class Writer:
    """One channel's artefacts in a new version folder. A new channel is a new writer in `writers.WRITERS`."""

    name: str
    write: Callable[[PublishContext, Path], None]


def source(d: Dataset) -> str:
    """The mart behind a dataset, in the attached warehouse."""
    return qualified(WAREHOUSE, *d.relation.split(".", 1))


def order(d: Dataset) -> str:
    return ", ".join(quote_identifier(k) for k in d.primary_key)


def suppressed_select(d: Dataset, sql: str, min_cell: int) -> str:
    """Cells of a published aggregate under `min_cell` (but not zero) become empty."""
    if not d.suppress_small_cells:
        return sql
    q = quote_identifier
    cells = ", ".join(
        f"case when {q(c)} > 0 and {q(c)} < {int(min_cell)} then null else {q(c)} end as {q(c)}"
        for c in d.suppress_small_cells
    )
    return f"select * replace ({cells}) from ({sql})"

"""Frictionless Data Package descriptors for the open extracts, rendered from the catalog's datasets and fields."""

from __future__ import annotations

from typing import Any

from catalog.channels import OPEN_LICENSE, channel_fields
from catalog.datasets import Channel, Dataset, OpenLevel

LICENSE_NAME = "chancheng-open-data"

# DuckDB column types (as `describe` spells them) → Table Schema field types.
_TYPES = (
    (
        ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"),
        "integer",
    ),
    (("DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC"), "number"),
    (("TIMESTAMP",), "datetime"),
    (("DATE",), "date"),
    (("TIME",), "time"),
    (("BOOLEAN",), "boolean"),
)


def table_schema_type(duckdb_type: str | None) -> str:
    t = (duckdb_type or "").upper()
    for prefixes, kind in _TYPES:
        if t.startswith(prefixes):
            return kind
    return "string"


def is_open_extract(dataset: Dataset) -> bool:
    """无条件开放 datasets served by the API also get a bulk download (CSV + datapackage.json)."""
    return dataset.open_level is OpenLevel.open and dataset.published_to(Channel.api)


def data_package(
    dataset: Dataset,
    *,
    types: dict[str, str],
    csv_name: str,
    csv_bytes: int,
    csv_sha256: str,
    version: str,
    created_at: str,
) -> dict[str, Any]:
    """datapackage.json for one dataset's open extract: the public-policy columns with Chinese titles and types."""
    fields = []
    for o in channel_fields(dataset, Channel.api):
        field: dict[str, Any] = {
            "name": o.name,
            "title": o.title,
            "description": o.description or o.title,
            "type": table_schema_type(types.get(o.name, o.data_type)),
        }
        if o.name in dataset.primary_key:
            field["constraints"] = {"required": True}
        fields.append(field)
    licence = {"name": LICENSE_NAME, "title": OPEN_LICENSE}
    return {
        "name": dataset.id.replace("_", "-"),
        "title": dataset.title,
        "description": dataset.description,
        "version": version,
        "created": created_at,
        "licenses": [licence],
        "contributors": [{"title": dataset.owner_department, "role": "publisher"}],
        "keywords": [str(dataset.open_level)],
        "resources": [
            {
                "name": dataset.id.replace("_", "-"),
                "title": dataset.title,
                "path": csv_name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv_bytes,
                "hash": f"sha256:{csv_sha256}",
                "licenses": [licence],
                "schema": {"fields": fields, "primaryKey": list(dataset.primary_key)},
            }
        ],
    }

"""Lineage of a published dataset: its dbt models and the source systems' raw tables it depends on, from the manifest.

Dataset level is exact: the walk follows dbt's `depends_on` from the mart down to `source(...)` nodes. Field level is
a match, not SQL parsing: a field traces to an upstream raw table when that table's registry entry has a field of the
same name or carrying it as its canonical attribute; every other field is reported at dataset level (`level`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from catalog.datasets import Dataset
from catalog.registry import Registry


def _upstream(manifest: dict[str, Any], unique_id: str) -> tuple[list[str], list[str]]:
    """(models and seeds, sources) upstream of a node, nearest first."""
    nodes = manifest.get("nodes") or {}
    seen: set[str] = {unique_id}
    models: list[str] = []
    sources: list[str] = []
    queue = deque((nodes.get(unique_id) or {}).get("depends_on", {}).get("nodes") or [])
    while queue:
        uid = queue.popleft()
        if uid in seen:
            continue
        seen.add(uid)
        if uid.startswith("source."):
            sources.append(uid)
            continue
        node = nodes.get(uid)
        if node is None:
            continue
        models.append(uid)
        queue.extend((node.get("depends_on") or {}).get("nodes") or [])
    return models, sources


def _model_unique_id(manifest: dict[str, Any], dataset_id: str) -> str | None:
    for uid, node in (manifest.get("nodes") or {}).items():
        if node.get("resource_type") == "model" and node.get("name") == dataset_id:
            return uid
    return None


def _source_entry(manifest: dict[str, Any], registry: Registry, uid: str) -> dict[str, Any]:
    node = (manifest.get("sources") or {}).get(uid) or {}
    source_id, entity = node.get("source_name") or uid.split(".")[2], node.get("name") or uid.split(".")[-1]
    entry: dict[str, Any] = {
        "source": source_id,
        "entity": entity,
        "relation": f"{node.get('schema') or 'raw'}.{node.get('identifier') or entity}",
    }
    system = registry.sources.get(source_id)
    if system is None:
        # Not an upstream system: a table the pipeline itself writes between dbt steps (entity resolution).
        entry.update(system=False, title=(node.get("meta") or {}).get("title") or node.get("description") or "")
        return entry
    entry.update(
        system=True,
        title=system.title,
        owner_department=system.owner_department,
        entity_title=next((e.title for e in system.entities if e.name == entity), ""),
    )
    return entry


def dataset_lineage(
    manifest: dict[str, Any],
    registry: Registry,
    dataset: Dataset,
    *,
    fields: list[tuple[str, str]] | None = None,
    deliveries: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Upstream models, source tables (with registry titles and owners) and per-field lineage of one dataset.

    `fields` are (published name, catalog field name) pairs (default: every catalog field under its own name);
    `deliveries` maps `source.entity` to its latest loaded delivery id, where the publish manifest carries it.
    """
    uid = _model_unique_id(manifest, dataset.id)
    if uid is None:
        return {"dataset": dataset.id, "models": [], "sources": [], "fields": [], "note": "not in the dbt manifest"}
    model_ids, source_ids = _upstream(manifest, uid)
    nodes = manifest.get("nodes") or {}
    models = [
        {"id": nodes[m]["name"], "kind": nodes[m]["resource_type"], "layer": nodes[m].get("schema")} for m in model_ids
    ]
    sources = [_source_entry(manifest, registry, s) for s in source_ids]
    for s in sources:
        delivery = (deliveries or {}).get(f"{s['source']}.{s['entity']}")
        if delivery:
            s["latest_delivery_id"] = delivery
    out_fields = []
    for published, name in fields or [(f.name, f.name) for f in dataset.fields]:
        matched: list[dict[str, Any]] = []
        for s in sources:
            system = registry.sources.get(s["source"])
            entity = next((e for e in system.entities if e.name == s["entity"]), None) if system else None
            if entity is None:
                continue
            cols = [f.name for f in entity.fields if name in (f.name, f.canonical)]
            if cols:
                matched.append({"source": s["source"], "entity": s["entity"], "columns": cols})
        upstream: list[Any] = list(matched) if matched else [f"{s['source']}.{s['entity']}" for s in sources]
        out_fields.append({"name": published, "level": "column" if matched else "dataset", "upstream": upstream})
    return {"dataset": dataset.id, "models": models, "sources": sources, "fields": out_fields}

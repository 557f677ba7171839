"""The catalog writer: `catalog.json` (the API's dataset index, with each dataset's lineage) and `catalog.jsonld`
(DCAT), describing what the serving writer published."""

from __future__ import annotations

import json
from pathlib import Path

from catalog.channels import api_catalog, channel_fields
from catalog.datasets import Channel
from catalog.dcat import dcat_catalog
from catalog.lineage import dataset_lineage
from catalog.registry import load_registry, registry_dirs
from orchestration.publish.context import PublishContext, Writer


def write(context: PublishContext, version_dir: Path) -> None:
    settings, result = context.settings, context.result
    catalog = api_catalog(context.datasets, rows=result.rows["api"], types=context.types)
    catalog.update(version=result.version, created_at=result.created_at)
    # Each API dataset's lineage: models, source systems and the latest delivery, per published field.
    manifest = json.loads(context.manifest_path.read_text(encoding="utf-8"))
    registry = load_registry(*registry_dirs(settings.registry_dirs))
    by_id = context.by_id
    for entry in catalog["datasets"]:
        d = by_id[entry["id"]]
        fields = [(o.name, o.source.name) for o in channel_fields(d, Channel.api)]
        entry["lineage"] = dataset_lineage(manifest, registry, d, fields=fields, deliveries=result.deliveries)
    (version_dir / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False, indent=2), encoding="utf-8")
    jsonld = dcat_catalog(
        context.datasets,
        base_url=f"http://{settings.host}:{settings.api_port}",
        datasette_url=f"http://{settings.host}:{settings.datasette_port}",
        version=result.version,
        created_at=result.created_at,
    )
    (version_dir / "catalog.jsonld").write_text(json.dumps(jsonld, ensure_ascii=False, indent=2), encoding="utf-8")


WRITER = Writer("catalog", write)

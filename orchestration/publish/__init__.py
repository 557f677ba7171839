"""Publish: every channel's read-only artefacts in a new version folder, then one atomic switch of `current`.

context        — what a writer is handed (settings, datasets, the read-only warehouse, the result) and shared SQL
frame          — the version folder, the writers, manifest, scan and switch; or a refusal with its reason
writers        — the registry of writers, in order; one module per channel:
  serving        serving.duckdb for the open-data API
  changes        changes.duckdb: rows added, changed and withdrawn since the previous version
  analyst        analyst.sqlite and metadata.json for Datasette
  rosters        an Excel roster per village unit
  open_extracts  CSV + datapackage.json per unconditionally open dataset
  catalog_index  catalog.json (with lineage) and catalog.jsonld (DCAT)
asset          — the Dagster asset
"""

from orchestration.publish.context import PublishContext, PublishResult, Writer
from orchestration.publish.frame import publish, switch_current
from orchestration.publish.writers import WRITERS

__all__ = ["WRITERS", "PublishContext", "PublishResult", "Writer", "publish", "switch_current"]

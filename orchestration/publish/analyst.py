"""The analyst writer: `analyst.sqlite` for Datasette, masked for analysts, with Datasette's `metadata.json`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import yaml

from catalog.channels import datasette_metadata, fts_table, search_columns
from catalog.datasets import Channel, Dataset
from catalog.lineage import dataset_lineage
from catalog.masking import CHANNEL_AUDIENCE, masked_select
from catalog.registry import load_registry, registry_dirs
from orchestration.publish import quality_scorecards
from orchestration.publish.context import PublishContext, Writer, order, source, suppressed_select
from zhongtai.sql import quote_identifier, quote_literal


def write(context: PublishContext, version_dir: Path) -> None:
    con, min_cell, q = context.con, context.settings.roster_min_cell, quote_identifier
    path = version_dir / "analyst.sqlite"
    con.execute(f"attach {quote_literal(str(path))} as analyst (type sqlite)")
    rows: dict[str, int] = {}
    try:
        for d in context.datasets:
            if not d.published_to(Channel.datasette):
                continue
            sql = masked_select(d, CHANNEL_AUDIENCE[Channel.datasette], source=source(d))
            sql = suppressed_select(d, sql, min_cell)
            # SQLite has no decimal: DuckDB would write text, which sorts wrongly in Datasette.
            decimals = [r[0] for r in con.execute(f"describe {sql}").fetchall() if r[1].startswith("DECIMAL")]
            if decimals:
                casts = ", ".join(f"cast({q(c)} as double) as {q(c)}" for c in decimals)
                sql = f"select * replace ({casts}) from ({sql})"
            con.execute(f"create table analyst.{q(d.id)} as {sql}")
            rows[d.id] = con.execute(f"select count(*) from analyst.{q(d.id)}").fetchone()[0]  # type: ignore[index]
        quality_scorecards.write(context, "analyst")
    finally:
        con.execute("detach analyst")
    with sqlite3.connect(path) as db:
        for d in context.datasets:
            if d.id in rows:
                db.execute(f"create unique index {q(d.id + '_pk')} on {q(d.id)} ({order(d)})")
                add_search(db, d)
        db.execute("analyze")
    db.close()
    context.result.rows["datasette"] = rows
    metadata = datasette_metadata(context.datasets, sources(context), queries())
    quality_scorecards.describe(metadata)
    plugins = metadata.setdefault("plugins", {})
    plugins["datasette-dashboards"] = dashboards()
    # the query audit (apis.datasette_audit) confirms returned keys against this table
    plugins["zhongtai"] = {"person_keys": {"table": PERSON_TABLE, "column": "person_key"}}
    text = json.dumps(metadata, ensure_ascii=False, indent=2)
    (version_dir / "metadata.json").write_text(text, encoding="utf-8")


def add_search(db: sqlite3.Connection, d: Dataset) -> None:
    """Full-text search over the dataset's `search` columns: an external-content FTS5 table with SQLite's trigram
    tokenizer, which finds any run of three or more characters, so Chinese needs no word segmentation (a two-character
    word alone is not searchable; use a filter on the column instead)."""
    columns = search_columns(d)
    if not columns:
        return
    q, fts = quote_identifier, fts_table(d.id)
    listed = ", ".join(q(c) for c in columns)
    db.execute(
        f"create virtual table {q(fts)} using fts5({listed}, content={q(d.id)}, content_rowid='rowid', "
        "tokenize='trigram')"
    )
    db.execute(f"insert into {q(fts)} (rowid, {listed}) select rowid, {listed} from {q(d.id)}")


def sources(context: PublishContext) -> dict[str, list[str]]:
    """Dataset id → the titles of the source systems it is built from (its lineage in dbt's manifest)."""
    manifest = json.loads(context.manifest_path.read_text(encoding="utf-8"))
    registry = load_registry(*registry_dirs(context.settings.registry_dirs))
    found: dict[str, list[str]] = {}
    for d in context.datasets:
        if d.published_to(Channel.datasette):
            systems = dataset_lineage(manifest, registry, d)["sources"]
            titles = [s["title"] for s in systems if s.get("system") and s.get("title")]
            found[d.id] = list(dict.fromkeys(titles))
    return found


def queries() -> dict[str, Any]:
    """The canned queries (analyst_queries.yaml beside this module)."""
    loaded: dict[str, Any] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    return loaded


def dashboards() -> dict[str, Any]:
    """The datasette-dashboards configuration (dashboards.yaml beside this module): dashboard slug → its config."""
    config: dict[str, Any] = yaml.safe_load(DASHBOARDS.read_text(encoding="utf-8"))
    return config


DASHBOARDS = Path(__file__).with_name("dashboards.yaml")
QUERIES = Path(__file__).with_name("analyst_queries.yaml")
PERSON_TABLE = "person_profile"
WRITER = Writer("analyst", write)

"""The analyst writer: `analyst.sqlite` for Datasette, masked for analysts, with Datasette's `metadata.json`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import yaml

from catalog.channels import datasette_metadata
from catalog.datasets import Channel
from catalog.masking import CHANNEL_AUDIENCE, masked_select
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
        db.execute("analyze")
    db.close()
    context.result.rows["datasette"] = rows
    metadata = datasette_metadata(context.datasets)
    quality_scorecards.describe(metadata)
    metadata.setdefault("plugins", {})["datasette-dashboards"] = dashboards()
    text = json.dumps(metadata, ensure_ascii=False, indent=2)
    (version_dir / "metadata.json").write_text(text, encoding="utf-8")


def dashboards() -> dict[str, Any]:
    """The datasette-dashboards configuration (dashboards.yaml beside this module): dashboard slug → its config."""
    config: dict[str, Any] = yaml.safe_load(DASHBOARDS.read_text(encoding="utf-8"))
    return config


DASHBOARDS = Path(__file__).with_name("dashboards.yaml")
WRITER = Writer("analyst", write)

"""The serving writer: `serving.duckdb`, the API's tables, masked for the public and keyed for keyset paging."""

from __future__ import annotations

from pathlib import Path

from catalog.datasets import Channel
from catalog.masking import CHANNEL_AUDIENCE, masked_select
from orchestration.publish.context import PublishContext, Writer, order, source, suppressed_select
from zhongtai.sql import quote_identifier, quote_literal


def write(context: PublishContext, version_dir: Path) -> None:
    con, min_cell = context.con, context.settings.roster_min_cell
    con.execute(f"attach {quote_literal(str(version_dir / 'serving.duckdb'))} as serving")
    rows: dict[str, int] = {}
    try:
        for d in context.datasets:
            if not d.published_to(Channel.api):
                continue
            sql = suppressed_select(d, masked_select(d, CHANNEL_AUDIENCE[Channel.api], source=source(d)), min_cell)
            table = f"serving.{quote_identifier(d.id)}"
            con.execute(f"create table {table} as {sql}")
            # An ART index on the key makes keyset pages a seek, not a scan; it also enforces uniqueness.
            con.execute(f"create unique index {quote_identifier(d.id + '_pk')} on {table} ({order(d)})")
            rows[d.id] = con.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
            context.types[d.id] = {r[0]: r[1] for r in con.execute(f"describe {table}").fetchall()}
    finally:
        con.execute("detach serving")
    context.result.rows["api"] = rows


WRITER = Writer("serving", write)

"""The serving writer: `serving.duckdb`, the API's tables, masked for the public and keyed for keyset paging."""

from __future__ import annotations

from pathlib import Path

from catalog.channels import STORED_IN_KEY_ORDER
from catalog.datasets import Channel
from catalog.masking import CHANNEL_AUDIENCE, masked_select
from orchestration.publish.context import PublishContext, Writer, order, source, suppressed_select
from zhongtai.sql import quote_identifier, quote_literal

ROW_GROUP_ROWS = 8192  # four DuckDB vectors: a keyset or first page reads at most a few groups (bench/serving.py)


def write(context: PublishContext, version_dir: Path) -> None:
    con, min_cell = context.con, context.settings.roster_min_cell
    # Small row groups: DuckDB prunes by row group, so with the default (122,880 rows) a page read a whole group.
    path = quote_literal(str(version_dir / "serving.duckdb"))
    con.execute(f"attach {path} as serving (row_group_size {ROW_GROUP_ROWS})")
    rows: dict[str, int] = {}
    try:
        for d in context.datasets:
            if not d.published_to(Channel.api):
                continue
            sql = suppressed_select(d, masked_select(d, CHANNEL_AUDIENCE[Channel.api], source=source(d)), min_cell)
            table = f"serving.{quote_identifier(d.id)}"
            # Stored in key order, so each row group's zone map covers a narrow key range: a keyset page (`key > ?`)
            # and a first page (top-N on the key, whose dynamic filter prunes too) skip the other row groups.
            con.execute(f"create table {table} as select * from ({sql}) order by {order(d)}")
            for key in d.primary_key:  # a key is never null: the records cursor relies on it (apis/records.py)
                con.execute(f"alter table {table} alter column {quote_identifier(key)} set not null")
            con.execute(f"comment on table {table} is {quote_literal(STORED_IN_KEY_ORDER)}")
            # The ART index enforces the key's uniqueness and serves equality lookups on it.
            con.execute(f"create unique index {quote_identifier(d.id + '_pk')} on {table} ({order(d)})")
            rows[d.id] = con.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
            context.types[d.id] = {r[0]: r[1] for r in con.execute(f"describe {table}").fetchall()}
    finally:
        con.execute("detach serving")
    context.result.rows["api"] = rows


WRITER = Writer("serving", write)

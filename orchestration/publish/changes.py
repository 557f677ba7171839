"""The change-feed writer: `changes.duckdb`, one table per API dataset with the rows added, changed (new values) and
withdrawn (primary key only) since the version `current` served when this publish began, and `changes.json` naming
that version and the counts. The API chains these diffs to answer `changes?since=` across several versions."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from catalog.datasets import Channel
from orchestration.publish.context import PublishContext, Writer
from zhongtai.sql import quote_identifier, quote_literal

CHANGES_DB = "changes.duckdb"
CHANGES_JSON = "changes.json"


def previous_version(published: Path) -> Path | None:
    """The version `current` points at, if it has a serving database to compare with."""
    current = published / "current"
    if not current.exists():
        return None
    real = Path(os.path.realpath(current))
    return real if (real / "serving.duckdb").is_file() else None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall()]


def write(context: PublishContext, version_dir: Path) -> None:
    con, q = context.con, quote_identifier
    previous = previous_version(context.settings.published_dir)
    con.execute(f"attach {quote_literal(str(version_dir / 'serving.duckdb'))} as new_serving (read_only)")
    con.execute(f"attach {quote_literal(str(version_dir / CHANGES_DB))} as changes")
    if previous is not None:
        con.execute(f"attach {quote_literal(str(previous / 'serving.duckdb'))} as old_serving (read_only)")
    counts: dict[str, dict[str, int]] = {}
    try:
        old_tables = (
            {
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'old_serving'"
                ).fetchall()
            }
            if previous is not None
            else set()
        )
        for d in context.datasets:
            if not d.published_to(Channel.api):
                continue
            new, out = f"new_serving.{q(d.id)}", f"changes.{q(d.id)}"
            cols = _columns(con, new)
            keys = " and ".join(f"n.{q(k)} = o.{q(k)}" for k in d.primary_key)
            con.execute(f"create table {out} as select 'added' as _change, n.* from {new} as n limit 0")
            if d.id not in old_tables:
                con.execute(f"insert into {out} select 'added', n.* from {new} as n")
            else:
                old = f"old_serving.{q(d.id)}"
                old_cols = set(_columns(con, old))
                common = [c for c in cols if c in old_cols and c not in d.primary_key]
                # A column the old version lacked is news for every row; otherwise compare value by value.
                differs = (
                    " or ".join(f"n.{q(c)} is distinct from o.{q(c)}" for c in common) or "false"
                    if old_cols >= set(cols)
                    else "true"
                )
                con.execute(
                    f"insert into {out} select 'added', n.* from {new} as n "
                    f"where not exists (select 1 from {old} as o where {keys})"
                )
                con.execute(
                    f"insert into {out} select 'changed', n.* from {new} as n join {old} as o on {keys} where {differs}"
                )
                old_keys = ", ".join(f"o.{q(k)}" for k in d.primary_key)
                con.execute(
                    f"insert into {out} by name select 'withdrawn' as _change, {old_keys} "
                    f"from {old} as o where not exists (select 1 from {new} as n where {keys})"
                )
            counts[d.id] = {
                kind: n for kind, n in con.execute(f"select _change, count(*) from {out} group by 1").fetchall()
            }
    finally:
        con.execute("detach new_serving")
        con.execute("detach changes")
        if previous is not None:
            con.execute("detach old_serving")
    record = {
        "version": context.result.version,
        "previous": previous.name if previous is not None else None,
        "datasets": {d: {k: c.get(k, 0) for k in ("added", "changed", "withdrawn")} for d, c in counts.items()},
    }
    (version_dir / CHANGES_JSON).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


WRITER = Writer("changes", write)

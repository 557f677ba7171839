"""The change feed read back: the chain of per-version diffs publish wrote (`changes.json` names each version's
predecessor), from a client's `since` to the version served, folded into one net change per primary key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from apis.errors import ApiError
from zhongtai.sql import quote_identifier, quote_literal
from zhongtai.versions import VERSION

MAX_CHAIN = 400  # versions folded at most: older ones are a full resync anyway


def _record(folder: Path) -> dict[str, Any] | None:
    path = folder / "changes.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def chain(published: Path, current: Path, since: str) -> list[Path]:
    """The version folders whose diffs lead from `since` to `current`, oldest first; 400 for a malformed `since`,
    410 when it is not a version the chain still reaches (never published here, or its diffs are gone)."""
    if not VERSION.fullmatch(since):
        raise ApiError(
            400,
            "bad_since",
            f"since {since[:40]!r} is not a published version name (vYYYYMMDDTHHMMSSZ, as /health and "
            "X-Zhongtai-Version give it)",
            f"since 参数 {since[:40]!r} 不是发布版本号（格式 vYYYYMMDDTHHMMSSZ，见 /health 或 X-Zhongtai-Version）",
            param="since",
        )
    folders: list[Path] = []
    folder = current
    while folder.name != since and len(folders) < MAX_CHAIN:
        record = _record(folder)
        if record is None or not record.get("previous"):
            folders = []
            break
        folders.append(folder)
        folder = published / record["previous"]
    if folder.name != since:
        raise ApiError(
            410,
            "since_gone",
            f"no change feed from version {since} to {current.name}: it was never published here or its changes are "
            "no longer kept; download the full snapshot (GET /v1/datasets/{id}/snapshots) and sync from its version",
            f"无法提供从版本 {since} 到 {current.name} 的变更：该版本未曾发布或变更记录已不再保留，"
            "请下载全量快照（/v1/datasets/{id}/snapshots）后从其版本开始增量同步",
            param="since",
        )
    return list(reversed(folders))


def net_changes(
    folders: list[Path], dataset: str, primary_key: list[str], fields: list[str], limit: int, offset: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One net change per key across the diffs, in primary-key order: added (absent at `since`), changed (present at
    both ends) with the newest values, or withdrawn (present at `since`, gone now); and the counts of each."""
    if not folders:
        return [], {"added": 0, "changed": 0, "withdrawn": 0}
    q = quote_identifier
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'Asia/Shanghai'")
        parts = []
        for i, folder in enumerate(folders):
            con.execute(f"attach {quote_literal(str(folder / 'changes.duckdb'))} as c{i} (read_only)")
            present = con.execute(
                "select count(*) from duckdb_tables() where database_name = ? and table_name = ?", [f"c{i}", dataset]
            ).fetchone()
            if present and present[0]:
                parts.append(f"select {i} as _seq, * from c{i}.{q(dataset)}")
        if not parts:
            return [], {"added": 0, "changed": 0, "withdrawn": 0}
        key = ", ".join(q(k) for k in primary_key)
        values = ", ".join(q(f) for f in fields)
        sql = f"""
            with c as ({" union all by name ".join(parts)}),
            ranked as (
                select *,
                    row_number() over (partition by {key} order by _seq desc) as _last,
                    first_value(_change) over (partition by {key} order by _seq) as _first
                from c
            ),
            net as (
                select *, case
                    when _change = 'withdrawn' then case when _first = 'added' then null else 'withdrawn' end
                    when _first = 'added' then 'added'
                    else 'changed' end as _net
                from ranked where _last = 1
            )
            select _net, {values} from net where _net is not null"""
        counts = dict(con.execute(f"select _net, count(*) from ({sql}) group by 1").fetchall())
        cur = con.execute(f"{sql} order by {key} limit ? offset ?", [limit, offset])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    return rows, {k: int(counts.get(k, 0)) for k in ("added", "changed", "withdrawn")}

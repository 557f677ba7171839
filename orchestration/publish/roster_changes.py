"""本次变化: what changed in each village's sheets since the previous published version, read from that version's
CSVs — computed by DuckDB for every village at once.

Rows are compared by the sheet's key as the cadre sees them (the same text the CSV holds), column by column under
the same Chinese header; a column new in this version is not reported as changed. A village-sheet without a CSV in
the previous version has no baseline and reports nothing; one whose CSV lacks the key's headers reports nothing either.
Within a village the changes run sheet by sheet: added and changed rows in the sheet's order (each changed column in
column order), then removed rows by key.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.publish.roster_cells import CellColumn, column_text, inline_string, row_sql
from orchestration.publish.roster_sheets import BuiltSheet
from zhongtai.sql import quote_identifier as q
from zhongtai.sql import quote_literal

KIND_TITLES = {"added": "新增", "removed": "移出", "changed": "变更"}
TABLE = "_roster_changes"


@dataclass(frozen=True)
class VillageChanges:
    rows: str  # the change sheet's `<row>` elements after its header
    count: int
    kinds: dict[str, int]  # added | removed | changed → how many


def _header(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return tuple(next(csv.reader(f), []))


def _old_csvs(files: list[Path], header: tuple[str, ...], suffix: str) -> str:
    """A select of the previous CSVs (one header) as text, with `_village` from each file's name."""
    columns = "{" + ", ".join(f"{quote_literal(h)}: 'VARCHAR'" for h in header) + "}"
    paths = "[" + ", ".join(quote_literal(str(f)) for f in files) + "]"
    name = "parse_filename(filename)"
    village = f"left({name}, length({name}) - {len(suffix)})"
    return (
        f"select {village} as _village, * exclude (filename) from read_csv({paths}, header = true, "
        f"columns = {columns}, auto_detect = false, delim = ',', quote = '\"', escape = '\"', filename = true)"
    )


def _sheet_changes(
    con: duckdb.DuckDBPyConnection, order: int, sheet: BuiltSheet, cells: list[CellColumn], previous: Path
) -> None:
    """Insert this sheet's changes of every village with a baseline into TABLE."""
    suffix = f"{sheet.spec.csv_suffix}.csv"
    groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for path in sorted(previous.glob(f"*{suffix}")):
        if sheet.spec.csv_suffix or path.name.count(".") == 1:  # the population CSV has no suffix
            groups[_header(path)].append(path)
    titles = [c.column.title for c in cells]
    key_at = [next(c.index for c in cells if c.column.name == k) for k in sheet.spec.row_key]
    label_at = next(c.index for c in cells if c.column.name == sheet.spec.row_label)
    new = ", ".join(f"coalesce({column_text(c)}, '') as n{c.index}" for c in cells)
    for header, files in groups.items():
        if not all(titles[i] in header for i in key_at):
            continue
        shared = [c for c in cells if c.column.title in header]
        villages = "[" + ", ".join(quote_literal(f.name[: -len(suffix)]) for f in files) + "]"
        old = ", ".join(f"coalesce({q(c.column.title)}, '') as o{c.index}" for c in shared)
        old_label = f"coalesce({q(titles[label_at])}, '')" if titles[label_at] in header else "''"
        new_key = " || ' / ' || ".join(f"n{i}" for i in key_at)
        old_key = " || ' / ' || ".join(f"o{i}" for i in key_at)
        pairs = ", ".join(
            f"{{'i': {c.index}, 't': {quote_literal(c.column.title)}, 'o': o{c.index}, 'n': n{c.index}}}"
            for c in shared
        )
        differs = " or ".join(f"o{c.index} <> n{c.index}" for c in shared) or "false"
        title = quote_literal(sheet.spec.title)
        con.execute(
            f"""
            insert into {TABLE}
            with n as (
                select _village, rowid as _r, {new} from {sheet.table} where _village in (select unnest({villages}))
            ),
            nk as (select *, {new_key} as _key, n{label_at} as _label from n),
            o as (select _village, {old}, {old_label} as _old_label from ({_old_csvs(files, header, suffix)})),
            ok as (select *, {old_key} as _key from o),
            changed as (
                select _village, _r, _key, _label, unnest([{pairs}]) as u
                from nk join ok using (_village, _key) where {differs}
            )
            select _village, {order}, 0, _r, -1, {title}, 'added', _key, _label, '', '', ''
            from nk anti join ok using (_village, _key)
            union all
            select _village, {order}, 0, _r, u.i, {title}, 'changed', _key, _label, u.t, u.o, u.n
            from changed where u.o <> u.n
            union all
            select _village, {order}, 1, 0, 0, {title}, 'removed', _key, _old_label, '', '', ''
            from ok anti join nk using (_village, _key)
            """
        )


def village_changes(
    con: duckdb.DuckDBPyConnection, sheets: list[tuple[BuiltSheet, list[CellColumn]]], previous: Path | None
) -> dict[str, VillageChanges]:
    """Each village's change sheet rows and counts (villages without changes are absent)."""
    if previous is None:
        return {}
    con.execute(
        f"create or replace temp table {TABLE} (_village varchar, _sheet int, _phase int, _r bigint, _col int, "
        "sheet varchar, kind varchar, key varchar, label varchar, item varchar, old varchar, new varchar)"
    )
    for order, (sheet, cells) in enumerate(sheets):
        _sheet_changes(con, order, sheet, cells, previous)
    kinds = " ".join(f"when '{k}' then '{t}'" for k, t in KIND_TITLES.items())
    texts = ["sheet", f"case kind {kinds} end", "key", "label", "item", "old", "new"]
    row_cells = [inline_string(chr(65 + i), "_rn", t) for i, t in enumerate(texts)]
    rows = con.execute(
        f"""
        select _village, string_agg({row_sql(row_cells, "_rn")}, '' order by _n), count(*),
            count(*) filter (kind = 'added'), count(*) filter (kind = 'removed'), count(*) filter (kind = 'changed')
        from (
            select *, cast(_n as varchar) as _rn from (
                select *, row_number() over (partition by _village order by _sheet, _phase, _r, _col, key) + 1 as _n
                from {TABLE}
            )
        )
        group by _village
        """
    ).fetchall()
    con.execute(f"drop table {TABLE}")
    return {
        village: VillageChanges(xml, count, {"added": added, "removed": removed, "changed": changed})
        for village, xml, count, added, removed, changed in rows
    }

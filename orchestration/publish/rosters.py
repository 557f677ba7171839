"""The roster writer: one Excel workbook per village unit (rosters/<village code>.xlsx) for village cadres."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from catalog.channels import channel_fields
from catalog.datasets import CatalogError, Channel
from catalog.masking import CHANNEL_AUDIENCE, Action, masked_select
from orchestration.publish.context import PublishContext, Writer, order, source

ROSTER_DATASET = "village_roster"
VILLAGE_DATASET = "village"


def write(context: PublishContext, version_dir: Path) -> None:
    """One workbook per village unit; villages with no residents still get one with its headers."""
    by_id = context.by_id
    roster = by_id.get(ROSTER_DATASET)
    if roster is None or not roster.published_to(Channel.roster):
        return
    con = context.con
    outs = channel_fields(roster, Channel.roster)
    if "village_code" not in {o.name for o in outs if o.action is Action.keep}:
        raise CatalogError([f"{roster.id}: the roster needs a kept `village_code` column"])
    out_dir = version_dir / "rosters"
    out_dir.mkdir()
    village = by_id.get(VILLAGE_DATASET)
    if village is not None:
        codes = [r[0] for r in con.execute(f"select village_code from {source(village)} order by 1").fetchall()]
    else:
        codes = []
    sql = masked_select(roster, CHANNEL_AUDIENCE[Channel.roster], source=source(roster))
    cur = con.execute(f'select * from ({sql}) order by "village_code", {order(roster)}')
    names = [c[0] for c in cur.description]  # type: ignore[union-attr]
    vc = names.index("village_code")
    headers = [o.title for o in outs]
    counts: dict[str, int] = {}
    book: _RosterBook | None = None
    while batch := cur.fetchmany(10_000):
        for row in batch:
            if book is None or book.code != row[vc]:
                if book is not None:
                    counts[book.code] = book.close()
                book = _RosterBook(out_dir, row[vc], roster.title, headers)
            book.write(row)
    if book is not None:
        counts[book.code] = book.close()
    for code in codes:
        if code not in counts:
            counts[code] = _RosterBook(out_dir, code, roster.title, headers).close()
    context.result.rows["roster"] = {roster.id: sum(counts.values())}
    context.result.rosters = len(counts)


class _RosterBook:
    """A constant-memory workbook: Chinese headers in a frozen first row, dates as dates, text as text."""

    def __init__(self, folder: Path, code: str, title: str, headers: list[str]):
        self.code, self.rows = code, 0
        self.book = xlsxwriter.Workbook(
            str(folder / f"{code}.xlsx"), {"constant_memory": True, "remove_timezone": True}
        )
        self.sheet = self.book.add_worksheet(title[:31])
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        bold = self.book.add_format({"bold": True})
        for i, h in enumerate(headers):
            self.sheet.set_column(i, i, max(12, 2 * len(h) + 2))
        self.sheet.write_row(0, 0, headers, bold)
        self.sheet.freeze_panes(1, 0)

    def write(self, row: tuple[Any, ...]) -> None:
        self.rows += 1
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                self.sheet.write_datetime(self.rows, col, value, self.date_format)
            elif isinstance(value, str):
                self.sheet.write_string(self.rows, col, value)
            else:
                self.sheet.write(self.rows, col, value)

    def close(self) -> int:
        self.book.close()
        return self.rows


WRITER = Writer("rosters", write)

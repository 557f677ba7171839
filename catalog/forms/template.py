"""Read a form's Excel template: its title, its items (label as written, merged group, unit, sample value), notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import openpyxl

from catalog.headers import HeaderError, join_header, locate_header

MAX_LABEL = 200  # a header cell longer than this is a paragraph pasted into the header, not an item
_STRUCTURAL = re.compile(r"^(序号|编号|序)$")
_NOTE = re.compile(r"^(注|说明|备注|填表说明|填报说明)\s*[:：]")
_SAMPLE = re.compile(r"^(示例|样例|例|举例)$")


class FormError(ValueError):
    """The template cannot be read as a form; `code` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass
class TemplateItem:
    column: int  # 0-based column in the sheet
    label: str  # the item's own header cell, as written
    group: str | None  # the merged header above it
    sample: str | None = None  # the value in the template's example row


@dataclass
class Template:
    title: str
    items: list[TemplateItem]
    notes: list[str] = field(default_factory=list)
    data_row: int = 0  # 1-based row of the sheet where the data starts, below the header (a filled copy writes here)
    example_row: bool = False  # the row at `data_row` is the template's example, not data


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def read_template(path: str | Path | BinaryIO, name: str | None = None) -> Template:
    """The template's items from its header rows; FormError when it has no recognisable header or no items.
    `path` may be an open binary file (an upload), then `name` is what messages call it."""
    if not isinstance(path, str | Path):
        return _read(path, name or "upload.xlsx")
    return _read(Path(path), name or Path(path).name)


def _read(source: Path | BinaryIO, name: str) -> Template:
    try:
        wb = openpyxl.load_workbook(source, data_only=True)  # not read-only: merged ranges tell the header's depth
    except Exception as exc:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise FormError("not_a_workbook", f"{name}: not an Excel workbook ({exc})") from exc
    ws = wb.worksheets[0]
    rows = [tuple(_text(c) or None for c in r) for r in ws.iter_rows(max_row=min(ws.max_row, 200), values_only=True)]
    if not any(any(r) for r in rows):
        raise FormError("empty", f"{name}: the first sheet is empty")
    top, span = locate_header(rows[:30])
    # a merged header cell on the first header row says how many rows the header spans, more surely than guessing
    # (merged down: as deep as the merge; merged across: a group over the sub-headers of the row below)
    for merged in ws.merged_cells.ranges:
        if merged.min_row == top + 1:
            span = max(span, merged.max_row - merged.min_row + 1 if merged.max_row > merged.min_row else 2)
    header = [list(r) for r in rows[top : top + span]]
    try:
        joined = join_header(header, name, top + 1)
    except HeaderError as exc:
        raise FormError("no_header", str(exc)) from exc
    filled = [i for i, h in enumerate(joined) if h and not h.startswith("_column_")]
    if len(filled) < 2:
        raise FormError("no_header", f"{name}: no row looks like a header (a row of two or more column names)")
    title = next((_text(c) for r in rows[:top] for c in r if _text(c)), "")
    groups = [""] * len(joined)
    if span > 1:
        current = ""
        for c in range(len(joined)):
            cell = _text(header[0][c]) if c < len(header[0]) else ""
            sub = _text(header[-1][c]) if c < len(header[-1]) else ""
            current = cell if cell else current
            groups[c] = current if sub and current else ""
    items = []
    for c in filled:
        group = groups[c] or None
        label = joined[c].removeprefix(f"{group}/") if group else joined[c]
        if _STRUCTURAL.match(label.replace(" ", "")):
            continue
        if len(label) > MAX_LABEL:
            raise FormError("label_too_long", f"{name}: the header in column {c + 1} is {len(label)} characters")
        items.append(TemplateItem(c, label, group))
    if not items:
        raise FormError("no_items", f"{name}: the header names no data items")
    below = rows[top + span :]
    first = below[0] if below else ()
    example = bool(first) and (_SAMPLE.match(_text(first[0])) or sum(bool(_text(v)) for v in first) > 1)
    if example and not _NOTE.match(_text(first[0])):
        for item in items:
            value = _text(first[item.column]) if item.column < len(first) else ""
            item.sample = value or None
    notes = [_text(r[0]) for r in below if r and _NOTE.match(_text(r[0]))]
    has_example = bool(example) and not _NOTE.match(_text(first[0]))
    return Template(title, items, notes, top + span + 1, has_example)

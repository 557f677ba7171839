"""A form filled for one village in the form's own layout: derivable items from the published `forms.duckdb`
(per-village figures, or per-person columns masked per the village-cadre policy), the rest left blank and marked.

Used for automatic reports (a refused form, every item filled) and pre-filled forms (some items filled)."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from apis.operational.forms import SHANGHAI
from apis.operational.models import FormItem, ReportForm
from catalog.forms import read_template
from zhongtai.settings import Settings
from zhongtai.sql import quote_identifier

FILE = "forms.duckdb"  # written by the publish step's forms writer
FILLED = PatternFill("solid", fgColor="E2EFDA")  # green: the platform filled this column
FOR_VILLAGE = PatternFill("solid", fgColor="FFF2CC")  # yellow: the village fills this column
FOR_VILLAGE_NOTE = "请村（居）填写：平台无此数据"
_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
_SQL_WORDS = {"count", "distinct", "sum", "filter", "where", "not", "date_diff", "year", "current_date"}


class NotPublished(LookupError):
    """The current snapshot has no forms database (nothing published yet, or published before forms existed)."""


@dataclass
class Filled:
    """What was filled for one village: per item position, its values (one per row of the form)."""

    village: str
    version: str
    columns: dict[int, list[Any]]
    rows: int


def forms_database(settings: Settings) -> tuple[Path, str]:
    real = Path(os.path.realpath(settings.current_snapshot))
    if not (real / FILE).is_file():
        raise NotPublished("尚未发布可用于填表的数据 (nothing published for forms yet)")
    return real / FILE, real.name


def _safe(expression: str, columns: set[str]) -> str:
    """The expression, if every identifier in it is a column of its table (expressions come from the dictionary)."""
    unknown = set(_IDENT.findall(expression)) - _SQL_WORDS - columns
    if unknown or ";" in expression:
        raise ValueError(f"not an expression over the table: {expression!r}")
    return expression


def values_for(settings: Settings, items: list[FormItem], village: str) -> Filled:
    """The derivable items' values for `village`, read from the current snapshot."""
    path, version = forms_database(settings)
    q = quote_identifier
    columns: dict[int, list[Any]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set TimeZone = 'Asia/Shanghai'")
        tables = {
            t: {c[0] for c in con.execute(f"describe {q(t)}").fetchall()}
            for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        for item in items:
            if not item.dataset or not item.field or item.dataset not in tables:
                continue
            factor = item.unit_factor or 1.0
            if item.aggregate and item.element and item.element != "age_band":
                sql = "select value from village_aggregate where element = ? and village_code = ?"
                row = con.execute(sql, [item.element, village]).fetchone()
                columns[item.position] = [_number((row[0] if row else 0) * factor)]
                continue
            expression = _safe(item.field, tables[item.dataset])
            found = con.execute(
                f"select {expression} from {q(item.dataset)} where village_code = ? order by _row", [village]
            ).fetchall()
            values = [r[0] for r in found]
            if factor != 1.0:
                values = [_number(v * factor) if isinstance(v, int | float) else v for v in values]
            columns[item.position] = values
    rows = max((len(v) for v in columns.values()), default=0)
    return Filled(village, version, columns, max(rows, 1))


def _number(value: Any) -> Any:
    value = float(value)
    return int(value) if value.is_integer() else round(value, 4)


def _cell_value(value: Any) -> Any:
    """What a cell can hold: Excel knows no time zones, so a moment is written as Shanghai's wall-clock time."""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).replace(tzinfo=None) if value.tzinfo else value
    if value is None or isinstance(value, int | float | str | date):
        return value
    return str(value)


def filled_workbook(settings: Settings, form: ReportForm, village: str, village_name: str) -> tuple[bytes, Filled]:
    """The form's own template with the derivable columns filled for `village` and the others marked for it."""
    filled = values_for(settings, list(form.items), village)
    template = read_template(io.BytesIO(form.template), name=form.file_name or "form.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(form.template))
    ws = wb.worksheets[0]
    start = template.data_row
    if template.example_row:
        _move_rows(ws, start, -1)
    _move_rows(ws, start, filled.rows)
    header_row = start - 1
    for item in form.items:
        head = _anchor(ws, header_row, item.column + 1)
        if item.position in filled.columns:
            head.fill = FILLED
            head.comment = Comment(f"平台已预填：{item.dataset}.{item.field}（{item.reason}）", "zhongtai")
            for r, value in enumerate(filled.columns[item.position]):
                ws.cell(row=start + r, column=item.column + 1, value=_cell_value(value))
        else:
            head.fill = FOR_VILLAGE
            head.comment = Comment(FOR_VILLAGE_NOTE, "zhongtai")
            for r in range(filled.rows):
                ws.cell(row=start + r, column=item.column + 1).fill = FOR_VILLAGE
    about = wb.create_sheet("填报说明")
    about.append(["报表", form.title])
    about.append(["村（居）", f"{village_name}（{village}）"])
    about.append(["数据版本", filled.version])
    about.append([])
    about.append(["数据项", "来源", "说明"])
    for item in form.items:
        if item.position in filled.columns:
            about.append([item.label, f"{item.dataset}.{item.field}", "平台已预填"])
        else:
            about.append([item.label, "", FOR_VILLAGE_NOTE])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), filled


def _anchor(ws: Any, row: int, column: int) -> Any:
    """The cell that holds what is shown at (row, column): a merged header's top-left cell."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return ws.cell(row=merged.min_row, column=merged.min_col)
    return ws.cell(row=row, column=column)


def _move_rows(ws: Any, at: int, amount: int) -> None:
    """Insert `amount` rows before row `at` (or delete -amount rows from it), moving the merged ranges below with
    them (openpyxl does not)."""
    if amount == 0:
        return
    gone = range(at, at - amount) if amount < 0 else range(0)
    below = [m for m in ws.merged_cells.ranges if m.min_row >= at]
    for m in below:
        ws.merged_cells.remove(m)
    below = [m for m in below if m.min_row not in gone]
    if amount > 0:
        ws.insert_rows(at, amount)
    else:
        ws.delete_rows(at, -amount)
    for m in below:
        m.shift(0, amount)
        ws.merge_cells(m.coord)

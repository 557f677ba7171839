"""A village roster as Excel (xlsxwriter, constant memory) and CSV: Chinese headers in a frozen row, auto-filter,
column widths, the correctable columns marked and validated (lists, dates), and the 本次变化 sheet."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from orchestration.publish.roster_changes import KIND_TITLES, Change, cell_text
from orchestration.publish.roster_sheets import BuiltSheet, SheetColumn

CHANGES_SHEET = "本次变化"
CHANGE_HEADERS = ["表", "变化", "键", "姓名或名称", "项目", "原值", "新值"]
LAST_ROW = 1_048_575  # Excel's last row: validation covers rows a cadre adds too
EARLIEST_DATE = date(1900, 1, 1)


def _width(column: SheetColumn) -> int:
    if column.is_date:
        return 12
    wide = {"address": 40, "name": 16}
    base = next((w for suffix, w in wide.items() if column.name.endswith(suffix)), 14)
    return max(base, 2 * len(column.title) + 2)


class RosterWorkbook:
    """One village's workbook; sheets are written whole, one after the other, as constant memory requires."""

    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "remove_timezone": True})
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.header = self.book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
        # Columns a cadre may correct: a yellow header, so the sheet says where to write.
        self.correctable = self.book.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})

    def _start(self, name: str, titles: list[str], widths: list[int], formats: list[Any]) -> Any:
        sheet = self.book.add_worksheet(name)
        for i, (title, width, fmt) in enumerate(zip(titles, widths, formats, strict=True)):
            sheet.set_column(i, i, width)
            sheet.write_string(0, i, title, fmt)
        sheet.freeze_panes(1, 0)
        return sheet

    def add_sheet(self, built: BuiltSheet, rows: list[tuple[Any, ...]]) -> None:
        cols = built.columns
        sheet = self._start(
            built.spec.title,
            [c.title for c in cols],
            [_width(c) for c in cols],
            [self.correctable if c.correctable else self.header for c in cols],
        )
        for r, row in enumerate(rows, start=1):
            for i, (column, value) in enumerate(zip(cols, row, strict=True)):
                if value is None:
                    continue
                if column.is_date and isinstance(value, date):
                    sheet.write_datetime(r, i, value, self.date_format)
                elif column.is_number and isinstance(value, int | float):
                    sheet.write_number(r, i, value)
                else:
                    sheet.write_string(r, i, cell_text(column, value))
        sheet.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)
        for i, column in enumerate(cols):
            if column.is_date and column.correctable:
                sheet.data_validation(
                    1,
                    i,
                    LAST_ROW,
                    i,
                    {
                        "validate": "date",
                        "criteria": "between",
                        "minimum": EARLIEST_DATE,
                        "maximum": date(2100, 12, 31),
                        "input_title": column.title,
                        "input_message": "日期，格式 yyyy-mm-dd",
                        "error_message": f"{column.title}须为 1900-01-01 以后的日期",
                    },
                )
            elif column.name in built.choices:
                sheet.data_validation(
                    1,
                    i,
                    LAST_ROW,
                    i,
                    {
                        "validate": "list",
                        "source": built.choices[column.name],
                        "error_message": f"{column.title}须从列表中选择",
                    },
                )
            elif column.correctable:
                sheet.data_validation(
                    1,
                    i,
                    LAST_ROW,
                    i,
                    {
                        "validate": "length",
                        "criteria": "between",
                        "minimum": 1,
                        "maximum": 200,
                        "error_message": f"{column.title}须为 1 至 200 个字",
                    },
                )

    def add_changes(self, changes: list[Change], previous_version: str | None) -> None:
        sheet = self._start(CHANGES_SHEET, CHANGE_HEADERS, [8, 8, 24, 20, 16, 36, 36], [self.header] * 7)
        sheet.autofilter(0, 0, max(len(changes), 1), len(CHANGE_HEADERS) - 1)
        if previous_version is None:
            sheet.write_string(1, 0, "首次发布，无可比较的上一版本")
        for r, c in enumerate(changes, start=1):
            sheet.write_row(r, 0, [c.sheet, KIND_TITLES[c.kind], c.key, c.label, c.column, c.old, c.new])

    def close(self) -> None:
        self.book.close()


def write_csv(path: Path, built: BuiltSheet, rows: list[tuple[Any, ...]]) -> None:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without garbling."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow([c.title for c in built.columns])
        for row in rows:
            out.writerow([cell_text(c, v) for c, v in zip(built.columns, row, strict=True)])

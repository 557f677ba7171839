"""Writers of the upstream systems' deliveries: atomic files, SQLite databases, CSV in any encoding, JSON, Excel."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import polars as pl
import xlsxwriter

from zhongtai.files import atomic_path


def workbook(path: Path, day: dt.date, *, constant_memory: bool = True) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook stamped with the delivery's day, not the wall clock, so the same delivery is the
    same bytes whenever it is written (a re-sent file must hash the same)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    book.set_properties({"created": dt.datetime.combine(day, dt.time(18))})
    return book


def write_sqlite(path: Path, tables: dict[str, tuple[pl.DataFrame, str, list[str]]]) -> None:
    """tables: name -> (frame, primary-key DDL fragment, index columns)."""
    with atomic_path(path) as tmp:
        con = sqlite3.connect(tmp)  # sqlite takes an empty file as an empty database
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            for name, (frame, pk, index) in tables.items():
                cols = ", ".join(
                    f'"{c}" {"INTEGER" if frame.schema[c].is_integer() else "TEXT"}{" PRIMARY KEY" if c == pk else ""}'
                    for c in frame.columns
                )
                con.execute(f'CREATE TABLE "{name}" ({cols})')
                placeholders = ", ".join("?" for _ in frame.columns)
                con.executemany(f'INSERT INTO "{name}" VALUES ({placeholders})', frame.iter_rows())
                if index:
                    con.execute(f'CREATE INDEX "{name}_cursor" ON "{name}" ({", ".join(repr(c) for c in index)})')
            con.commit()
        finally:
            con.close()


def write_csv(path: Path, frame: pl.DataFrame, encoding: str) -> None:
    text = frame.write_csv(null_value="")
    with atomic_path(path) as tmp:
        tmp.write_bytes(text.encode(encoding))


def write_titled_xlsx(path: Path, frame: pl.DataFrame, title: str, sheet_name: str, day: dt.date) -> None:
    with atomic_path(path) as tmp:
        book = workbook(tmp, day)
        sheet = book.add_worksheet(sheet_name)
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, title, bold)
        sheet.write_row(1, 0, frame.columns, bold)
        for r, row in enumerate(frame.iter_rows(), start=2):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
        book.close()


def write_delimited(
    path: Path,
    text: pl.DataFrame,
    *,
    delimiter: str = ",",
    quote_all: bool = False,
    crlf: bool = False,
    title: str | None = None,
    encoding: str = "utf-8",
    bom: bool = False,
) -> None:
    """A delimited text file as department systems export it: optional title line, BOM, CRLF, GBK-family bytes."""
    newline = "\r\n" if crlf else "\n"
    body = text.write_csv(
        separator=delimiter,
        quote_style="always" if quote_all else "necessary",
        null_value="",
        line_terminator=newline,
    )
    if title is not None:
        body = title + newline + body
    data = body.encode("gb18030" if encoding in ("gbk", "gb18030") else "utf-8")
    with atomic_path(path) as tmp:
        tmp.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def write_json(path: Path, text: pl.DataFrame) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(text.to_dicts(), ensure_ascii=False, indent=1), encoding="utf-8")


def write_jsonl(path: Path, text: pl.DataFrame) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in text.iter_rows(named=True)), encoding="utf-8"
        )


def write_text_table(path: Path, text: pl.DataFrame, table: str = "records") -> None:
    """A database holding one table of text columns, as a department's own database would expose it."""
    with atomic_path(path) as tmp:
        con = sqlite3.connect(tmp)
        cols = ", ".join(f'"{c}" TEXT' for c in text.columns)
        con.execute(f'CREATE TABLE "{table}" ({cols})')
        con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in text.columns)})', text.iter_rows())
        con.commit()
        con.close()


def write_grouped_xlsx(
    path: Path,
    text: pl.DataFrame,
    headers: list[str],
    groups: list[str | None],
    *,
    title: str | None,
    day: dt.date,
    two_row_header: bool,
    numeric: set[int],
) -> None:
    """An Excel sheet "数据": optional title row, a one- or two-row header (groups merged above their sub-headers).

    `headers` are "group/sub" for grouped columns in a two-row header; `numeric` the column indexes written as numbers.
    """
    with atomic_path(path) as tmp:
        # constant-memory mode writes rows strictly in order, which merged two-row headers cannot do
        book = workbook(tmp, day, constant_memory=not two_row_header)
        sheet = book.add_worksheet("数据")
        bold = book.add_format({"bold": True})
        row = 0
        if title is not None:
            sheet.write_string(0, 0, title, bold)
            row = 1
        if two_row_header:
            c = 0
            while c < len(headers):
                g = groups[c]
                if g is None:
                    sheet.merge_range(row, c, row + 1, c, headers[c], bold)
                    c += 1
                    continue
                end = c
                while end + 1 < len(headers) and groups[end + 1] == g:
                    end += 1
                if end > c:
                    sheet.merge_range(row, c, row, end, g, bold)
                else:
                    sheet.write_string(row, c, g, bold)
                for k in range(c, end + 1):
                    sheet.write_string(row + 1, k, headers[k].split("/", 1)[1], bold)
                c = end + 1
            row += 2
        else:
            sheet.write_row(row, 0, text.columns, bold)
            row += 1
        for values in text.iter_rows():
            for k, value in enumerate(values):
                if value is None:
                    continue
                if k in numeric:
                    sheet.write_number(row, k, float(value))
                else:
                    sheet.write_string(row, k, value)
            row += 1
        book.close()

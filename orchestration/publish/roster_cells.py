"""A roster cell as DuckDB computes it, for whole columns at once: the text a cadre reads (CSV, change sheet), the
spreadsheet cell (`<c>` of SpreadsheetML, inline strings) and the CSV field. No Python runs per cell.

Text is what the cadre reads: codes in Chinese (from the column's labels), dates as yyyy-mm-dd, timestamps as
yyyy-mm-dd hh:mm:ss, everything else as DuckDB casts it to text. In the workbook a date is a date serial (styled
yyyy-mm-dd), a number of an integer or floating column a number, and everything else an inline string — so "=1+1",
"007" and a 20-digit code stay the text they are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import duckdb
from openpyxl.utils import get_column_letter

from orchestration.publish.roster_sheets import BuiltSheet, SheetColumn
from zhongtai.sql import quote_identifier as q
from zhongtai.sql import quote_literal

DATE_STYLE = 3  # the cellXfs index of yyyy-mm-dd in roster_workbook.STYLES
MAX_TEXT = 32_767  # Excel's longest cell text; longer text is cut, as xlsxwriter cut it
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_FLOATING = ("FLOAT", "DOUBLE", "REAL")
# Characters XML 1.0 cannot carry at all (tab, line feed and carriage return it can): dropped from cell text.
_INVALID_XML = " || ".join(f"chr({i})" for i in (*range(0, 9), 11, 12, *range(14, 32)))


@dataclass(frozen=True)
class CellColumn:
    """A sheet column with the DuckDB type its temporary table gave it."""

    column: SheetColumn
    sql_type: str
    index: int  # 0-based position in the sheet

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)

    @property
    def is_date(self) -> bool:
        return self.column.is_date and self.sql_type == "DATE"

    @property
    def is_timestamp(self) -> bool:
        return self.column.is_date and self.sql_type.startswith("TIMESTAMP")

    @property
    def is_number(self) -> bool:
        return self.column.is_number and (self.sql_type in _NUMERIC or self.sql_type in _FLOATING)


def text_sql(value: str, sql_type: str, labels: dict[str, str]) -> str:
    """The cadre's text of `value` (an SQL expression of type `sql_type`); NULL stays NULL."""
    if sql_type == "DATE":
        text = f"strftime({value}, '%Y-%m-%d')"
    elif sql_type.startswith("TIMESTAMP"):
        text = f"strftime({value}, '%Y-%m-%d %H:%M:%S')"
    elif sql_type == "BOOLEAN":
        text = f"case when {value} then 'True' when not {value} then 'False' end"
    else:
        text = f"cast({value} as varchar)"
    if not labels:
        return text
    cases = " ".join(f"when {quote_literal(code)} then {quote_literal(label)}" for code, label in labels.items())
    return f"(case {text} {cases} else {text} end)"


def column_text(c: CellColumn) -> str:
    return text_sql(q(c.column.name), c.sql_type, c.column.labels)


def xml_text(text: str) -> str:
    """`text` escaped for an XML text node, without the characters XML cannot hold, at most MAX_TEXT long."""
    cut = f"left({text}, {MAX_TEXT})"
    clean = f"translate({cut}, {_INVALID_XML}, '')"
    return f"replace(replace(replace({clean}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def inline_string(ref: str, text: str, style: int | None = None) -> str:
    """An inline-string cell at `ref` (an SQL text expression: "B" || row) of `text`; '' for NULL or empty text
    (xlsxwriter wrote no cell for an empty string either). Leading or trailing white space is preserved."""
    s = f' s="{style}"' if style is not None else ""
    space = f"""case when regexp_matches({text}, '^\\s|\\s$') then ' xml:space="preserve"' else '' end"""
    opening = f"""'<c r="' || {ref} || '"{s} t="inlineStr"><is><t' || {space} || '>'"""
    cell = f"{opening} || {xml_text(text)} || '</t></is></c>'"
    return f"case when {text} is null or {text} = '' then '' else {cell} end"


def cell_sql(c: CellColumn, row: str) -> str:
    """The `<c>` element of column c in the row numbered by the SQL expression `row` ('' when the value is NULL)."""
    value = q(c.column.name)
    ref = f"'{c.letter}' || {row}"
    if c.is_date:
        # Excel's serial day; before 1900-03-01 Excel counts a 29 February 1900 that never was
        epoch = f"case when {value} < date '1900-03-01' then date '1899-12-31' else date '1899-12-30' end"
        serial = f"({value} - ({epoch}))"
        number = f"cast({serial} as varchar)"
        return f"""coalesce('<c r="' || {ref} || '" s="{DATE_STYLE}"><v>' || {number} || '</v></c>', '')"""
    if c.is_timestamp:
        number = f"cast(epoch(cast({value} as timestamp)) / 86400.0 + 25569 as varchar)"
        return f"""coalesce('<c r="' || {ref} || '" s="{DATE_STYLE}"><v>' || {number} || '</v></c>', '')"""
    if c.is_number:
        finite = f"isfinite(cast({value} as double))"
        number = f"cast({value} as varchar)"
        cell = f"""'<c r="' || {ref} || '"><v>' || {number} || '</v></c>'"""
        return f"case when {value} is not null and {finite} then {cell} else '' end"
    return inline_string(ref, column_text(c))


def csv_field(text: str) -> str:
    """A CSV field as Python's csv module writes it (minimal quoting): NULL is empty."""
    quoted = f"""'"' || replace({text}, '"', '""') || '"'"""
    special = f"""regexp_matches({text}, '[,"\\r\\n]')"""
    return f"case when {text} is null then '' when {special} then {quoted} else {text} end"


def row_sql(cells: list[str], row: str) -> str:
    return f"""'<row r="' || {row} || '">' || {" || ".join(cells)} || '</row>'"""


def csv_line(texts: list[str]) -> str:
    return " || ',' || ".join(csv_field(t) for t in texts) + " || chr(13) || chr(10)"


def cell_columns(con: duckdb.DuckDBPyConnection, built: BuiltSheet) -> list[CellColumn]:
    """The sheet's columns with the types its temporary table holds them in."""
    types = dict(con.execute(f"select column_name, column_type from (describe {built.table})").fetchall())
    return [CellColumn(c, str(types[c.name]).upper(), i) for i, c in enumerate(built.columns)]


def csv_header(cells: list[CellColumn]) -> str:
    """The CSV's header line, quoted as its fields are."""
    out = io.StringIO()
    csv.writer(out).writerow([c.column.title for c in cells])
    return out.getvalue()


def village_sql(built: BuiltSheet, cells: list[CellColumn]) -> str:
    """One village's sheet (parameter: its code) as (`<row>` elements, CSV lines, row count), rows in table order."""
    row = "_rn"
    texts = [column_text(c) for c in cells]
    return (
        f"select string_agg({row_sql([cell_sql(c, row) for c in cells], row)}, '' order by _n), "
        f"string_agg({csv_line(texts)}, '' order by _n), count(*) "
        f"from (select *, cast(_n as varchar) as _rn from "
        f"(select *, row_number() over (order by rowid) + 1 as _n from {built.table} where _village = ?))"
    )

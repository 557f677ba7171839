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
_SPACES = "' ', chr(9), chr(10), chr(13)"
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


def inline_string(letter: str, row: str, text: str, *, style: int | None = None, clean: bool = False) -> str:
    """An inline-string cell in column `letter` of the row numbered `row` (SQL) holding `text` (SQL); '' for NULL or
    empty text (xlsxwriter wrote no cell for an empty string either). Leading or trailing white space is preserved.
    `clean`: the text is known to need no escaping, no cut and no preserved space (the fast path of `rows_sql`)."""
    s = f' s="{style}"' if style is not None else ""
    if clean:
        cell = f"""concat('<c r="{letter}', {row}, '"{s} t="inlineStr"><is><t>', {text}, '</t></is></c>')"""
    else:
        edges = f"left({text}, 1) in ({_SPACES}) or right({text}, 1) in ({_SPACES})"
        space = f"""case when {edges} then ' xml:space="preserve"' else '' end"""
        opening = f"""concat('<c r="{letter}', {row}, '"{s} t="inlineStr"><is><t', {space}, '>')"""
        cell = f"concat({opening}, {xml_text(text)}, '</t></is></c>')"
    return f"case when {text} is null or {text} = '' then '' else {cell} end"


def cell_sql(c: CellColumn, row: str, text: str, *, clean: bool = False) -> str:
    """The `<c>` element of column c in the row numbered by the SQL expression `row` ('' when the value is NULL);
    `text` is the column's text (column_text), computed once per cell."""
    value = q(c.column.name)
    if c.is_date:
        # Excel's serial day; before 1900-03-01 Excel counts a 29 February 1900 that never was
        serial = (
            f"case when {value} < date '1900-03-01' then {value} - date '1899-12-31' "
            f"else {value} - date '1899-12-30' end"
        )
        cell = f"""concat('<c r="{c.letter}', {row}, '" s="{DATE_STYLE}"><v>', {serial}, '</v></c>')"""
        return f"case when {value} is null then '' else {cell} end"
    if c.is_timestamp:
        number = f"epoch(cast({value} as timestamp)) / 86400.0 + 25569"
        cell = f"""concat('<c r="{c.letter}', {row}, '" s="{DATE_STYLE}"><v>', {number}, '</v></c>')"""
        return f"case when {value} is null then '' else {cell} end"
    if c.is_number:
        finite = f"isfinite(cast({value} as double))"
        cell = f"""concat('<c r="{c.letter}', {row}, '"><v>', {value}, '</v></c>')"""
        return f"case when {value} is not null and {finite} then {cell} else '' end"
    return inline_string(c.letter, row, text, clean=clean)


def row_sql(cells: list[str], row: str) -> str:
    return f"""concat('<row r="', {row}, '">', {", ".join(cells)}, '</row>')"""


# Whether a row's texts, joined by "|", hold anything that needs escaping, dropping or a preserved space (or more
# text than a cell may hold): then each cell takes the slow path. A "|" inside a text may send a row there needlessly,
# never the other way.
_NEEDS_CARE = r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]|(^|\|)\s|\s(\||$)"
_NEEDS_QUOTES = r"[,\"\r\n]"


def joined(texts: list[str]) -> str:
    return f"concat_ws('|', {', '.join(texts)})" if texts else "''"


def rows_sql(cells: list[CellColumn], row: str, texts: list[str], joined_text: str) -> str:
    """The `<row>` of each table row: `texts` are its columns' texts (column_text), `joined_text` their `joined`."""
    slow = row_sql([cell_sql(c, row, t) for c, t in zip(cells, texts, strict=True)], row)
    fast = row_sql([cell_sql(c, row, t, clean=True) for c, t in zip(cells, texts, strict=True)], row)
    care = f"regexp_matches({joined_text}, '{_NEEDS_CARE}') or strlen({joined_text}) > {MAX_TEXT}"
    return f"case when {care} then {slow} else {fast} end"


def csv_field(text: str) -> str:
    """A CSV field as Python's csv module writes it (minimal quoting): NULL is empty."""
    quoted = f"""concat('"', replace({text}, '"', '""'), '"')"""
    special = f"regexp_matches({text}, '{_NEEDS_QUOTES}')"
    return f"case when {text} is null then '' when {special} then {quoted} else {text} end"


def csv_line(texts: list[str], joined_text: str) -> str:
    """A CSV line (with CR LF) of the texts; each is quoted only in rows where one may need it."""
    fast = f"concat({', '.join(f'{t}, {chr(39)},{chr(39)}' for t in texts[:-1])}, {texts[-1]}, chr(13), chr(10))"
    slow = f"concat({', '.join(f'{csv_field(t)}, {chr(39)},{chr(39)}' for t in texts[:-1])}, "
    slow += f"{csv_field(texts[-1])}, chr(13), chr(10))"
    return f"case when regexp_matches({joined_text}, '{_NEEDS_QUOTES}') then {slow} else {fast} end"


def cell_columns(con: duckdb.DuckDBPyConnection, built: BuiltSheet) -> list[CellColumn]:
    """The sheet's columns with the types its temporary table holds them in."""
    types = dict(con.execute(f"select column_name, column_type from (describe {built.table})").fetchall())
    return [CellColumn(c, str(types[c.name]).upper(), i) for i, c in enumerate(built.columns)]


def csv_header(cells: list[CellColumn]) -> str:
    """The CSV's header line, quoted as its fields are."""
    out = io.StringIO()
    csv.writer(out).writerow([c.column.title for c in cells])
    return out.getvalue()


def batch_sql(built: BuiltSheet, cells: list[CellColumn], villages: list[str]) -> str:
    """Some villages' sheets as rows of (village, `<row>` element, CSV line), in village and table order. One query
    for many villages: planning this expression costs more than running it on a village's rows."""
    texts = ", ".join(f"{column_text(c)} as _t{c.index}" for c in cells)
    names = [f"_t{c.index}" for c in cells]
    row = rows_sql(cells, "_rn", names, "_j")
    numbered = (
        f"select *, cast(row_number() over (partition by _village order by rowid) + 1 as varchar) as _rn, "
        f"rowid as _order from {built.table} where _village in ({', '.join(map(quote_literal, villages))})"
    )
    return (
        f"select _village, {row}, {csv_line(names, '_j')} "
        f"from (select *, {joined(names)} as _j from (select *, {texts} from ({numbered}))) order by _village, _order"
    )


def batch_rows(
    con: duckdb.DuckDBPyConnection, built: BuiltSheet, cells: list[CellColumn], villages: list[str]
) -> dict[str, tuple[str, str, int]]:
    """Each of these villages' sheet as (`<row>` elements, CSV lines, row count); villages without rows are absent.
    The rows' strings are joined per village in Python (one join per village, not per cell): cheaper than DuckDB's
    ordered string_agg."""
    table = con.execute(batch_sql(built, cells, villages)).to_arrow_table()
    codes, xml, lines = (table.column(i).to_pylist() for i in range(3))
    out: dict[str, tuple[str, str, int]] = {}
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            out[codes[start]] = ("".join(xml[start:i]), "".join(lines[start:i]), i - start)
            start = i
    return out

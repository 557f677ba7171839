"""The roster writer on small tables: the SpreadsheetML DuckDB builds for each cell, read back by openpyxl value for
value (CJK, empty cells, leading zeros, long text, formula-looking text, XML specials, dates, numbers, codes), the CSV
as Python's csv module reads and writes it, and the change sheet against a previous version's CSVs."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import openpyxl
import pytest

from orchestration.publish.roster_cells import MAX_TEXT, batch_rows, cell_columns, csv_header
from orchestration.publish.roster_changes import village_changes
from orchestration.publish.roster_sheets import SHEETS, BuiltSheet, SheetColumn
from orchestration.publish.roster_workbook import (
    CHANGE_HEADERS,
    FIRST_PUBLISH,
    changes_sheet,
    data_sheet,
    write_workbook,
)

COLUMNS = [
    SheetColumn("person_key", "自然人键", "varchar"),
    SheetColumn("name", "姓名", "varchar", correctable=True),
    SheetColumn("sex", "性别", "varchar", {"M": "男", "F": "女"}, correctable=True),
    SheetColumn("birth_date", "出生日期", "date", correctable=True),
    SheetColumn("note", "备注", "varchar"),
    SheetColumn("people", "人数", "bigint"),
]
LONG = "长" * 5000
ROWS = [
    ("p1", "张三", "M", date(1980, 1, 2), "007", 3),
    ("p2", "=1+1", "F", date(1900, 1, 1), LONG, 0),
    ("p3", None, None, None, None, None),
    ("p4", "", "X", date(1900, 3, 1), 'a, "b"\nc', -12),
    ("p5", " 前后空格 ", "M", date(2024, 2, 29), "<a & b>", 1234567890123),
    ("p6", "控\x01制", "F", date(1900, 2, 28), "x" * (MAX_TEXT + 10), None),
]
# what openpyxl reads back: NULL and '' are no cell; dates come back as datetimes (the cell has a date format)
EXPECTED = [
    ("p1", "张三", "男", datetime(1980, 1, 2), "007", 3),
    ("p2", "=1+1", "女", datetime(1900, 1, 1), LONG, 0),
    ("p3", None, None, None, None, None),
    ("p4", None, "X", datetime(1900, 3, 1), 'a, "b"\nc', -12),
    ("p5", " 前后空格 ", "男", datetime(2024, 2, 29), "<a & b>", 1234567890123),
    ("p6", "控制", "女", datetime(1900, 2, 28), "x" * MAX_TEXT, None),
]


def _sheet(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> BuiltSheet:
    con.execute(
        "create or replace temp table _roster_population (_village varchar, person_key varchar, name varchar, "
        "sex varchar, birth_date date, note varchar, people bigint)"
    )
    con.executemany("insert into _roster_population values ('v1', ?, ?, ?, ?, ?, ?)", rows)
    con.execute("insert into _roster_population values ('v2', 'q1', '李四', 'F', null, null, 1)")
    return BuiltSheet(SHEETS[0], "_roster_population", COLUMNS, {"sex": ["男", "女"]})


def _write(con: duckdb.DuckDBPyConnection, built: BuiltSheet, folder: Path, previous: Path | None) -> Path:
    """Each village's workbook and CSV, as rosters.write assembles them."""
    cells = cell_columns(con, built)
    changes = village_changes(con, [(built, cells)], previous)
    built_rows = batch_rows(con, built, cells, ["v1", "v2"])
    for village in ("v1", "v2"):
        rows, text, count = built_rows[village]
        (folder / f"{village}.csv").write_bytes((csv_header(cells) + (text or "")).encode("utf-8-sig"))
        found = changes.get(village)
        sheets = [
            data_sheet(built, rows or "", count),
            changes_sheet(found.rows if found else "", found.count if found else 0, previous and previous.name),
        ]
        write_workbook(folder / f"{village}.xlsx", sheets, "2026-12-01T03:00:00")
    return folder


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def test_openpyxl_reads_back_every_value_header_width_filter_and_validation(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = _write(con, _sheet(con, ROWS), tmp_path, None)
    book = openpyxl.load_workbook(folder / "v1.xlsx")
    assert book.sheetnames == ["人口", "本次变化"]
    people = book["人口"]
    values = list(people.iter_rows(values_only=True))
    assert values[0] == tuple(c.title for c in COLUMNS)
    assert values[1:] == EXPECTED
    assert people["B3"].data_type == "s" and people["E2"].data_type == "s"  # "=1+1" and "007" stay text
    assert people.freeze_panes == "A2" and people.auto_filter.ref == "A1:F7"
    assert people.column_dimensions["B"].width == pytest.approx(16.7109375)
    assert people.column_dimensions["D"].width == pytest.approx(12.7109375)
    assert people["A1"].font.b and people["A1"].fill.fgColor.rgb == "FFDDDDDD"
    assert people["B1"].fill.fgColor.rgb == "FFFFF2CC"  # correctable: a yellow header
    assert people["D2"].number_format == "yyyy-mm-dd"
    checks = {str(v.sqref): v for v in people.data_validations.dataValidation}
    assert {k: v.type for k, v in checks.items()} == {
        "B2:B1048576": "textLength",
        "C2:C1048576": "list",
        "D2:D1048576": "date",
    }
    assert checks["C2:C1048576"].formula1 == '"男,女"'
    assert (checks["D2:D1048576"].formula1, checks["D2:D1048576"].formula2) == ("1", "73415")
    assert list(book["本次变化"].iter_rows(values_only=True)) == [tuple(CHANGE_HEADERS), (FIRST_PUBLISH,) + (None,) * 6]
    # a village of one row, and the same package read by openpyxl's streaming reader too
    streamed = openpyxl.load_workbook(folder / "v2.xlsx", read_only=True)
    assert list(streamed["人口"].iter_rows(values_only=True))[1:] == [("q1", "李四", "女", None, None, 1)]


def test_the_package_is_well_formed_with_content_types_for_every_part(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = _write(con, _sheet(con, ROWS), tmp_path, None)
    with zipfile.ZipFile(folder / "v1.xlsx") as z:
        names = set(z.namelist())
        for name in names:
            ElementTree.fromstring(z.read(name))  # every part parses as XML
        types = ElementTree.fromstring(z.read("[Content_Types].xml"))
        overrides = {e.get("PartName") for e in types if e.tag.endswith("Override")}
        assert overrides == {"/" + n for n in names if not n.endswith(".rels") and n != "[Content_Types].xml"}
        assert "_rels/.rels" in names and "xl/_rels/workbook.xml.rels" in names


def test_the_csv_is_what_pythons_csv_module_writes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _write(con, _sheet(con, ROWS), tmp_path, None)
    raw = (folder / "v1.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    expected = io.StringIO(newline="")
    out = csv.writer(expected)
    out.writerow([c.title for c in COLUMNS])
    for row in EXPECTED:
        text = ["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in row]
        text[1] = {"p4": "", "p6": "控\x01制"}.get(row[0], text[1])  # the CSV keeps what XML cannot hold
        text[4] = "x" * (MAX_TEXT + 10) if row[0] == "p6" else text[4]  # and is not cut at Excel's limit
        out.writerow(text)
    assert raw.decode("utf-8-sig") == expected.getvalue()


def test_the_change_sheet_lists_added_removed_and_changed_rows_against_the_previous_csvs(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "v1").mkdir()
    first = _write(con, _sheet(con, ROWS), tmp_path / "v1", None)
    later = [r for r in ROWS if r[0] != "p3"]  # p3 moved away
    later[0] = ("p1", "张三丰", "M", date(1980, 1, 2), "007", 4)  # renamed, and a count changed
    later.append(("p9", "新人", "F", None, None, None))
    (tmp_path / "v2").mkdir()
    second = _write(con, _sheet(con, later), tmp_path / "v2", first)
    changes = list(openpyxl.load_workbook(second / "v1.xlsx")["本次变化"].iter_rows(values_only=True))
    assert changes == [
        tuple(CHANGE_HEADERS),
        ("人口", "变更", "p1", "张三丰", "姓名", "张三", "张三丰"),
        ("人口", "变更", "p1", "张三丰", "人数", "3", "4"),
        ("人口", "新增", "p9", "新人", None, None, None),
        ("人口", "移出", "p3", None, None, None, None),
    ]
    # the other village did not change
    assert list(openpyxl.load_workbook(second / "v2.xlsx")["本次变化"].iter_rows(values_only=True)) == [
        tuple(CHANGE_HEADERS)
    ]

"""Landing and loading on a real DuckDB file: exactly once, and every bad input quarantined with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from catalog.registry import SourceSystem
from orchestration.ingestion import ingest_source
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

FIELDS = [
    {"name": "record_no", "header": "编号", "type": "varchar", "required": True, "title": "编号"},
    {"name": "name", "header": "姓名", "type": "varchar", "title": "姓名"},
    {"name": "born_on", "header": "出生日期", "type": "date", "title": "出生日期"},
    {"name": "amount", "header": "金额", "type": "decimal", "title": "金额"},
]
HEADER = "编号,姓名,出生日期,金额\n"


def make_source(
    kind: str = "csv", encoding: str = "utf-8", header_row: int = 1, locator: str = "*.csv"
) -> SourceSystem:
    return SourceSystem.model_validate(
        {
            "id": "testsys",
            "title": "测试系统",
            "description": "测试",
            "owner_department": "测试局",
            "connector": {"kind": "file_drop", "location": "{upstream}/drops/testsys"},
            "format": {"kind": kind, "encoding": encoding, "header_row": header_row},
            "schedule": "daily",
            "freshness_hours": 24,
            "delivery_mode": "incremental",
            "entities": [
                {"name": "things", "title": "事项", "locator": locator, "primary_key": ["record_no"], "fields": FIELDS}
            ],
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path / "data")
    (s.upstream / "drops" / "testsys").mkdir(parents=True)
    return s


def drop(settings: Settings, name: str, data: bytes) -> Path:
    path = settings.upstream / "drops" / "testsys" / name
    path.write_bytes(data)
    return path


def query(settings: Settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_good_rows_load_bad_rows_are_quarantined_with_line_column_and_reason(settings: Settings) -> None:
    body = (
        HEADER
        + "A1,张三,1980-01-02,12.5\nA2,李四,1980-13-45,1\n,王五,1990-01-01,2\n"
        + "A4,赵六,未知,x\nA5,钱七,1,2,3\nA6,孙八,2001-02-03,\n"
    )
    drop(settings, "d1.csv", body.encode())
    [summary] = ingest_source(settings, make_source())
    assert summary.rows_loaded == 2
    assert summary.rows_quarantined == 4
    rows = query(settings, "select record_no, _line from raw.testsys__things order by _line")
    assert rows == [("A1", 2), ("A6", 7)]
    quarantined = query(settings, "select line, column_name, reason_code from raw._quarantine order by line")
    assert quarantined == [
        (3, "born_on", "bad_date"),
        (4, "record_no", "missing_required"),
        (5, "born_on", "bad_date"),
        (6, None, "malformed_row:too_many_columns"),
    ]
    reason = query(settings, "select reason, record from raw._quarantine where line = 3")[0]
    assert "1980-13-45" in reason[0]
    assert json.loads(reason[1])["姓名"] == "李四"  # the row as delivered, for replay


def test_same_delivery_twice_loads_once_and_a_rerun_loads_nothing(settings: Settings) -> None:
    drop(settings, "d1.csv", (HEADER + "A1,张三,1980-01-02,1\n").encode())
    ingest_source(settings, make_source())
    drop(settings, "d1-resent.csv", (HEADER + "A1,张三,1980-01-02,1\n").encode())
    [again] = ingest_source(settings, make_source())
    assert again.landed == 0 and again.already_seen == 2 and again.loads == []
    assert query(settings, "select count(*) from raw.testsys__things") == [(1,)]
    assert query(settings, "select count(*) from raw._deliveries") == [(1,)]


@pytest.mark.parametrize(
    ("name", "data", "source_kwargs", "code"),
    [
        ("empty.csv", b"", {}, "empty_file"),
        ("gbk-said-utf8.csv", (HEADER + "A1,张三,1980-01-02,1\n").encode("gbk"), {}, "bad_encoding"),
        ("no-id-column.csv", "姓名,出生日期\n张三,1980-01-02\n".encode(), {}, "missing_required_column"),
        ("twice.csv", "编号,编号,姓名\n1,2,3\n".encode(), {}, "duplicate_column"),
        (
            "truncated.xlsx",
            b"PK\x03\x04 not really a workbook",
            {"kind": "xlsx", "locator": "*.xlsx"},
            "unreadable_file",
        ),
    ],
)
def test_a_bad_file_is_quarantined_whole_with_its_reason(
    settings: Settings, name: str, data: bytes, source_kwargs: dict, code: str
) -> None:
    drop(settings, name, data)
    drop(settings, "good.csv" if "locator" not in source_kwargs else "good.xlsx", b"")  # replaced below
    (settings.upstream / "drops" / "testsys" / ("good.csv" if "locator" not in source_kwargs else "good.xlsx")).unlink()
    [summary] = ingest_source(settings, make_source(**source_kwargs))
    assert summary.files_quarantined == 1
    status, error_code, error = query(settings, "select status, error_code, error from raw._deliveries")[0]
    assert (status, error_code) == ("quarantined", code)
    assert name in error  # a sentence a steward can act on, naming the file as it was delivered


def test_a_bad_file_does_not_stop_the_good_one_beside_it(settings: Settings) -> None:
    drop(settings, "a-bad.csv", (HEADER + "A1,张三,1980-01-02,1\n").encode("gbk"))
    drop(settings, "b-good.csv", (HEADER + "B1,李四,1980-01-02,1\n").encode())
    [summary] = ingest_source(settings, make_source())
    assert summary.files_quarantined == 1
    assert query(settings, "select record_no from raw.testsys__things") == [("B1",)]


def test_xlsx_with_a_title_row_and_extra_column_loads_and_reports_drift(settings: Settings, tmp_path: Path) -> None:
    path = settings.upstream / "drops" / "testsys" / "m.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["测试系统导出（2026年11月）"])
    sheet.write_row(1, 0, ["编号", "姓名", "出生日期", "金额", "备注"])
    sheet.write_row(2, 0, ["X1", "张三", "1980-01-02", 3, "新列"])
    sheet.write_row(3, 0, ["X2", "李四", "45000", 4, ""])  # an Excel serial date
    book.close()
    [summary] = ingest_source(settings, make_source(kind="xlsx", header_row=2, locator="*.xlsx"))
    assert summary.rows_loaded == 2
    rows = query(settings, "select record_no, born_on::varchar, _line, _extra from raw.testsys__things order by _line")
    assert rows[0][:3] == ("X1", "1980-01-02", 3)
    assert json.loads(rows[0][3]) == {"备注": "新列"}
    assert rows[1][:3] == ("X2", "2023-03-15", 4)
    drift = json.loads(query(settings, "select schema_drift from raw._deliveries")[0][0])
    assert drift["extra_columns"] == ["备注"]


def test_gb18030_semicolon_file_loads(settings: Settings) -> None:
    source = make_source(encoding="gb18030")
    source = source.model_copy(update={"format": source.format.model_copy(update={"delimiter": ";"})})
    drop(settings, "g.csv", "编号;姓名;出生日期;金额\nG1;𠀀张;1980-01-02;1\n".encode("gb18030"))
    [summary] = ingest_source(settings, source)
    assert summary.rows_loaded == 1
    assert query(settings, "select name from raw.testsys__things") == [("𠀀张",)]


def test_gbk_line_with_bytes_not_in_the_encoding_is_quarantined_and_the_others_load(settings: Settings) -> None:
    # a GBK export with one damaged line (a lone 0xFF, never a byte of GBK) among lines of rare characters
    lines = [HEADER.encode("gbk"), "G1,王𠮷,1980-01-02,1\n".encode("gb18030"), b"G2,\xff\xd5\xc5,1980-01-03,2\n"]
    lines.append("G3,钱七,1980-01-04,3\n".encode("gbk"))
    drop(settings, "g.csv", b"".join(lines))
    [summary] = ingest_source(settings, make_source(encoding="gbk"))
    assert [load.error for load in summary.loads] == [None]
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 1)
    assert query(settings, "select record_no, name, _line from raw.testsys__things order by _line") == [
        ("G1", "王𠮷", 2),
        ("G3", "钱七", 4),
    ]
    [(line, reason)] = query(settings, "select line, reason_code from raw._quarantine")
    assert (line, reason) == (3, "malformed_row:invalid_encoding")


def test_json_lines_are_split_at_line_feeds_only(settings: Settings) -> None:
    # JSON allows U+2028, U+2029 and U+0085 unescaped inside a string; only a line feed ends a JSON Lines record
    lines = [
        {"编号": "J1", "姓名": "张三\u2028李四", "出生日期": "1980-01-02", "金额": "1"},
        {"编号": "J2", "姓名": "王五\u0085赵六\u2029", "出生日期": "1980-01-03", "金额": "2"},
    ]
    text = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\r\n\n"
    drop(settings, "j.jsonl", text.encode("utf-8"))
    [summary] = ingest_source(settings, make_source(kind="jsonl", locator="*.jsonl"))
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 0)
    assert query(settings, "select record_no, name, _line from raw.testsys__things order by _line") == [
        ("J1", "张三\u2028李四", 1),
        ("J2", "王五\u0085赵六\u2029", 2),
    ]

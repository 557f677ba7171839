"""`sources infer`'s guesses: pinyin synonyms, prefixed labels, value detection, date formats; the header rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from stdnum.cn import ric

from catalog.headers import HeaderError, join_header, locate_header, trailing_rows
from catalog.infer import detect_values, infer_entry, infer_type, match_canonical
from catalog.registry import Format
from catalog.synonyms import SYNONYMS_FILE, load_synonyms, pinyin_spellings
from orchestration.ingestion.connectors import paged_deliveries

SPEC = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))
WRITTEN = [(label, attr) for attr, labels in SPEC["attributes"].items() for label in labels]
CON = duckdb.connect()  # the loader's date parser, to read back what infer proposes


def test_pinyin_spellings_of_known_labels() -> None:
    assert pinyin_spellings("姓名") == ("xm", "xingming")
    assert pinyin_spellings("身份证号码") == ("sfzhm", "shenfenzhenghaoma")
    assert pinyin_spellings("联系电话") == ("lxdh", "lianxidianhua")
    assert pinyin_spellings("出生日期") == ("csrq", "chushengriqi")


@given(st.sampled_from(WRITTEN))
def test_every_written_label_and_its_unambiguous_pinyin_name_its_attribute(written: tuple[str, str]) -> None:
    label, attr = written
    labels = load_synonyms().labels
    assert labels[label] == attr
    for spelling in pinyin_spellings(label):
        owners = {a for lab, a in WRITTEN if spelling in pinyin_spellings(lab)}
        if len(spelling) < 2 or len(owners) > 1 or spelling in SPEC["not_spellings"]:
            assert spelling not in labels, spelling
        else:
            assert labels[spelling] == attr, spelling
            assert match_canonical(spelling.upper())[0] == attr  # column names arrive in either case


def test_ambiguous_or_excluded_spellings_name_nothing() -> None:
    labels = load_synonyms().labels
    assert "mz" not in labels  # 名字 (a name) spells like 民族 (ethnicity)
    assert "sj" not in labels  # 手机 spells like 时间


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("参保人姓名", ("person_name", None)),
        ("姓名（户主）", ("person_name", "head")),
        ("母亲身份证号", ("citizen_id", "mother")),
        ("新生儿信息/姓名", ("person_name", "newborn")),
        ("xm", ("person_name", None)),
        ("SFZHM", ("citizen_id", None)),
        ("xingming", ("person_name", None)),
        ("csrq", ("birth_date", None)),
        ("金额（元）", (None, None)),
    ],
)
def test_headers_name_attributes_and_roles(header: str, expected: tuple[str | None, str | None]) -> None:
    assert match_canonical(header)[:2] == expected


def _citizen_id(area: str, born: dt.date, seq: int) -> str:
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # python-stdnum: an implementation independent of ours


ids = st.builds(
    _citizen_id,
    st.sampled_from(["440604", "110105", "350102", "440106"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)),
    st.integers(0, 999),
)


@given(st.lists(ids, min_size=1, max_size=20))
def test_a_column_of_valid_ids_is_a_citizen_id_column(values: list[str]) -> None:
    assert detect_values(values) == "citizen_id"


@given(st.lists(ids, min_size=1, max_size=20), st.data())
def test_one_wrong_check_character_is_not_an_id_column(values: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(values) - 1))
    wrong = next(c for c in "0123456789X" if c != values[i][-1])
    values[i] = values[i][:-1] + wrong
    assert detect_values(values) != "citizen_id"


def test_credit_codes_phones_and_empty_values() -> None:
    assert detect_values(["91350100M000100Y43", "91440604MA4UAB129R", ""]) == "uscc"
    assert detect_values(["91350100M000100Y44"]) is None  # wrong check character
    assert detect_values(["13800138000", "+86 13912345678", None]) == "phone"  # type: ignore[list-item]
    assert detect_values(["12800138000"]) is None
    assert detect_values(["", None]) is None  # type: ignore[list-item]


def test_value_detection_outranks_the_header_guess(tmp_path: Path) -> None:
    sample = tmp_path / "roster.csv"
    # the header 单位名称 says org_name; every value is an ID number
    sample.write_text("编号,单位名称\n1,11010519491231002X\n2,440604198512310026\n", encoding="utf-8")
    fields = {f["header"]: f for f in infer_entry(sample)["entities"][0]["fields"]}
    assert fields["单位名称"]["canonical"] == "citizen_id"


dates = st.dates(dt.date(1901, 1, 1), dt.date(2099, 12, 31))
RENDERINGS = {
    "%Y%m%d": lambda d: f"{d:%Y%m%d}",
    "%Y/%m/%d": lambda d: f"{d.year}/{d.month}/{d.day}",
    "%Y年%m月%d日": lambda d: f"{d.year}年{d.month}月{d.day}日",
}


@given(st.lists(dates, min_size=1, max_size=10), st.sampled_from(sorted(RENDERINGS)))
def test_dates_get_the_format_duckdb_reads_them_back_with(days: list[dt.date], fmt: str) -> None:
    values = [RENDERINGS[fmt](d) for d in days]
    assert infer_type("csrq", values) == ("date", fmt)
    got = [CON.execute("select cast(strptime(?, ?) as date)", [v, fmt]).fetchone()[0] for v in values]  # type: ignore[index]
    assert got == days


@given(st.lists(st.dates(dt.date(1955, 1, 1), dt.date(2099, 12, 31)), min_size=1, max_size=10))
def test_excel_serial_days_are_dates_without_a_format(days: list[dt.date]) -> None:
    serials = [str((d - dt.date(1899, 12, 30)).days) for d in days]
    assert infer_type("登记日期", serials, excel=True) == ("date", None)
    assert infer_type("登记日期", serials, excel=False)[0] == "integer"  # outside a workbook, numbers


def test_eight_digits_are_a_date_only_under_a_date_header() -> None:
    assert infer_type("csrq", ["19900101", "20000229"]) == ("date", "%Y%m%d")
    assert infer_type("批次", ["19900101", "20000229"])[0] == "integer"


def test_header_rows_titles_and_trailers() -> None:
    rows: list[list[str | None]] = [
        ["2026年参保名单", None, None, None],
        ["序号", "人员信息", None, "金额"],
        [None, "姓名", "身份证号", None],
        ["1", "陈小明", "44060419900101123X", "10"],
        ["2", "黄丽华", "440604198512310026", "20"],
        ["合 计", None, None, "30"],
        [None, None, None, None],
        ["制表人：张三", None, "审核人：李四", None],
    ]
    assert locate_header(rows) == (1, 2)
    assert join_header(rows[1:3], "t", 2) == ["序号", "人员信息/姓名", "人员信息/身份证号", "金额"]
    assert trailing_rows(rows) == 3
    assert trailing_rows(rows[:5]) == 0
    assert trailing_rows([*rows[:5], [None, None]]) == 0  # blank lines alone are not trailers
    with pytest.raises(HeaderError) as err:
        join_header([["a", "b", "a"]], "t", 1)
    assert err.value.code == "duplicate_column"


def test_the_registry_says_where_json_records_and_pages_are() -> None:
    fmt = Format(kind="json", record_path="data.list", pages=r"_p(\d+)", page_total="data.total")
    assert fmt.record_path == "data.list"
    with pytest.raises(ValidationError, match="record_path applies to json"):
        Format(kind="csv", record_path="data.list")
    with pytest.raises(ValidationError, match="exactly one group"):
        Format(kind="json", pages=r"_p\d+")
    with pytest.raises(ValidationError, match="pages applies to json"):
        Format(kind="xlsx", pages=r"_p(\d+)")


def _page(folder: Path, name: str, records: int, total: int) -> Path:
    path = folder / name
    doc = {"code": 0, "data": {"list": [{"n": i} for i in range(records)], "total": total}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_pages_group_into_one_delivery_only_when_complete(tmp_path: Path) -> None:
    fmt = Format(kind="json", record_path="data.list", pages=r"_p(\d+)", page_total="data.total")
    p1 = _page(tmp_path, "export_20261130_p1.json", 3, 5)
    assert paged_deliveries([p1], fmt) == []  # 3 of 5 records: the delivery is still arriving
    p3 = _page(tmp_path, "export_20261130_p3.json", 1, 5)
    assert paged_deliveries([p1, p3], fmt) == []  # page 2 missing
    p2 = _page(tmp_path, "export_20261130_p2.json", 1, 5)
    other = _page(tmp_path, "export_20261201_p1.json", 2, 2)
    found = paged_deliveries(sorted([p1, p2, p3, other]), fmt)
    assert [name for name, _ in found] == ["export_20261130_p1-3.json.zip", "export_20261201_p1-1.json.zip"]
    assert paged_deliveries(sorted([p3, p2, p1, other]), fmt) == found  # same pages, same bytes: landed once

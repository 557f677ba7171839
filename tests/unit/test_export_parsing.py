"""The loader's parsing of real export shapes, as properties: nested JSON records under a record path, pages
numbered on, trailing total and signature rows recognised whatever the records hold."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from catalog.headers import trailing_rows
from catalog.registry import SourceSystem
from orchestration.ingestion.loader import read_into_staging

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12)
records = st.lists(
    st.fixed_dictionaries({"no": texts, "person": st.fixed_dictionaries({"xm": texts, "ids": st.just({"sfz": "x"})})}),
    min_size=1,
    max_size=8,
)
SOURCE = SourceSystem.model_validate(
    {
        "id": "prop",
        "title": "prop",
        "description": "property test",
        "owner_department": "测试局",
        "connector": {"kind": "file_drop", "location": "/nowhere"},
        "format": {"kind": "json", "record_path": "data.list", "pages": r"_p(\d+)"},
        "schedule": "daily",
        "freshness_hours": 24,
        "delivery_mode": "snapshot",
        "entities": [
            {
                "name": "records",
                "title": "records",
                "locator": "*.json",
                "primary_key": ["no"],
                "fields": [
                    {"name": "no", "header": "no", "title": "编号"},
                    {"name": "name", "header": "xm", "path": "person.xm", "title": "姓名"},
                    {"name": "id_number", "header": "sfz", "path": "person.ids.sfz", "title": "身份证号"},
                ],
            }
        ],
    }
)


def _doc(recs: list[dict]) -> bytes:
    return json.dumps({"code": 0, "data": {"list": recs, "total": 0}}, ensure_ascii=False).encode()


@given(st.lists(records, min_size=1, max_size=3))
def test_nested_values_of_every_page_land_in_their_path_columns_in_order(pages: list[list[dict]]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for number, recs in enumerate(pages, start=1):
            bundle.writestr(f"export_p{number}.json", _doc(recs))
    with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as fh:
        fh.write(buffer.getvalue())
    path = Path(fh.name)
    con = duckdb.connect()
    try:
        headers, rejects = read_into_staging(con, SOURCE, path, "export.zip", SOURCE.entities[0])
        got = con.execute('select "no", "person.xm", "person.ids.sfz", _line from _in order by _line').fetchall()
    finally:
        con.close()
        path.unlink()
    flat = [r for recs in pages for r in recs]
    assert rejects == []
    assert {"no", "person", "person.xm", "person.ids.sfz"} <= set(headers)
    assert got == [(r["no"], r["person"]["xm"], "x", n) for n, r in enumerate(flat, start=1)]


cells = st.one_of(st.none(), st.text("0123456789abcXYZ张王李 ", min_size=1, max_size=6))
trailers = st.sampled_from(
    [
        ["合计", None, "30"],
        ["总 计：", "5"],
        [None, "小计", "2"],
        ["制表人：张三", None, "审核人：李四"],
        ["日期：2026年11月30日"],
    ]
)


@given(
    # a record has a cell that is not blank: a row of spaces is a blank line to the readers
    st.lists(
        st.lists(cells, min_size=3, max_size=3).filter(lambda r: any(c and c.strip() for c in r)),
        min_size=1,
        max_size=10,
    ),
    st.lists(st.one_of(trailers, st.just([None, None, None])), max_size=4),
)
def test_trailing_rows_are_the_totals_and_signatures_under_the_records(body: list, tail: list) -> None:
    expected = len(tail) if any(any(c for c in r) for r in tail) else 0
    # blank rows below the last trailer are counted with it; blank rows alone are not trailers
    assert trailing_rows(body + tail) == expected

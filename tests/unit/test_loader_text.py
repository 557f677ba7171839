"""The loader's trimmed text (issue 14, item 5): trim() runs only where there is something to trim, and the result
is the same as trimming every value, for the separators Chinese exports carry."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.ingestion.loader import trimmed_text

CASES = [
    ("张三", "张三"),
    ("  张三 ", "张三"),
    ("\u3000张三\u3000", "张三"),  # ideographic space, both ends
    ("\u00a0440604198112220050\u00a0", "440604198112220050"),  # no-break space
    ("\u2009张三", "张三"),  # a thin space at the start
    (" ", None),
    ("\u3000\u3000", None),
    ("", None),
    ("19811222", "19811222"),
    ("!x ", "!x"),  # '!' is the first character the start test lets through untrimmed
    ("佛山市 禅城区", "佛山市 禅城区"),  # a space inside stays
    ("\t张三", "\t张三"),  # DuckDB's trim() keeps tabs: so does this
    ("—破折号 ", "—破折号"),  # U+2014 starts inside the tested range: trimmed, and nothing lost
]


@pytest.mark.parametrize(("value", "expected"), CASES)
def test_trimmed_text_matches_trim(value: str, expected: str | None) -> None:
    con = duckdb.connect()
    con.execute("create table t (v varchar)")
    con.execute("insert into t values (?)", [value])
    got, trimmed = con.execute(f"select {trimmed_text('v')}, nullif(trim(v), '') from t").fetchone()  # type: ignore[misc]
    assert got == expected == trimmed


def test_null_stays_null() -> None:
    assert duckdb.connect().execute(f"select {trimmed_text('v')} from (select null::varchar as v)").fetchone() == (
        None,
    )

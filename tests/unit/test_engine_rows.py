"""The rows of a table compared across engines: one normalisation, a checksum of sorted rows, the differing rows."""

from __future__ import annotations

import datetime as dt
import decimal
from zoneinfo import ZoneInfo

import pyarrow as pa

from tests.support.engine_rows import NULL, checksum, normalise, normalised_rows, row_differences


def test_the_same_values_as_each_engine_hands_them_over_normalise_alike() -> None:
    instant = dt.datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert normalise(instant) == normalise(instant.astimezone(dt.UTC)) == "2026-12-01T00:00:00+00:00"
    assert normalise(decimal.Decimal("12.3400")) == normalise(12.34) == "12.340000"
    assert normalise(-0.0000001) == normalise(0.0) == "0.000000"
    assert normalise(None) == NULL != normalise("None") != normalise("")
    assert normalise(True) == "true"
    assert normalise([1, None]) == f"[1, {NULL}]"
    assert normalise(dt.date(2024, 2, 29)) == "2024-02-29"


def test_row_order_does_not_count_but_every_value_and_duplicate_does() -> None:
    left = pa.table({"k": [2, 1, 1], "v": ["b", "a", "a"]})
    assert checksum(normalised_rows(left)) == checksum(normalised_rows(left.take([2, 0, 1])))
    one_duplicate_less = pa.table({"k": [2, 1], "v": ["b", "a"]})
    assert checksum(normalised_rows(left)) != checksum(normalised_rows(one_duplicate_less))
    a_null = pa.table({"k": [2, 1, 1], "v": ["b", "a", None]})
    assert checksum(normalised_rows(left)) != checksum(normalised_rows(a_null))


def test_the_differences_show_rows_only_one_side_has() -> None:
    shown = row_differences(normalised_rows(pa.table({"k": [1, 2]})), normalised_rows(pa.table({"k": [1, 3]})))
    assert "only on the left (1):\n    ('2',)" in shown
    assert "only on the right (1):\n    ('3',)" in shown

"""Form labels normalised as the matcher compares them: width, traditional characters, units, remarks, fillers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.forms.normalise import normalise

UNITS = frozenset({"人", "户", "元", "万元", "平方米", "亩"})
PREFIXES = ("其中", "本村", "辖区")
SUFFIXES = ("情况",)


@pytest.mark.parametrize(
    ("raw", "text", "unit"),
    [
        ("公民身份号码", "公民身份号码", None),
        ("身份證號碼", "身份证号码", None),  # traditional → simplified
        ("６０岁以上老人数（人）", "60岁以上老人数", "人"),  # full width → half width, unit in brackets
        ("其中：户数【户】", "户数", "户"),
        ("注册资本（单位：万元）", "注册资本", "万元"),
        ("年龄（周岁）*", "年龄", None),  # a remark in brackets, then a star
        ("村（居）名称", "村居名称", None),  # a bracketed word inside the name is part of it
        ("姓  名", "姓名", None),
        ("本村家庭住址情况（必填）", "家庭住址", None),
        ("1.耕地面积（亩）", "耕地面积", "亩"),
    ],
)
def test_normalise(raw: str, text: str, unit: str | None) -> None:
    label = normalise(raw, UNITS, PREFIXES, SUFFIXES)
    assert (label.text, label.unit, label.raw) == (text, unit, raw)


def test_a_filler_alone_is_kept() -> None:
    assert normalise("情况", UNITS, PREFIXES, SUFFIXES).text == "情况"


@given(
    st.sampled_from(["公民身份号码", "60岁以上老人数", "户数", "注册资本", "村居名称", "姓名"]),
    st.sampled_from(sorted(UNITS)),
    st.sampled_from(["（{}）", "*【{}】", "（单位：{}）*", " [{}]"]),
    st.booleans(),
)
def test_width_brackets_and_stars_do_not_change_what_a_label_asks(core: str, unit: str, form: str, wide: bool) -> None:
    """However a clerk writes it — full width, another bracket, a star — the label normalises the same."""
    plain = normalise(f"{core}({unit})", UNITS, PREFIXES, SUFFIXES)
    variant = core + form.format(unit)
    if wide:
        variant = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in variant)
    label = normalise(variant, UNITS, PREFIXES, SUFFIXES)
    assert (label.text, label.unit) == (plain.text, unit) == (core, unit)

"""Normalise a form item's label: full/half width, traditional → simplified, brackets and units, filler words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from opencc_purepy import OpenCC
from pypinyin import lazy_pinyin

_BRACKETS = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")
_NOISE = re.compile(r"[\s*＊:：、，,.。;；\"'“”‘’]+")
_NUMBERING = re.compile(r"^(\d+[.、]|[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\))")
_UNIT_PREFIX = re.compile(r"^单位[:：]?")


@dataclass(frozen=True)
class Label:
    raw: str
    text: str  # the normalised label: what it asks for, without unit, filler or punctuation
    unit: str | None  # the unit written in brackets, if it is one the dictionary knows


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """NFKC (full width → half width) and traditional → simplified characters."""
    return _t2s().convert(unicodedata.normalize("NFKC", text))


def normalise(raw: str, units: frozenset[str], prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> Label:
    """`raw` as the matcher compares it; fillers are tried longest first and stripped repeatedly."""
    # numbering and noise first: a trailing * would hide that a bracket ends the label
    text = _NOISE.sub("", _NUMBERING.sub("", simplified(raw).strip()))
    unit = None
    for m in list(_BRACKETS.finditer(text)):
        inner = _UNIT_PREFIX.sub("", m.group(1).strip())
        if inner in units:
            unit = inner
            text = text.replace(m.group(0), "", 1)
        elif m.end() < len(text) and text[m.end()] not in "([【〔" and len(inner) <= 2:
            text = text.replace(m.group(0), inner, 1)  # 村（居）名称: a bracketed word inside the name is part of it
        else:
            text = text.replace(m.group(0), "", 1)  # （必填）, （周岁）: a remark, not the item
    changed = True
    while changed and text:
        changed = False
        for p in prefixes:
            if text.startswith(p) and len(text) > len(p):
                text, changed = text[len(p) :], True
        for s in suffixes:
            if text.endswith(s) and len(text) > len(s):
                text, changed = text[: -len(s)], True
    return Label(raw, text, unit)


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))

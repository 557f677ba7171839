"""Citizen ID and credit code validation against the standards' published examples and python-stdnum."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from zhongtai.identifiers import (
    ID_CHECK_CHARS,
    USCC_ALPHABET,
    IdReason,
    InvalidIdentifier,
    citizen_id_check_char,
    make_citizen_id,
    make_uscc,
    normalise_uscc,
    org_code_check_char,
    parse_citizen_id,
    uscc_check_char,
)

# codes stdnum knows as valid in every year (GB/T 2260 codes are only valid while they existed)
AREAS = ["110105", "440600", "430121", "510321", "350121", "522323"]


def test_published_citizen_id_example() -> None:
    cid = parse_citizen_id("11010519491231002X")
    assert cid.number == "11010519491231002X"
    assert cid.area_code == "110105"
    assert cid.birth_date == dt.date(1949, 12, 31)
    assert cid.sex == "F"
    assert not cid.converted_from_15


def test_published_uscc_example() -> None:
    assert normalise_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_fifteen_digit_numbers_convert() -> None:
    cid = parse_citizen_id("110105491231002")
    assert cid.number == "11010519491231002X"
    assert cid.converted_from_15


def test_full_width_lower_case_and_spaces_are_accepted() -> None:
    assert parse_citizen_id("１１０１０５１９４９１２３１００２ｘ").number == "11010519491231002X"
    assert parse_citizen_id("11010519491231002x").number == "11010519491231002X"
    assert parse_citizen_id(" 110105 19491231 002X ").number == "11010519491231002X"
    assert normalise_uscc("91350100m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, IdReason.missing),
        ("", IdReason.missing),
        ("   ", IdReason.missing),
        ("1101051949123100", IdReason.bad_length),
        ("11010519491231002A", IdReason.bad_character),
        ("1101051949123100XX", IdReason.bad_character),
        ("01010519491231002X", IdReason.bad_area),
        ("11000019491231002X", IdReason.bad_area),
        ("110105194913310021", IdReason.bad_birth_date),
        ("110105" + "21000101" + "0011", IdReason.bad_birth_date),
        ("110105194912310021", IdReason.bad_check),
    ],
)
def test_citizen_id_reasons(value: str | None, reason: IdReason) -> None:
    with pytest.raises(InvalidIdentifier) as err:
        parse_citizen_id(value, today=dt.date(2026, 11, 16))
    assert err.value.reason is reason


def _with_uscc_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, IdReason.missing),
        ("", IdReason.missing),
        ("91350100M000100Y4", IdReason.bad_length),
        ("91350100M000100Y4I", IdReason.bad_character),
        (_with_uscc_check("9135A100M000100Y4"), IdReason.bad_area),
        ("91350100M000100Y44", IdReason.bad_check),
        (_with_uscc_check("91350100M000100Y5"), IdReason.bad_org_code_check),
    ],
)
def test_uscc_reasons(value: str | None, reason: IdReason) -> None:
    with pytest.raises(InvalidIdentifier) as err:
        normalise_uscc(value)
    assert err.value.reason is reason


def test_make_uscc_embeds_a_valid_org_code() -> None:
    code = make_uscc("9", "1", "440604", "MA4W1234")
    assert uscc.is_valid(code)
    assert code[16] == org_code_check_char("MA4W1234")


birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))


@settings(max_examples=300)
@given(area=st.sampled_from(AREAS), birth=birth_dates, seq=st.integers(0, 999))
def test_made_ids_agree_with_stdnum(area: str, birth: dt.date, seq: int) -> None:
    number = make_citizen_id(area, birth, seq)
    assert ric.is_valid(number)
    parsed = parse_citizen_id(number)
    assert parsed.birth_date == ric.get_birth_date(number)
    assert parsed.sex == ("M" if seq % 2 else "F")


@settings(max_examples=300)
@given(area=st.sampled_from(AREAS), birth=birth_dates, seq=st.integers(0, 999), check=st.sampled_from(ID_CHECK_CHARS))
def test_any_check_character_accepted_exactly_when_stdnum_accepts(
    area: str, birth: dt.date, seq: int, check: str
) -> None:
    number = f"{area}{birth:%Y%m%d}{seq:03d}{check}"
    try:
        parse_citizen_id(number)
        ours = True
    except InvalidIdentifier as err:
        assert err.reason is IdReason.bad_check
        ours = False
    assert ours == ric.is_valid(number)
    assert citizen_id_check_char(number[:17]) == ric.calc_check_digit(number)


@settings(max_examples=300)
@given(
    area=st.sampled_from(AREAS),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
    seq=st.integers(0, 999),
)
def test_fifteen_digit_conversion_matches_stdnum(area: str, birth: dt.date, seq: int) -> None:
    eighteen = make_citizen_id(area, birth, seq)
    fifteen = eighteen[:6] + eighteen[8:17]
    assert parse_citizen_id(fifteen).number == eighteen
    assert ric.is_valid(eighteen)


uscc_body = st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9)


@settings(max_examples=300)
@given(dept=st.sampled_from("9516"), kind=st.sampled_from("123"), area=st.sampled_from(AREAS), body=uscc_body)
def test_uscc_check_agrees_with_stdnum(dept: str, kind: str, area: str, body: str) -> None:
    first17 = dept + kind + area + body
    assert uscc_check_char(first17) == uscc.calc_check_digit(first17)
    code = first17 + uscc_check_char(first17)
    assert uscc.is_valid(code)
    org_ok = org_code_check_char(body[:8]) == body[8]
    try:
        normalise_uscc(code)
        assert org_ok
    except InvalidIdentifier as err:
        assert err.reason is IdReason.bad_org_code_check and not org_ok

"""A failed check keeps the shapes of its unexpected values, never the values (they may be ID numbers or names)."""

from __future__ import annotations

import pandas as pd

from quality.runner import shape, validate
from quality.suites import CITIZEN_ID_PATTERN, Expectation, Suite


def test_a_failed_id_check_keeps_shapes_not_the_numbers() -> None:
    bad = ["44060419900101123", "4406041990O1011234", "王小明"]  # short by one, a letter O, a name in the ID column
    frame = pd.DataFrame({"id_number": ["440604199001011234", *bad]})
    suite = Suite(
        "ids",
        "raw.t",
        blocking=False,
        description="",
        expectations=[
            Expectation("ExpectColumnValuesToMatchRegex", {"column": "id_number", "regex": CITIZEN_ID_PATTERN})
        ],
    )
    (failure,) = validate(suite, frame).failures
    assert failure.unexpected_count == 3
    assert sorted(failure.sample) == sorted(["99999999999999999", "9999999999A9999999", "字字字"])
    assert not any(value in str(failure) for value in bad)


def test_shape_keeps_punctuation_and_one_character_codes() -> None:
    assert shape("2026/13/45") == "9999/99/99"
    assert shape("M") == "M"
    assert shape("Ab-3") == "Aa-9"
    assert shape("x" * 50) == "a" * 40 + "…"

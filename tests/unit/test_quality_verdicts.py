"""Validating in two passes (verdicts, then details of the failures) reports what one SUMMARY pass reports."""

from __future__ import annotations

import pandas as pd

from quality.runner import _run, gx, shape, validate
from quality.suites import CITIZEN_ID_PATTERN, Expectation, Suite


def _one_pass(suite: Suite, frame: pd.DataFrame) -> tuple[bool, int, list[tuple[str, str | None, int, list[str]]]]:
    gxe = gx().expectations
    result = _run(frame, suite.name, [getattr(gxe, e.kind)(**e.kwargs) for e in suite.expectations], "SUMMARY")
    failures = [
        (
            r.expectation_config.type,
            r.expectation_config.kwargs.get("column"),
            int((r.result or {}).get("unexpected_count") or 0),
            [shape(v) for v in ((r.result or {}).get("partial_unexpected_list") or [])][:5],
        )
        for r in result.results
        if not r.success
    ]
    return bool(result.success), len(result.results), failures


def test_two_passes_report_what_one_summary_pass_reports() -> None:
    frame = pd.DataFrame(
        {
            "key": ["1", "2", "2", "3", None, "5"],
            "id_number": ["440604199001011234", "4406041990O1011234", "王小明", None, "440604199001011234", "x"],
            "sex": ["M", "F", "F", "X", "M", "M"],
        }
    )
    e = Expectation
    suite = Suite(
        "mixed",
        "raw.t",
        blocking=True,
        description="",
        expectations=[
            e("ExpectColumnToExist", {"column": "key"}),
            e("ExpectColumnToExist", {"column": "missing"}),  # fails
            e("ExpectColumnValuesToNotBeNull", {"column": "sex"}),  # passes
            e("ExpectColumnValuesToNotBeNull", {"column": "key"}),  # fails
            e("ExpectColumnValuesToBeUnique", {"column": "key"}),  # fails
            e("ExpectColumnValuesToMatchRegex", {"column": "id_number", "regex": CITIZEN_ID_PATTERN}),  # fails
            e("ExpectColumnValuesToMatchRegex", {"column": "id_number", "regex": ".*", "mostly": 0.5}),  # passes
            e("ExpectColumnValuesToBeInSet", {"column": "sex", "value_set": ["M", "F"]}),  # fails
            e("ExpectCompoundColumnsToBeUnique", {"column_list": ["key", "sex"]}),  # fails: ("2", "F") twice
        ],
    )
    result = validate(suite, frame)
    success, evaluated, failures = _one_pass(suite, frame)
    assert (result.success, result.evaluated, result.rows) == (success, evaluated, 6)
    assert [(f.expectation, f.column, f.unexpected_count, f.sample) for f in result.failures] == failures
    assert len(failures) == 6


def test_a_suite_that_passes_has_no_failures() -> None:
    frame = pd.DataFrame({"key": ["1", "2"]})
    exists = Expectation("ExpectColumnToExist", {"column": "key"})
    suite = Suite("ok", "raw.t", blocking=True, description="", expectations=[exists])
    result = validate(suite, frame)
    assert (result.success, result.evaluated, result.failures) == (True, 1, [])

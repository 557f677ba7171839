"""Expectation suites, declared as data: which table they guard, whether a failure blocks publishing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CITIZEN_ID_PATTERN = r"^[1-9]\d{16}[\dX]$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


@dataclass(frozen=True)
class Expectation:
    kind: str  # a Great Expectations expectation class name
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # schema.table in the warehouse
    blocking: bool
    description: str
    expectations: list[Expectation] = field(default_factory=list)


def _e(kind: str, **kwargs: Any) -> Expectation:
    return Expectation(kind, kwargs)


SUITES: list[Suite] = [
    Suite(
        name="natural_person",
        table="marts.natural_person",
        blocking=True,
        description="自然人主数据：每人一行，身份证号合法，性别与出生日期齐全",
        expectations=[
            _e("ExpectColumnValuesToNotBeNull", column="person_key"),
            _e("ExpectColumnValuesToBeUnique", column="person_key"),
            _e("ExpectColumnValuesToBeUnique", column="id_number"),
            _e("ExpectColumnValuesToMatchRegex", column="id_number", regex=CITIZEN_ID_PATTERN),
            _e("ExpectColumnValuesToBeInSet", column="sex", value_set=["M", "F"]),
            _e("ExpectColumnValuesToNotBeNull", column="birth_date"),
        ],
    ),
    Suite(
        name="legal_person",
        table="marts.legal_person",
        blocking=True,
        description="法人主数据：每个统一社会信用代码一行，代码格式合法",
        expectations=[
            _e("ExpectColumnValuesToNotBeNull", column="org_key"),
            _e("ExpectColumnValuesToBeUnique", column="uscc"),
            _e("ExpectColumnValuesToMatchRegex", column="uscc", regex=USCC_PATTERN),
            _e("ExpectColumnValuesToNotBeNull", column="name"),
        ],
    ),
]

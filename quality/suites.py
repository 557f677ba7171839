"""Expectation suites, declared as data: which table they guard, whether a failure blocks publishing.

Besides the hand-written suites below, one contract suite per raw source entity is generated from its
registry entry, and one key suite per mart from the catalog: adding a source or a mart adds its checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zhongtai.sql import quote_identifier

if TYPE_CHECKING:
    from catalog.datasets import Dataset
    from catalog.registry import Registry

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
    query: str | None = None  # what to validate, when not the whole table (e.g. the latest delivery only)
    # (source id, entity) when what the suite sees is decided by that source entity's deliveries alone: while
    # they are unchanged, so is the result, and the pipeline may reuse it instead of validating again.
    deliveries_of: tuple[str, str] | None = None

    @property
    def sql(self) -> str:
        """What to validate: the query, or the columns the expectations name (the whole table when one of them is
        about the table's columns themselves). A mart's key suite reads its key columns into pandas, not every
        column: at the district, whole marts of millions of rows made the mart checks the run's memory peak."""
        if self.query:
            return self.query
        columns = self.columns
        if columns is None:
            return f"select * from {self.table}"
        return f"select {', '.join(quote_identifier(c) for c in columns)} from {self.table}"

    @property
    def columns(self) -> list[str] | None:
        """The columns the expectations read, in order of first mention; None when one reads the table's columns."""
        named: list[str] = []
        for e in self.expectations:
            if e.kind in TABLE_EXPECTATIONS or not ({"column", "column_list"} & e.kwargs.keys()):
                return None
            for column in [e.kwargs["column"]] if "column" in e.kwargs else e.kwargs["column_list"]:
                if column not in named:
                    named.append(column)
        return named or None


# expectations about which columns a table has: a suite holding one reads the whole table
TABLE_EXPECTATIONS = frozenset(
    {"ExpectColumnToExist", "ExpectTableColumnsToMatchSet", "ExpectTableColumnsToMatchOrderedList"}
)


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


# Canonical attributes that are identifiers with a published format: their validity share is watched.
ID_PATTERNS = {"citizen_id": CITIZEN_ID_PATTERN, "uscc": USCC_PATTERN}
VALID_SHARE = 0.95


def _unique(columns: list[str]) -> Expectation:
    if len(columns) == 1:
        return _e("ExpectColumnValuesToBeUnique", column=columns[0])
    return _e("ExpectCompoundColumnsToBeUnique", column_list=columns)


def source_suites(registry: Registry) -> list[Suite]:
    """Per raw source entity: a blocking contract suite and a warning validity suite, over its latest delivery."""
    suites: list[Suite] = []
    for source in registry:
        for entity in source.entities:
            table = f"raw.{source.raw_table(entity.name)}"
            latest = (
                f"select * from {table} where _delivery_id = "
                f"(select _delivery_id from {table} order by _received_at desc, _delivery_id desc limit 1)"
            )
            canonical = {f.name: f.canonical for f in entity.fields}
            # A key made of a personal identifier is the upstream's claim, not a guarantee: watched, not blocking.
            key_is_identifier = any(canonical.get(k) in ID_PATTERNS for k in entity.primary_key)
            contract = [_e("ExpectColumnToExist", column=f.name) for f in entity.fields]
            contract += [_e("ExpectColumnValuesToNotBeNull", column=f.name) for f in entity.fields if f.required]
            if not key_is_identifier:
                contract.append(_unique(entity.primary_key))
            suites.append(
                Suite(
                    name=f"{source.raw_table(entity.name)}_contract",
                    table=table,
                    blocking=True,
                    description=f"{source.title}·{entity.title}：最新一批数据符合登记的契约（字段齐全、必填非空、主键唯一）",
                    expectations=contract,
                    query=latest,
                    deliveries_of=(source.id, entity.name),
                )
            )
            validity = [
                _e("ExpectColumnValuesToMatchRegex", column=f.name, regex=ID_PATTERNS[f.canonical], mostly=VALID_SHARE)
                for f in entity.fields
                if f.canonical in ID_PATTERNS
            ]
            if key_is_identifier:
                validity.append(_unique(entity.primary_key))
            if validity:
                suites.append(
                    Suite(
                        name=f"{source.raw_table(entity.name)}_validity",
                        table=table,
                        blocking=False,
                        description=f"{source.title}·{entity.title}：最新一批数据中证件号码格式合法的比例不低于 "
                        f"{VALID_SHARE:.0%}（警告，不阻断发布）",
                        expectations=validity,
                        query=latest,
                        deliveries_of=(source.id, entity.name),
                    )
                )
    return suites


def mart_suites(datasets: list[Dataset]) -> list[Suite]:
    """Per mart: its catalog primary key is present and unique (blocking: the API pages on it)."""
    return [
        Suite(
            name=f"{d.id}_key",
            table=d.relation,
            blocking=True,
            description=f"{d.title}：主键 {', '.join(d.primary_key)} 非空且唯一",
            expectations=[
                *(_e("ExpectColumnValuesToNotBeNull", column=k) for k in d.primary_key),
                _unique(list(d.primary_key)),
            ],
        )
        for d in datasets
    ]


def all_suites(registry: Registry, datasets: list[Dataset]) -> list[Suite]:
    return [*source_suites(registry), *mart_suites(datasets), *SUITES]

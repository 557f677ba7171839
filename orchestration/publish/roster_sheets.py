"""What each sheet of a village roster holds: the marts it joins, its columns as the village-cadre policy lets them
out (headers from the catalog's titles, code values in Chinese from the codes its descriptions name), its key, and
the columns a cadre may correct. Each sheet is read once into a temporary table ordered by village."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from catalog.datasets import Dataset, Field
from catalog.masking import Action, Audience, OutputField, expression, output_fields
from orchestration.publish.context import PublishContext, source
from zhongtai.sql import quote_identifier as q

CADRE = Audience.village_cadre

# "性别（M 男，F 女）", "住处类别（registered 户籍地；actual 实际居住地；…）": a code, a space, its Chinese label.
_CODES = re.compile(r"[（(]([^）)]*)[）)]")
_PAIR = re.compile(r"(?:^|[；;，,、\s])([A-Za-z][A-Za-z0-9_]*) ([^\s；;，,、（）()]+)")


def code_labels(f: Field) -> dict[str, str]:
    """The Chinese label of each code a field's description lists (empty when it lists none)."""
    labels: dict[str, str] = {}
    for group in _CODES.findall(f.description):
        for code, label in _PAIR.findall(group):
            labels[code] = label
    return labels


@dataclass(frozen=True)
class SheetColumn:
    name: str  # the column in the sheet's table
    title: str
    data_type: str
    labels: dict[str, str] = field(default_factory=dict)  # code → Chinese
    correctable: bool = False
    masked: bool = False

    @property
    def is_date(self) -> bool:
        return self.data_type.lower() == "date"

    @property
    def is_number(self) -> bool:
        return self.data_type.lower() in ("bigint", "integer", "double", "decimal") or self.data_type.startswith("dec")


@dataclass(frozen=True)
class SheetSpec:
    key: str  # population | legal_persons | houses
    title: str  # the sheet's name
    csv_suffix: str  # <village code><suffix>.csv
    row_key: tuple[str, ...]  # columns naming a row, for the change sheet
    row_label: str  # the column that names a row for people (name, address)
    build: Callable[[dict[str, Dataset]], tuple[str, list[SheetColumn]] | None]


@dataclass(frozen=True)
class BuiltSheet:
    spec: SheetSpec
    table: str  # temporary table: `_village` then the columns, ordered by village and key
    columns: list[SheetColumn]
    choices: dict[str, list[str]]  # column → the values a cadre may pick (data validation lists)


def _outs(d: Dataset) -> dict[str, OutputField]:
    return {o.source.name: o for o in output_fields(d, CADRE)}


def _select(
    d: Dataset, names: list[str], *, prefix: str = "", correctable: tuple[str, ...] = ()
) -> tuple[list[str], list[SheetColumn]]:
    """Masked select expressions of the named fields the cadre policy lets out, and their sheet columns."""
    outs = _outs(d)
    exprs, cols = [], []
    for name in names:
        o = outs.get(name)
        if o is None or o.action is Action.drop:
            continue
        exprs.append(expression(o))
        cols.append(
            SheetColumn(
                name=o.name,
                title=prefix + o.title,
                data_type=o.data_type or "varchar",
                labels=code_labels(o.source),
                correctable=name in correctable and o.action is Action.keep,
                masked=o.action is Action.mask or o.when_personal is not None,
            )
        )
    return exprs, cols


ROSTER_FIELDS = [
    "person_key",
    "village_code",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "household_no",
    "address",
]
PERSON_CORRECTABLE = ("name", "sex", "birth_date", "relation_to_head")  # and the actual address (_residence)


def _residence(by_id: dict[str, Dataset], kind: str, names: list[str]) -> tuple[str, list[SheetColumn]] | None:
    """One residence kind (registered, actual) of each person, its latest record: `(select, columns)` renamed
    `<kind>_<field>` and titled `<kind label><title>`."""
    d = by_id.get("person_residence")
    if d is None:
        return None
    label = code_labels(d.field("residence_kind")).get(kind, kind)
    correctable = ("address",) if kind == "actual" else ()
    exprs, cols = _select(d, names, prefix=label, correctable=correctable)
    renamed = [replace(c, name=f"{kind}_{c.name}") for c in cols]
    # expression() ends in `as "<field>"` (or is the bare column): the same value under the sheet's name
    values = [e.rsplit(" as ", 1)[0] + " as " + q(c.name) for e, c in zip(exprs, renamed, strict=True)]
    sql = (
        f"select person_key as _pk, {', '.join(values)} from {source(d)} where residence_kind = '{kind}' and is_latest"
    )
    return sql, renamed


def _population(by_id: dict[str, Dataset]) -> tuple[str, list[SheetColumn]] | None:
    roster = by_id["village_roster"]
    exprs, cols = _select(roster, ROSTER_FIELDS, correctable=PERSON_CORRECTABLE)
    parts = [f"select village_code as _village, person_key as _pk, {', '.join(exprs)} from {source(roster)}"]
    joins, selected = [], [f"r.{q(c.name)}" for c in cols]
    member = by_id.get("household_member")
    if member is not None:
        m_exprs, m_cols = _select(member, ["relation_to_head"], correctable=PERSON_CORRECTABLE)
        if m_cols:
            joins.append(
                f"left join (select person_key as _pk, {', '.join(m_exprs)} from {source(member)}) hm using (_pk)"
            )
            selected += [f"hm.{q(c.name)}" for c in m_cols]
            cols += m_cols
    for alias, kind, names in (("reg", "registered", ["address"]), ("act", "actual", ["address", "grid_code"])):
        found = _residence(by_id, kind, names)
        if found is None:
            continue
        sql, r_cols = found
        joins.append(f"left join ({sql}) {alias} using (_pk)")
        selected += [f"{alias}.{q(c.name)}" for c in r_cols]
        cols += r_cols
    order = ", ".join(f"r.{q(k)}" for k in roster.primary_key)
    body = (
        f"select r._village, {', '.join(selected)} from ({parts[0]}) r {' '.join(joins)} order by r._village, {order}"
    )
    return body, cols


def _legal_persons(by_id: dict[str, Dataset]) -> tuple[str, list[SheetColumn]] | None:
    legal = by_id.get("legal_person")
    if legal is None:
        return None
    names = ["org_key", "name", "uscc", "entity_type", "legal_rep_name", "address", "status"]
    exprs, cols = _select(legal, names)
    places = f"select org_key, village_code from {source(legal)} where village_code is not null"
    premises = by_id.get("enterprise_premises")
    if premises is not None:
        places += f" union select org_key, village_code from {source(premises)} where village_code is not null"
    body = (
        f"select p.village_code as _village, {', '.join(f'l.{q(c.name)}' for c in cols)} from ({places}) p "
        f"join (select org_key as _ok, {', '.join(exprs)} from {source(legal)}) l on l._ok = p.org_key "
        f"order by p.village_code, p.org_key"
    )
    return body, cols


def _houses(by_id: dict[str, Dataset]) -> tuple[str, list[SheetColumn]] | None:
    d = by_id.get("person_residence")
    if d is None:
        return None
    exprs, cols = _select(d, ["house_no", "address"])
    labels = code_labels(d.field("residence_kind"))
    counts = []
    for kind, label in labels.items():
        # is_latest marks one record per person and kind (the mart's row_number() = 1 over its ID number and kind),
        # so a count of persons needs no count(distinct), which cost most of this sheet at district scale
        counts.append(f"count(person_key) filter (where residence_kind = '{kind}') as {q(kind)}")
        cols.append(SheetColumn(name=kind, title=f"{label}人数", data_type="bigint"))
    keys = ", ".join(q(c.name) for c in cols[: len(exprs)])
    body = (
        f"select village_code as _village, {', '.join([*exprs, *counts])} from {source(d)} "
        f"where village_code is not null and is_latest group by all order by _village, {keys}"
    )
    return body, cols


SHEETS: list[SheetSpec] = [
    SheetSpec("population", "人口", "", ("person_key",), "name", _population),
    SheetSpec("legal_persons", "法人", ".legal_persons", ("org_key",), "name", _legal_persons),
    SheetSpec("houses", "房屋", ".houses", ("house_no", "address"), "address", _houses),
]

# A data-validation list in Excel holds at most 255 characters.
_LIST_LIMIT = 255


def build_sheet(context: PublishContext, spec: SheetSpec) -> BuiltSheet | None:
    """Read one sheet of every village into a temporary table; None when the catalog lacks its marts."""
    built = spec.build(context.by_id)
    if built is None:
        return None
    body, columns = built
    table = f"_roster_{spec.key}"
    context.con.execute(f"create or replace temp table {table} as {body}")
    choices: dict[str, list[str]] = {}
    for c in columns:
        if not c.correctable or c.is_date:
            continue
        if c.labels:
            values = list(dict.fromkeys(c.labels.values()))
        else:
            found = context.con.execute(
                f"select {q(c.name)}, count(*) from {table} where {q(c.name)} is not null group by 1 order by 2 desc "
                f"limit 30"
            ).fetchall()
            values = [str(v) for v, _ in found] if len(found) < 30 else []
        if values and len(",".join(values)) <= _LIST_LIMIT and c.name != "name" and not c.name.endswith("address"):
            choices[c.name] = values
    return BuiltSheet(spec, table, columns, choices)

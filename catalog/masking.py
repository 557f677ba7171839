"""Masking in one place: per audience, what each field class becomes, applied as generated DuckDB SQL.

A policy is data: a rule per field class, with overrides for a (class, kind) pair where an audience
is entitled to one kind of identifier but not the others (a village cadre sees names, not ID
numbers). `output_fields` says what a channel will hold, `masked_select` is the query that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from catalog.datasets import CatalogError, Channel, Dataset, Field, FieldClass
from zhongtai.sql import quote_identifier as _q


class Audience(StrEnum):
    public = "public"
    enterprise = "enterprise"
    analyst = "analyst"
    village_cadre = "village_cadre"
    steward = "steward"


class Action(StrEnum):
    drop = "drop"
    mask = "mask"  # ID 440604********123X, phone 138****5678, name 张**
    generalise = "generalise"  # date → year, age → ten-year band; anything else is kept
    keep = "keep"


class Kind(StrEnum):
    """What a value is, which decides how it is masked."""

    id_number = "id_number"
    phone = "phone"
    name = "name"
    text = "text"


@dataclass(frozen=True)
class Policy:
    audience: Audience
    rules: dict[FieldClass, Action]
    overrides: dict[tuple[FieldClass, Kind], Action] = field(default_factory=dict)

    def action(self, f: Field) -> Action:
        return self.overrides.get((f.field_class, kind_of(f)), self.rules[f.field_class])


D, Q, S, P = FieldClass.direct_identifier, FieldClass.quasi_identifier, FieldClass.sensitive, FieldClass.plain
POLICIES: dict[Audience, Policy] = {
    p.audience: p
    for p in (
        Policy(Audience.public, {D: Action.drop, Q: Action.drop, S: Action.drop, P: Action.keep}),
        Policy(Audience.enterprise, {D: Action.drop, Q: Action.generalise, S: Action.drop, P: Action.keep}),
        Policy(Audience.analyst, {D: Action.drop, Q: Action.generalise, S: Action.keep, P: Action.keep}),
        # Cadres verify their own villagers: they see names, but ID numbers and phones only masked.
        Policy(
            Audience.village_cadre,
            {D: Action.mask, Q: Action.keep, S: Action.drop, P: Action.keep},
            overrides={(D, Kind.name): Action.keep},
        ),
        Policy(Audience.steward, {D: Action.keep, Q: Action.keep, S: Action.keep, P: Action.keep}),
    )
}

# Which audience each publish channel serves.
CHANNEL_AUDIENCE: dict[Channel, Audience] = {
    Channel.api: Audience.public,
    Channel.datasette: Audience.analyst,
    Channel.roster: Audience.village_cadre,
}


def kind_of(f: Field) -> Kind:
    if f.mask:
        return Kind(f.mask)
    n = f.name.lower()
    if "id_number" in n or n.endswith(("id_no", "idcard", "id_card")):
        return Kind.id_number
    if any(part in n for part in ("phone", "mobile", "tel")):
        return Kind.phone
    if n == "name" or n.endswith("_name"):
        return Kind.name
    return Kind.text


@dataclass(frozen=True)
class OutputField:
    """A column as an audience receives it."""

    name: str
    title: str
    description: str
    source: Field
    action: Action
    data_type: str | None
    # For `personal_when` fields: what the audience's policy does to the rows where the value identifies a person.
    when_personal: Action | None = None


def _is_date(f: Field) -> bool:
    t = (f.data_type or "").lower()
    return t == "date" or t.startswith("timestamp") or f.name.endswith(("_date", "_at"))


def _is_age(f: Field) -> bool:
    return f.name == "age" or f.name.endswith("_age")


def output_fields(dataset: Dataset, audience: Audience | str) -> list[OutputField]:
    policy = POLICIES[Audience(audience)]
    out: list[OutputField] = []
    for f in dataset.fields:
        action = policy.action(f)
        if action is Action.drop:
            continue
        name, title, data_type = f.name, f.title, f.data_type
        if action is Action.mask:
            data_type = "varchar"
        elif action is Action.generalise and _is_date(f):
            name = f.name.removesuffix("_date").removesuffix("_at") + "_year"
            title = f.title.removesuffix("日期").removesuffix("时间") + "年份"
            data_type = "integer"
        elif action is Action.generalise and _is_age(f):
            name, title, data_type = f"{f.name}_band", f"{f.title}段", "varchar"
        elif action is Action.generalise:
            action = Action.keep
        when_personal = None
        if f.personal_when and f.field_class is not D:
            personal = policy.action(f.model_copy(update={"field_class": D}))
            if personal is not Action.keep:
                when_personal = Action.mask if personal is Action.mask else Action.drop
        out.append(OutputField(name, title, f.description, f, action, data_type, when_personal))
    return out


def mask_sql(col: str, kind: Kind) -> str:
    """DuckDB expression masking the varchar value of `col` (already quoted)."""
    v = f"cast({col} as varchar)"
    if kind is Kind.id_number:
        masked = f"left({v}, 6) || repeat('*', length({v}) - 10) || right({v}, 4)"
        return f"case when length({v}) > 10 then {masked} else repeat('*', length({v})) end"
    if kind is Kind.phone:
        masked = f"left({v}, 3) || repeat('*', length({v}) - 7) || right({v}, 4)"
        return f"case when length({v}) > 7 then {masked} else repeat('*', length({v})) end"
    if kind is Kind.name:
        return f"case when length({v}) > 0 then left({v}, 1) || '**' else {v} end"
    return f"case when {v} is null then null else '***' end"


def expression(out: OutputField) -> str:
    sql = _expression(out)
    if out.when_personal is None:
        return sql
    # Rows where the value names a person: masked or nulled per the audience's policy for direct identifiers.
    col = _q(out.source.name)
    personal = mask_sql(col, kind_of(out.source)) if out.when_personal is Action.mask else "null"
    kept = col if out.name == out.source.name else sql.rsplit(" as ", 1)[0]
    return f"case when {_q(out.source.personal_when or '')} then {personal} else {kept} end as {_q(out.name)}"


def _expression(out: OutputField) -> str:
    col = _q(out.source.name)
    if out.action is Action.mask:
        sql = mask_sql(col, kind_of(out.source))
    elif out.action is Action.generalise and out.data_type == "integer":
        sql = f"cast(year({col}) as integer)"
    elif out.action is Action.generalise:
        sql = f"cast(floor({col} / 10) * 10 as integer) || '-' || cast(floor({col} / 10) * 10 + 9 as integer)"
    else:
        return col if out.name == out.source.name else f"{col} as {_q(out.name)}"
    return f"{sql} as {_q(out.name)}"


def masked_select(dataset: Dataset, audience: Audience | str, *, source: str | None = None) -> str:
    """`select … from <source> order by <primary key>`: the dataset as `audience` may see it, in one query.

    `source` is the relation to read (default: where dbt built it, e.g. `marts.credit_record`);
    the primary key orders the rows so that artefacts are written in key order.
    """
    outs = output_fields(dataset, audience)
    if not outs:
        raise CatalogError([f"{dataset.id}: the {audience} policy leaves no columns"])
    kept = {o.source.name for o in outs if o.action is Action.keep}
    order = ", ".join(_q(k) for k in dataset.primary_key if k in kept) or "1"
    cols = ",\n    ".join(expression(o) for o in outs)
    return f"select\n    {cols}\nfrom {source or dataset.relation}\norder by {order}"


def check_channels(datasets: list[Dataset]) -> None:
    """Every channel's audience must still see the primary key (the API pages on it, SQLite indexes it)."""
    problems = []
    for d in datasets:
        for channel in d.publish:
            audience = CHANNEL_AUDIENCE[channel]
            visible = {o.name for o in output_fields(d, audience) if o.action is Action.keep}
            lost = [k for k in d.primary_key if k not in visible]
            if lost:
                problems.append(f"{d.id}: primary key {lost} is not kept by the {audience} policy of channel {channel}")
    if problems:
        raise CatalogError(problems)

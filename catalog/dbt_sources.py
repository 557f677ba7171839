"""What dbt needs from the source registry, generated at run time into the dbt project a run assembles.

The repository's `dbt_project/` holds only hand-written SQL and YAML, none of it naming a source system. Everything
per source — the sources YAML, the generic staging of mentions, and the unions of mentions, credit records and
life-event records — is rendered here from the registry's entries (committed and extra folders alike) and written
next to a copy of `dbt_project/` under the data directory (`assemble_project`). A system registered by a YAML file
alone therefore reaches the mentions, resolution and golden records on the next run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from catalog.registry import ORG_ATTRIBUTES, PERSON_ATTRIBUTES, Column, Entity, Registry, SourceField, SourceSystem

REPO_ROOT = Path(__file__).resolve().parent.parent
REPO_PROJECT = REPO_ROOT / "dbt_project"

# where the generated files sit inside the assembled project: the folders' dbt_project.yml defaults apply to them
STAGING_DIR = Path("models/staging/_registry")
INTERMEDIATE_DIR = Path("models/intermediate/_registry")
SOURCES_YAML = STAGING_DIR / "_sources.yml"
FINGERPRINT = ".registry-fingerprint"
# left out of the copy: dbt's own output and installed packages
_NOT_COPIED = ("target", "logs", "dbt_packages", ".user.yml", FINGERPRINT)

_HEADER = "GENERATED from the source registry by catalog/dbt_sources.py at run time; never edited or committed."


# the columns of int_person_mentions / int_org_mentions, in order, with the type of a missing value
PERSON_COLUMNS = {
    "name": "text",
    "id_number_raw": "text",
    "id_number": "text",
    "id_number_reason": "text",
    "sex": "text",
    "birth_date": "date",
    "phone": "text",
    "village_code": "text",
    "household_no": "text",
    "address": "text",
    "house_no": "text",
}
ORG_COLUMNS = {
    "name": "text",
    "uscc_raw": "text",
    "uscc": "text",
    "uscc_reason": "text",
    "entity_type": "text",
    "is_sole_trader": "boolean",
    "village_code": "text",
    "address": "text",
}
_ATTR_COLUMN = {"person_name": "name", "org_name": "name"}


class RegistryMeaningError(ValueError):
    """An entry's mentions, credit or events block does not fit its staging."""


# --------------------------------------------------------------------------- sources YAML


def _source(system: SourceSystem) -> dict[str, Any]:
    return {
        "name": system.id,
        "description": f"{system.title}：{system.description}",
        "schema": "raw",
        "loaded_at_field": "_received_at",
        "config": {
            "meta": {
                "title": system.title,
                "owner_department": system.owner_department,
                "connector": system.connector.kind,
                "delivery_mode": system.delivery_mode,
                "freshness_hours": system.freshness_hours,
                "staging": system.staging,
            },
            "freshness": {"warn_after": {"count": system.freshness_hours, "period": "hour"}},
        },
        "tables": [
            {
                "name": entity.name,
                "identifier": system.raw_table(entity.name),
                "description": entity.title,
                "config": {
                    "meta": {
                        "title": entity.title,
                        "primary_key": list(entity.primary_key),
                        "dagster": {"asset_key": ["raw", system.raw_table(entity.name)]},
                    }
                },
                "columns": [
                    {"name": field.name, "description": field.title}
                    | (
                        {
                            "config": {
                                "meta": {"canonical": field.canonical} | ({"role": field.role} if field.role else {})
                            }
                        }
                        if field.canonical
                        else {}
                    )
                    for field in entity.fields
                ]
                + [
                    {"name": "_delivery_id", "description": "交付批次编号"},
                    {"name": "_line", "description": "交付文件中的行号"},
                    {"name": "_received_at", "description": "接收时间"},
                ],
            }
            for entity in system.entities
        ],
    }


_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def render_sources_yaml(registry: Registry) -> str:
    """The sources YAML for every registered system, in a stable order."""
    document = {"version": 2, "sources": [_source(registry.sources[k]) for k in sorted(registry.sources)]}
    # libyaml's dumper writes the very same text ~6x faster; every process that builds the definitions renders this
    # (~270 kB at the committed registry) to fingerprint the assembled project
    text = yaml.dump(document, Dumper=_SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=120)
    return f"# {_HEADER}\n" + text


# --------------------------------------------------------------------------- SQL pieces


def _sql_header(what: str, preamble: str = "") -> str:
    return f"-- {_HEADER}\n-- {what}\n\n{{%- set text = dbt.type_string() %}}\n{preamble}\nwith\n\n"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _systems(registry: Registry) -> Iterator[SourceSystem]:
    for key in sorted(registry.sources):
        yield registry.sources[key]


def _record_id(entity: Entity) -> str:
    keys = [f"cast({k} as {{{{ text }}}})" for k in entity.primary_key]
    return " || '|' || ".join(keys)


def _current_rows(system: SourceSystem, entity: Entity) -> str:
    """A CTE giving an entity's current raw rows (macro deduplicate reads the delivery mode and key)."""
    return f"cur__{system.id}__{entity.name} as ({{{{ deduplicate('{system.id}', '{entity.name}') }}}}),\n"


def _null(kind: str) -> str:
    return "cast(null as date)" if kind == "date" else f"cast(null as {kind if kind != 'text' else '{{ text }}'})"


def _union(name: str, selects: list[str], columns: list[str]) -> str:
    """The final CTE and select of a generated union; an empty registry still yields a model with the columns."""
    if not selects:
        selects = ["    select " + ", ".join(f"cast(null as {{{{ text }}}}) as {c}" for c in columns) + " where false"]
    return f"{name} as (\n" + "\n    union all\n".join(selects) + f"\n)\n\nselect * from {name}\n"


# --------------------------------------------------------------------------- generic staging of mentions


def _roles(fields: list[SourceField], anchor: str, attrs: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """role -> canonical attribute -> column, for every role that has the anchor attribute (citizen_id / uscc)."""
    roles: dict[str, dict[str, str]] = {}
    for f in fields:
        if f.canonical in attrs:
            roles.setdefault(f.role or "subject", {}).setdefault(f.canonical, f.name)
    return {r: cols for r, cols in roles.items() if anchor in cols}


def _generic_entities(registry: Registry, anchor: str, attrs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    for system in _systems(registry):
        if system.staging != "generic":
            continue
        for entity in system.entities:
            roles = _roles(entity.fields, anchor, attrs)
            if roles:
                yield system, entity, roles


def _mention_columns(person: bool) -> list[str]:
    """The columns of the generic mentions before cleaning, in order."""
    attributes = ("name", "id_number", "sex", "birth_date", "phone", "village_code", "household_no", "address")
    shape = (*attributes, "house_no") if person else ("name", "uscc", "entity_type", "village_code", "address")
    return ["source_id", "entity", "record_id", "role", *shape, "observed_at", "_delivery_id"]


def _wanted(system: SourceSystem, entity: Entity) -> str:
    """Whether a raw table's part of an incremental-by-input model is recomputed this run (macros/incremental.sql)."""
    return f"{{{{ input_wanted('{system.id}', '{entity.name}', changed) }}}}"


def _incremental_by_input(code: str, models: dict[str, str]) -> str:
    """The config of a generated union of parts made incremental by input (macros/incremental.sql), and `changed`,
    the raw tables whose parts to recompute; `models` maps each part computed by a hand-written model
    ('source_id.entity') to that model. A change of `code` recomputes every part."""
    mapping = "{" + ", ".join(f"'{part}': '{model}'" for part, model in sorted(models.items())) + "}"
    return (
        "\n{{ config(\n"
        "    materialized=('table' if target.type == 'spark' else 'incremental'),\n"
        "    incremental_strategy='append',\n"
        "    on_schema_change='sync_all_columns',\n"
        f"    pre_hook=\"{{{{ forget_changed_inputs('{code}', {mapping}) }}}}\",\n"
        f"    post_hook=\"{{{{ remember_inputs('{code}') }}}}\",\n"
        ") }}\n"
        f"{{%- set changed = changed_inputs('{code}') %}}\n"
    )


def _latest_snapshots(entities: list[tuple[SourceSystem, Entity]]) -> str:
    """CTEs `received` and `latest`: the latest delivery of each snapshot entity among `entities` (a snapshot counts
    from that delivery alone); one narrow union and one aggregate, whatever the number of entities."""
    selects = [
        f"    select '{system.id}' as source_id, '{entity.name}' as entity, _received_at\n"
        f"    from {{{{ source('{system.id}', '{entity.name}') }}}}\n"
        f"    where {_wanted(system, entity)}"
        for system, entity in entities
        if system.delivery_mode == "snapshot"
    ]
    if not selects:
        selects = [
            "    select cast(null as {{ text }}) as source_id, cast(null as {{ text }}) as entity, "
            "cast(null as {{ type_timestamp_tz() }}) as _received_at where false"
        ]
    return (
        "received as (\n" + "\n    union all\n".join(selects) + "\n),\n\n"
        "latest as (\n    select source_id, entity, max(_received_at) as _latest\n    from received\n"
        "    group by source_id, entity\n),\n\n"
    )


def _generic_mentions(registry: Registry, person: bool) -> str:
    """CTEs ending in `generic`: every generic entity whose fields carry canonical attributes, one row per person /
    organisation mentioned, its parts filtered by input_wanted (macros/incremental.sql).

    The raw rows of every entity are unioned first and their current versions chosen once over the union (macro
    deduplicate's rule, through delivery_rule / version_key / version_order), rather than once per entity: one window
    and one plan whatever the number of systems. On Spark a union of per-entity windows made a task binary that grew
    with the number of systems and was deserialised by each of as many tasks (13.7 MiB x 118 at tiny, minutes).
    """
    anchor, attrs = ("citizen_id", PERSON_ATTRIBUTES) if person else ("uscc", ORG_ATTRIBUTES)
    items = list(_generic_entities(registry, anchor, attrs))
    out = []
    selects = []
    for system, entity, roles in items:
        for role, cols in roles.items():

            def col(attr: str, wrap: str = "text", cols: dict[str, str] = cols) -> str:
                if attr not in cols:
                    return _null(wrap)
                return f"cast({cols[attr]} as {'date' if wrap == 'date' else '{{ text }}'})"

            name_col = cols.get("person_name" if person else "org_name")
            present = " or ".join(f"{c} is not null" for c in (name_col, cols[anchor]) if c)
            if person:
                body = (
                    f"{col('person_name')} as name, {col('citizen_id')} as id_number, {col('sex')} as sex, "
                    f"{col('birth_date', 'date')} as birth_date, {col('phone')} as phone, "
                    f"{col('village_code')} as village_code, {col('household_no')} as household_no, "
                    f"{col('address')} as address, {col('house_no')} as house_no"
                )
            else:
                body = (
                    f"{col('org_name')} as name, {col('uscc')} as uscc, {col('entity_type')} as entity_type, "
                    f"{col('village_code')} as village_code, {col('address')} as address"
                )
            selects.append(
                f"    select '{system.id}' as source_id, '{entity.name}' as entity,\n"
                f"        {_record_id(entity)} as record_id,\n"
                f"        '{role}' as role, {body},\n"
                f"        _received_at as observed_at, _delivery_id, _received_at, _line,\n"
                f"        {{{{ version_key('{system.id}', '{entity.name}') }}}} as _version_key,\n"
                f"        ({present}) as _present\n"
                f"    from {{{{ source('{system.id}', '{entity.name}') }}}}\n"
                f"    where {_wanted(system, entity)}"
            )
    if not selects:  # no generic system mentions anyone: an empty relation of the right shape
        nulls = [f"{_null('date' if c == 'birth_date' else 'text')} as {c}" for c in _mention_columns(person)[:-2]]
        empty = (
            f"    select {', '.join(nulls)}, cast(null as {{{{ type_timestamp_tz() }}}}) as observed_at, "
            "cast(null as {{ text }}) as _delivery_id where false"
        )
        out.append(f"mentions as (\n{empty}\n),\n\n")
    else:
        out.append(_latest_snapshots([(system, entity) for system, entity, _ in items]))
        out.append("versions as (\n" + "\n    union all\n".join(selects) + "\n),\n\n")
        out.append(
            "ranked as (\n    select\n        versions.*,\n        row_number() over (\n"
            "            partition by versions.source_id, versions.entity, versions.role, versions._version_key\n"
            "            order by {{ version_order() }}\n        ) as _version_rank\n    from versions\n"
            "    left join latest\n"
            "        on latest.source_id = versions.source_id and latest.entity = versions.entity\n"
            "    -- a snapshot counts from its latest delivery only\n"
            "    where latest._latest is null or versions._received_at = latest._latest\n),\n\n"
            f"mentions as (\n    select {', '.join(_mention_columns(person))}\n"
            "    from ranked\n    where _version_rank = 1 and _present\n),\n\n"
        )
    if person:
        out.append(
            "cleaned as (\n    select mentions.*, {{ clean_identifier('id_number') }} as id_number_clean\n"
            "    from mentions\n),\n\n"
            "generic as (\n    select\n        source_id,\n        entity,\n        record_id,\n        role,\n"
            "        {{ clean_name('name') }} as name,\n        {{ citizen_id_columns('id_number') }},\n"
            "        {{ standard_sex('sex') }} as sex,\n        birth_date,\n"
            "        {{ clean_phone('phone') }} as phone,\n        {{ clean_text('village_code') }} as village_code,\n"
            "        {{ clean_text('household_no') }} as household_no,\n"
            "        {{ clean_text('address') }} as address,\n        {{ clean_text('house_no') }} as house_no,\n"
            "        observed_at,\n        _delivery_id\n    from cleaned\n),\n\n"
        )
    else:
        out.append(
            "cleaned as (\n    select mentions.*, {{ clean_identifier('uscc') }} as uscc_clean from mentions\n),\n\n"
            "generic as (\n    select\n        source_id,\n        entity,\n        record_id,\n        role,\n"
            "        {{ clean_name('name') }} as name,\n        {{ uscc_columns('uscc') }},\n"
            "        {{ clean_text('entity_type') }} as entity_type,\n"
            "        -- 个体工商户: their codes start 92 (registration authority 9, organisation type 2)\n"
            "        coalesce(entity_type like '%个体%', false) or uscc_clean like '92%' as is_sole_trader,\n"
            "        {{ clean_text('village_code') }} as village_code,\n"
            "        {{ clean_text('address') }} as address,\n"
            "        observed_at,\n        _delivery_id\n    from cleaned\n),\n\n"
        )
    return "".join(out)


# --------------------------------------------------------------------------- unions of mentions


def _custom_mentions(registry: Registry, person: bool) -> tuple[list[str], dict[str, str]]:
    """One select per role of every `mentions:` block of a hand-staged entity, in the shape of the mentions model, each
    filtered by model_wanted (macros/incremental.sql); and the model of each such part ('source_id.entity')."""
    kind, anchor = ("person", "citizen_id") if person else ("organisation", "uscc")
    columns = PERSON_COLUMNS if person else ORG_COLUMNS
    id_column = "id_number" if person else "uscc"
    selects = []
    models = {}
    for system in _systems(registry):
        for entity in system.entities:
            if entity.mentions is None:
                continue
            for role in entity.mentions.roles:
                if role.kind != kind:
                    continue
                if system.staging != "custom":  # its part would be keyed like the generic part of its raw table
                    raise RegistryMeaningError(
                        f"{system.id}.{entity.name}: a mentions block is a custom-staged entity's; a generic "
                        "entity's people and organisations come from its canonical fields"
                    )
                models[f"{system.id}.{entity.name}"] = entity.mentions.model
                values = {_ATTR_COLUMN.get(a, a): c for a, c in role.columns.items() if a != anchor}
                anchor_col = role.columns[anchor]
                values |= {
                    f"{id_column}_raw": f"{anchor_col}_raw",
                    id_column: anchor_col,
                    f"{id_column}_reason": f"{anchor_col}_reason",
                }
                body = ",\n        ".join(
                    f"{values[c]} as {c}" if c in values else f"{_null(t)} as {c}" for c, t in columns.items()
                )
                selects.append(
                    f"    select\n        '{system.id}' as source_id,\n        '{entity.name}' as entity,\n"
                    f"        record_id,\n        {_quote(role.role)} as role,\n        {body},\n"
                    f"        cast({role.observed_at} as {{{{ type_timestamp_tz() }}}}) as observed_at,\n"
                    f"        _delivery_id\n    from {{{{ ref('{entity.mentions.model}') }}}}\n"
                    f"    where {{{{ model_wanted('{entity.mentions.model}', changed) }}}}"
                    + (f" and ({role.where})" if role.where else "")
                )
    return selects, models


def _render_mentions(registry: Registry, person: bool, code_of: str) -> str:
    """int_person_mentions / int_org_mentions: the `mentions:` blocks of hand-staged entities and the generic staging
    of every other system, one union, incremental by input (macros/incremental.sql).

    The generic staging is computed inside the model, not in a model of its own that this one would copy: at the
    district its 4.5 M person mentions were written twice in every rebuild.
    """
    columns = ["source_id", "entity", "record_id", "role", *(PERSON_COLUMNS if person else ORG_COLUMNS)]
    columns += ["observed_at", "_delivery_id"]
    selects, models = _custom_mentions(registry, person)
    selects.append(
        f"    select\n        {', '.join(columns[:-2])},\n"
        f"        cast(observed_at as {{{{ type_timestamp_tz() }}}}) as observed_at, _delivery_id\n"
        f"    from generic"
    )
    what = "person" if person else "organisation"
    header = (
        f"One row per {what} mentioned in any current staged record, in one shape: the `mentions:` blocks of "
        "hand-staged entities, and the generic staging of every other system (its current rows by macro "
        "deduplicate's rule, fields grouped by their registry `role`). Incremental by input: only the parts whose "
        "raw tables received deliveries since the last run are recomputed (macros/incremental.sql)."
    )
    body = _generic_mentions(registry, person) + _union("unioned", selects, columns)
    # the code: this text (before its config) with everything else its SQL means (code_of: sources YAML, the project)
    code = hashlib.sha256((body + "\0" + code_of).encode()).hexdigest()[:16]
    return _sql_header(header, _incremental_by_input(code, models)) + body


def _render_registers(registry: Registry) -> str:
    selects = [
        f"    select '{system.id}' as source_id, '{entity.name}' as entity, {_quote(role.role)} as role, "
        f"'{role.kind}' as kind, '{role.district_register}' as district_register"
        for system in _systems(registry)
        for entity in system.entities
        if entity.mentions
        for role in entity.mentions.roles
        if role.district_register
    ]
    header = _sql_header(
        "Which mentions make up a district register (household, enterprise, grid_population): the "
        "`district_register` of a `mentions:` role. Rules that prefer or read a register join this, never a source id."
    )
    return header + _union("registers", selects, ["source_id", "entity", "role", "kind", "district_register"])


def _render_evidence(registry: Registry) -> str:
    selects = [
        f"    select '{system.id}' as source_id, '{entity.name}' as entity, {entity.evidence.priority} as priority, "
        + (f"'{entity.evidence.residence_kind}'" if entity.evidence.residence_kind else "cast(null as {{ text }})")
        + " as residence_kind"
        for system in _systems(registry)
        for entity in system.entities
        if entity.evidence
    ]
    header = _sql_header(
        "Which entities are evidence survivorship weighs beside the mentions, at which priority, and which kind of "
        "residence their addresses make: the `evidence:` block of a registry entity. Rules join this, never a source "
        "id."
    )
    return header + _union("evidence", selects, ["source_id", "entity", "priority", "residence_kind"])


# --------------------------------------------------------------------------- credit records and life events


def _value(value: str | Column) -> str:
    return value.column if isinstance(value, Column) else _quote(value)


def _rows_of(system: SourceSystem, entity: Entity, model: str | None, block: str) -> tuple[str, str]:
    """(from clause, record id expression) of an entity's credit or events block, checked against its staging."""
    if system.staging == "custom":
        if model is None:
            raise RegistryMeaningError(f"{system.id}.{entity.name}: a custom-staged {block} block names its model")
        return f"{{{{ ref('{model}') }}}}", "record_id"
    if model is not None:
        raise RegistryMeaningError(f"{system.id}.{entity.name}: a generic {block} block reads the raw rows itself")
    return f"cur__{system.id}__{entity.name}", _record_id(entity)


def _render_credit(registry: Registry) -> str:
    ctes: list[str] = []
    selects: list[str] = []
    for system in _systems(registry):
        for entity in system.entities:
            credit = entity.credit
            if credit is None:
                continue
            source, record_id = _rows_of(system, entity, credit.model, "credit")
            if system.staging == "generic":
                ctes.append(_current_rows(system, entity))
            record_no = f"cast({credit.record_no} as {{{{ text }}}})" if credit.record_no else record_id
            selects.append(
                f"    select\n        '{system.id}' as source_id,\n        '{entity.name}' as entity,\n"
                f"        {record_id} as record_id,\n        {record_no} as record_no,\n"
                f"        {_value(credit.subject)} as subject_type,\n"
                f"        {credit.subject_id or 'cast(null as {{ text }})'} as subject_id,\n"
                f"        {'true' if credit.subject_id else 'false'} as keyed_by_id,\n"
                f"        {_value(credit.record_type)} as record_type,\n        {_value(credit.title)} as title,\n"
                f"        cast({credit.date} as date) as decided_on,\n"
                f"        {_value(credit.authority)} as authority\n    from {source}"
            )
    columns = ["source_id", "entity", "record_id", "record_no", "subject_type", "subject_id", "keyed_by_id"]
    columns += ["record_type", "title", "decided_on", "authority"]
    header = _sql_header(
        "Every credit record of an entity with a `credit:` block, in one shape; the subject is keyed later "
        "(int_credit_records), by its ID when keyed_by_id, else by entity resolution of its `subject` mention."
    )
    return header + "".join(ctes) + _union("unioned", selects, columns)


def _render_events(registry: Registry) -> str:
    ctes: list[str] = []
    selects: list[str] = []
    for system in _systems(registry):
        for entity in system.entities:
            if not entity.events:
                continue
            if system.staging == "generic":
                ctes.append(_current_rows(system, entity))
            for event in entity.events:
                source, record_id = _rows_of(system, entity, event.model, "events")
                if event.record_id:
                    record_id = f"cast({event.record_id} as {{{{ text }}}})"
                roles: list[str | None] = [*event.roles] if event.roles else [None]
                for role in roles:
                    selects.append(
                        f"    select\n        '{event.kind}' as event_type,\n        '{system.id}' as source_id,\n"
                        f"        '{entity.name}' as entity,\n        {record_id} as record_id,\n"
                        f"        cast({event.date} as date) as event_date,\n"
                        f"        {_quote(role) if role else 'cast(null as {{ text }})'} as role,\n"
                        f"        {event.preference} as preference\n    from {source}"
                        + (f"\n    where {event.where}" if event.where else "")
                    )
    columns = ["event_type", "source_id", "entity", "record_id", "event_date", "role", "preference"]
    header = _sql_header(
        "Every record of a life event (an entity's `events:` block): one row per record and mention role it is "
        "about (role null: every role)."
    )
    return header + "".join(ctes) + _union("unioned", selects, columns)


# --------------------------------------------------------------------------- the assembled project


def render_generated(registry: Registry, project: Path = REPO_PROJECT) -> dict[Path, str]:
    """Every generated dbt file, by its path inside the assembled project."""
    sources = render_sources_yaml(registry)
    code_of = sources + "\0" + _project_digest(project)
    return {
        SOURCES_YAML: sources,
        INTERMEDIATE_DIR / "int_person_mentions.sql": _render_mentions(registry, True, code_of),
        INTERMEDIATE_DIR / "int_org_mentions.sql": _render_mentions(registry, False, code_of),
        INTERMEDIATE_DIR / "int_mention_registers.sql": _render_registers(registry),
        INTERMEDIATE_DIR / "int_evidence_sources.sql": _render_evidence(registry),
        INTERMEDIATE_DIR / "int_credit_records_unioned.sql": _render_credit(registry),
        INTERMEDIATE_DIR / "int_life_event_records_unioned.sql": _render_events(registry),
    }


def _external_paths(project: Path) -> list[str]:
    """Folders the project reads from outside itself (seed-paths such as ../zhongtai/reference)."""
    config = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    paths = [p for key, value in config.items() if key.endswith("-paths") for p in value]
    return [p for p in paths if p.startswith("../")]


def _project_files(project: Path) -> Iterator[tuple[str, Path]]:
    """(name in the assembled tree, file) of the hand-written project and the folders it reads from outside."""
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if path.is_file() and not any(part in _NOT_COPIED for part in rel.parts):
            yield f"{project.name}/{rel.as_posix()}", path
    for external in _external_paths(project):
        folder = (project / external).resolve()
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield f"{Path(external[3:]) / path.relative_to(folder)}", path


def _project_digest(project: Path) -> str:
    """A hash of the hand-written project (models, macros, seeds, the reference data it reads from outside)."""
    digest = hashlib.sha256()
    for name, path in _project_files(project):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(registry: Registry, project: Path = REPO_PROJECT) -> str:
    """A hash of everything the assembled project is made of: the hand-written files and the generated ones."""
    digest = hashlib.sha256(_project_digest(project).encode())
    for rel, text in sorted(render_generated(registry, project).items()):
        digest.update(str(rel).encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def assembled_dir(root: Path, project: Path = REPO_PROJECT) -> Path:
    """The assembled project inside `root`; it keeps the repository's layout so ../ paths still resolve."""
    return root / project.name


def assemble_project(registry: Registry, root: Path, project: Path = REPO_PROJECT) -> tuple[Path, bool]:
    """Copy the hand-written project and write the generated files under `root`, when either changed.

    Returns the assembled project's folder and whether it was (re)built. The new tree is built beside the old one
    and swapped in, so a reader never sees half a project.
    """
    target = assembled_dir(root, project)
    stamp = fingerprint(registry, project)
    if (target / FINGERPRINT).is_file() and (target / FINGERPRINT).read_text() == stamp:
        return target, False
    files = render_generated(registry, project)  # before any copying: a meaning error leaves the old project in place
    build = root / f".assembling-{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    for name, path in _project_files(project):
        dest = build / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    for rel, text in files.items():
        dest = build / project.name / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    (build / project.name / FINGERPRINT).write_text(stamp)
    root.mkdir(parents=True, exist_ok=True)
    for child in sorted(build.iterdir()):
        old = root / f".old-{os.getpid()}-{child.name}"
        live = root / child.name
        if live.exists():
            live.rename(old)
        child.rename(live)
        shutil.rmtree(old, ignore_errors=True)
    build.rmdir()
    return target, True

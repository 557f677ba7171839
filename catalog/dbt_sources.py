"""Render dbt's sources YAML (dbt_project/models/staging/_sources.yml) from the source registry."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from catalog.registry import Entity, Registry, SourceField, SourceSystem, load_registry

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES_YAML = REPO_ROOT / "dbt_project" / "models" / "staging" / "_sources.yml"
LEGACY_DIR = REPO_ROOT / "dbt_project" / "models" / "staging" / "legacy"
PERSON_MENTIONS_SQL = LEGACY_DIR / "stg_legacy__person_mentions.sql"
ORG_MENTIONS_SQL = LEGACY_DIR / "stg_legacy__org_mentions.sql"
REGENERATE = "python -m catalog.dbt_sources"

_HEADER = f"""\
# GENERATED from catalog/sources/*.yaml by `{REGENERATE}`. Do not edit by hand:
# change the registry and regenerate (tests/unit/test_dbt_sources_drift.py checks this file).
"""


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


def render_sources_yaml(registry: Registry) -> str:
    """The sources YAML for every registered system, in a stable order."""
    document = {"version": 2, "sources": [_source(registry.sources[k]) for k in sorted(registry.sources)]}
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
    return _HEADER + body


def write_sources_yaml(registry: Registry, path: Path = SOURCES_YAML) -> Path:
    path.write_text(render_sources_yaml(registry), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- generic staging of mentions

_SQL_HEADER = f"""\
-- GENERATED from catalog/sources/*.yaml by `{REGENERATE}`. Do not edit by hand.
-- Every source entity with `staging: generic` whose fields carry canonical attributes, staged the same way:
-- current rows (macro deduplicate), one row per {{what}} mentioned (fields grouped by their registry `role`),
-- free text cleaned and identifiers normalised with their reason. Columns are those of {{model}}.
"""

PERSON_ATTRS = (
    "person_name",
    "citizen_id",
    "sex",
    "birth_date",
    "phone",
    "village_code",
    "household_no",
    "address",
    "house_no",
)
ORG_ATTRS = ("org_name", "uscc", "entity_type", "village_code", "address")


def _roles(fields: list[SourceField], anchor: str, attrs: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """role -> canonical attribute -> column, for every role that has the anchor attribute (citizen_id / uscc)."""
    roles: dict[str, dict[str, str]] = {}
    for f in fields:
        if f.canonical in attrs:
            roles.setdefault(f.role or "subject", {}).setdefault(f.canonical, f.name)
    return {r: cols for r, cols in roles.items() if anchor in cols}


def _generic_entities(registry: Registry, anchor: str, attrs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    for key in sorted(registry.sources):
        system = registry.sources[key]
        if system.staging != "generic":
            continue
        for entity in system.entities:
            roles = _roles(entity.fields, anchor, attrs)
            if roles:
                yield system, entity, roles


def _record_id(entity: Entity) -> str:
    keys = [f"cast({k} as {{{{ text }}}})" for k in entity.primary_key]
    return " || '|' || ".join(keys) if len(keys) > 1 else keys[0]


def _render_mentions(registry: Registry, kind: str) -> str:
    person = kind == "person"
    anchor, attrs = ("citizen_id", PERSON_ATTRS) if person else ("uscc", ORG_ATTRS)
    items = list(_generic_entities(registry, anchor, attrs))
    model = "int_person_mentions" if person else "int_org_mentions"
    out = [_SQL_HEADER.format(what="person" if person else "organisation", model=model)]
    out.append("{%- set text = dbt.type_string() %}\n\nwith\n")
    for system, entity, _ in items:
        cte = f"{system.id}__{entity.name}"
        out.append(
            f"src__{cte} as (select * from {{{{ source('{system.id}', '{entity.name}') }}}}),\n"
            f"cur__{cte} as ({{{{ deduplicate('src__{cte}', '{system.id}', '{entity.name}') }}}}),\n"
        )
    selects = []
    for system, entity, roles in items:
        cte = f"cur__{system.id}__{entity.name}"
        for role, cols in roles.items():

            def col(attr: str, wrap: str = "text", cols: dict[str, str] = cols) -> str:
                if attr not in cols:
                    return "cast(null as date)" if wrap == "date" else "cast(null as {{ text }})"
                if wrap == "date":
                    return f"cast({cols[attr]} as date)"
                return f"cast({cols[attr]} as {{{{ text }}}})"

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
                f"        _received_at as observed_at, _delivery_id\n"
                f"    from {cte}\n    where {present}"
            )
    out.append("mentions as (\n" + "\n    union all\n".join(selects) + "\n),\n\n")
    if person:
        out.append(
            "cleaned as (\n    select mentions.*, {{ clean_identifier('id_number') }} as id_number_clean\n"
            "    from mentions\n)\n\n"
            "select\n    source_id,\n    entity,\n    record_id,\n    role,\n    {{ clean_name('name') }} as name,\n"
            "    {{ citizen_id_columns('id_number') }},\n    {{ standard_sex('sex') }} as sex,\n    birth_date,\n"
            "    {{ clean_phone('phone') }} as phone,\n    {{ clean_text('village_code') }} as village_code,\n"
            "    {{ clean_text('household_no') }} as household_no,\n    {{ clean_text('address') }} as address,\n"
            "    {{ clean_text('house_no') }} as house_no,\n    observed_at,\n    _delivery_id\nfrom cleaned\n"
        )
    else:
        out.append(
            "cleaned as (\n    select mentions.*, {{ clean_identifier('uscc') }} as uscc_clean from mentions\n)\n\n"
            "select\n    source_id,\n    entity,\n    record_id,\n    role,\n    {{ clean_name('name') }} as name,\n"
            "    {{ uscc_columns('uscc') }},\n    {{ clean_text('entity_type') }} as entity_type,\n"
            "    -- 个体工商户: their codes start 92 (registration authority 9, organisation type 2)\n"
            "    coalesce(entity_type like '%个体%', false) or uscc_clean like '92%' as is_sole_trader,\n"
            "    {{ clean_text('village_code') }} as village_code,\n    {{ clean_text('address') }} as address,\n"
            "    observed_at,\n    _delivery_id\nfrom cleaned\n"
        )
    return "".join(out)


def render_generated_models(registry: Registry) -> dict[Path, str]:
    """Every generated, committed dbt file: the sources YAML and the two legacy mention models."""
    return {
        SOURCES_YAML: render_sources_yaml(registry),
        PERSON_MENTIONS_SQL: _render_mentions(registry, "person"),
        ORG_MENTIONS_SQL: _render_mentions(registry, "org"),
    }


def main() -> int:
    registry = load_registry()
    if registry.errors:
        for error in registry.errors:
            print(error, file=sys.stderr)
        return 1
    for path, text in render_generated_models(registry).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(REPO_ROOT)} ({len(registry.sources)} sources)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

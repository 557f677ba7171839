"""Datasets and fields as dbt's manifest describes them: the single reader of the facts in the marts' YAML `meta`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class CatalogError(ValueError):
    """The catalog is incomplete or inconsistent; `problems` names every offender."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} catalog problem(s):\n" + "\n".join(f"  - {p}" for p in problems))


class OpenLevel(StrEnum):
    open = "无条件开放"
    conditional = "有条件开放"
    closed = "不予开放"


class SecurityGrade(StrEnum):
    general = "一般"
    important = "重要"
    core = "核心"


class FieldClass(StrEnum):
    direct_identifier = "direct_identifier"
    quasi_identifier = "quasi_identifier"
    sensitive = "sensitive"
    plain = "plain"


class Channel(StrEnum):
    api = "api"
    datasette = "datasette"
    roster = "roster"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Field(_Frozen):
    name: str
    title: str
    description: str = ""
    data_type: str | None = None
    field_class: FieldClass
    mask: str | None = None  # optional meta `mask`: id_number | phone | name | text; otherwise guessed from the name
    facet: bool | None = None  # optional meta `facet`: offer it as a facet in Datasette
    search: bool | None = None  # optional meta `search`: full-text searchable in Datasette (SQLite trigram FTS5)
    unit: str | None = None  # optional meta `unit`: what a number counts (人, 件, 条), shown beside its title
    # optional meta `personal_when`: a boolean column of the same dataset; where it is true the value identifies a
    # person (a sole trader's credit code) and is treated as a direct identifier of its kind.
    personal_when: str | None = None


class Dataset(_Frozen):
    id: str
    title: str
    description: str = ""
    open_level: OpenLevel
    security_grade: SecurityGrade
    owner_department: str
    primary_key: tuple[str, ...]
    publish: tuple[Channel, ...] = ()
    # meta `suppress_small_cells`: count columns of a published aggregate; cells under settings.roster_min_cell
    # are published empty (PIPL: small cells can single a person out)
    suppress_small_cells: tuple[str, ...] = ()
    # meta `theme`, `cadence`, `license`: what an open-data catalogue files a dataset under (主题), how often it is
    # refreshed (更新频率) and on what terms it may be used (开放许可); required of every dataset published to the api
    theme: str | None = None
    cadence: str | None = None
    license: Literal["open", "conditional"] | None = None  # catalog.channels.LICENSES holds each one's text
    fields: tuple[Field, ...]
    relation: str  # schema.table where dbt built it

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def published_to(self, channel: Channel | str) -> bool:
        return Channel(channel) in self.publish


_MODEL_REQUIRED = ("title", "open_level", "security_grade", "owner_department", "primary_key")
_FIELD_REQUIRED = ("title", "field_class")
_API_REQUIRED = ("theme", "cadence", "license")


def _meta(node: dict[str, Any]) -> dict[str, Any]:
    # dbt ≥1.10 keeps meta under config; older manifests (and some YAML styles) fill the top-level copy.
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _is_mart(node: dict[str, Any]) -> bool:
    fqn = node.get("fqn") or []
    # an ephemeral model (a query the marts beside it share) is inlined into them: no table, so no dataset
    ephemeral = (node.get("config") or {}).get("materialized") == "ephemeral"
    return node.get("resource_type") == "model" and "marts" in fqn[1:-1] and not ephemeral


def load_datasets(manifest_path: str | Path) -> list[Dataset]:
    """Every mart in the manifest as a Dataset, sorted by id; raises CatalogError listing every missing fact."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    return datasets_from_manifest(manifest)


def datasets_from_manifest(manifest: dict[str, Any]) -> list[Dataset]:
    problems: list[str] = []
    datasets: list[Dataset] = []
    for unique_id, node in sorted((manifest.get("nodes") or {}).items()):
        if not _is_mart(node):
            continue
        dataset = _dataset(unique_id, node, problems)
        if dataset is not None:
            datasets.append(dataset)
    if problems:
        raise CatalogError(problems)
    return sorted(datasets, key=lambda d: d.id)


def _dataset(unique_id: str, node: dict[str, Any], problems: list[str]) -> Dataset | None:
    meta = _meta(node)
    before = len(problems)
    problems.extend(f"{unique_id}: meta `{k}` is missing" for k in _MODEL_REQUIRED if meta.get(k) in (None, "", []))
    fields: list[Field] = []
    for col_name, col in (node.get("columns") or {}).items():
        col_meta = _meta(col)
        missing = [k for k in _FIELD_REQUIRED if not col_meta.get(k)]
        if missing:
            problems.append(f"{unique_id} column `{col_name}`: meta {', '.join(f'`{k}`' for k in missing)} missing")
            continue
        try:
            fields.append(
                Field(
                    name=col_name,
                    title=col_meta["title"],
                    description=col.get("description") or "",
                    data_type=col.get("data_type"),
                    field_class=col_meta["field_class"],
                    mask=col_meta.get("mask"),
                    facet=col_meta.get("facet"),
                    unit=col_meta.get("unit"),
                    search=col_meta.get("search"),
                    personal_when=col_meta.get("personal_when"),
                )
            )
        except ValueError as exc:
            problems.append(f"{unique_id} column `{col_name}`: {_first_error(exc)}")
    if not fields:
        problems.append(f"{unique_id}: no documented columns")
    names = {f.name for f in fields}
    unknown_keys = [k for k in meta.get("primary_key") or [] if k not in names]
    problems.extend(
        f"{unique_id} column `{f.name}`: personal_when names undocumented column `{f.personal_when}`"
        for f in fields
        if f.personal_when and f.personal_when not in names
    )
    unknown_cells = [c for c in meta.get("suppress_small_cells") or [] if c not in names]
    if unknown_cells:
        problems.append(f"{unique_id}: suppress_small_cells names undocumented columns {unknown_cells}")
    if unknown_keys and len(problems) == before:
        problems.append(f"{unique_id}: primary_key names undocumented columns {unknown_keys}")
    if len(problems) > before:
        return None
    try:
        dataset = Dataset(
            id=node["name"],
            title=meta["title"],
            description=node.get("description") or meta.get("description") or "",
            open_level=meta["open_level"],
            security_grade=meta["security_grade"],
            owner_department=meta["owner_department"],
            primary_key=tuple(meta["primary_key"]),
            publish=tuple(meta.get("publish") or ()),
            suppress_small_cells=tuple(meta.get("suppress_small_cells") or ()),
            theme=meta.get("theme"),
            cadence=meta.get("cadence"),
            license=meta.get("license"),
            fields=tuple(fields),
            relation=f"{node.get('schema') or 'marts'}.{node.get('alias') or node['name']}",
        )
    except ValueError as exc:
        problems.append(f"{unique_id}: {_first_error(exc)}")
        return None
    if dataset.open_level is OpenLevel.closed and Channel.api in dataset.publish:
        problems.append(f"{unique_id}: open_level 不予开放 cannot be published to the api")
        return None
    if Channel.api in dataset.publish:
        missing = [k for k in _API_REQUIRED if not meta.get(k)]
        if missing or not dataset.description:
            what = ", ".join(f"`{k}`" for k in missing) or "a description"
            problems.append(f"{unique_id}: published to the api without {what}")
            return None
    return dataset


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(f"`{'.'.join(map(str, e['loc']))}` {e['msg']} (got {e.get('input')!r})" for e in errors())
    return str(exc)

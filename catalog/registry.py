"""The source-system registry: one YAML entry per upstream system, validated, with errors per file."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SOURCES_DIR = Path(__file__).resolve().parent / "sources"

FieldType = Literal["varchar", "integer", "bigint", "decimal", "double", "date", "timestamp", "boolean"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceField(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="column name in the raw table")
    header: str = Field(description="the column as the source system names it")
    path: str | None = Field(
        default=None,
        pattern=r"^[^.\s]+(\.[^.\s]+)*$",
        description="JSON: dot path of a nested value inside a record, e.g. person.xm (default: the header, top level)",
    )
    type: FieldType = "varchar"
    required: bool = False
    date_format: str | None = Field(default=None, description="strptime format when the source does not use ISO dates")
    canonical: str | None = Field(default=None, description="canonical attribute this field carries")
    role: str | None = Field(
        default=None,
        description="whose attribute it is when a row mentions several people or organisations (mother, father, …)",
    )
    title: str = Field(description="Chinese title")


class Entity(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    locator: str = Field(description="file glob (file_drop), path (http_api) or table (database)")
    cursor_field: str | None = Field(default=None, description="incremental high-water mark, in the source's naming")
    primary_key: list[str]
    fields: list[SourceField]
    mentions: Mentions | None = Field(
        default=None, description="custom staging: the staged model and columns that mention people and organisations"
    )
    credit: Credit | None = None
    events: list[LifeEvent] = Field(default_factory=list)
    evidence: Evidence | None = Field(
        default=None,
        description="the entity's rows are evidence that survivorship weighs beside the mentions (e.g. corrections "
        "the villages sent and the owning department accepted): its priority and the residence an address makes",
    )

    @model_validator(mode="after")
    def _keys_are_fields(self) -> Entity:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate field names in entity {self.name}")
        missing = [k for k in self.primary_key if k not in names]
        if missing:
            raise ValueError(f"primary_key names unknown fields: {missing}")
        return self


class Column(_Strict):
    """A value read from a column of each row, where a literal would otherwise be given."""

    column: str


# the canonical attributes a mention of a person / an organisation carries (the first is the identifier)
PERSON_ATTRIBUTES = (
    "citizen_id",
    "person_name",
    "sex",
    "birth_date",
    "phone",
    "village_code",
    "household_no",
    "address",
    "house_no",
)
ORG_ATTRIBUTES = ("uscc", "org_name", "entity_type", "village_code", "address")


class MentionRole(_Strict):
    """One role in which a hand-staged model's rows mention a person or an organisation."""

    role: str
    kind: Literal["person", "organisation"]
    columns: dict[str, str] = Field(
        description="canonical attribute -> column of the staged model; citizen_id and uscc name the normalised "
        "column, beside which the staged model carries <column>_raw and <column>_reason"
    )
    observed_at: str = Field(default="_received_at", description="column saying when the source observed the row")
    where: str | None = Field(default=None, description="SQL condition on the staged model's rows that mention one")
    district_register: Literal["household", "enterprise", "grid_population"] | None = Field(
        default=None,
        description="the district register these mentions make up (户籍, 市场主体登记, 网格实有人口): the rules that "
        "prefer or read a register find it by this, never by a source id",
    )

    @model_validator(mode="after")
    def _columns_are_attributes(self) -> MentionRole:
        # a hand-staged model may say outright whether an organisation is a sole trader; generic staging infers it
        known = PERSON_ATTRIBUTES if self.kind == "person" else (*ORG_ATTRIBUTES, "is_sole_trader")
        unknown = sorted(set(self.columns) - set(known))
        if unknown:
            raise ValueError(f"{self.kind} mentions carry only {', '.join(known)}; not {', '.join(unknown)}")
        if known[0] not in self.columns:
            raise ValueError(f"a {self.kind} mention names the column of its {known[0]}")
        return self


class Mentions(_Strict):
    """Which staged model carries a custom-staged entity's people and organisations, and in which columns."""

    model: str = Field(pattern=r"^stg_[a-z0-9_]+$")
    roles: list[MentionRole]


class Credit(_Strict):
    """The entity's rows are credit records (许可、处罚、名单 …): of which type, about whom, decided when."""

    record_type: str | Column
    title: str | Column
    authority: str | Column
    subject: Literal["person", "enterprise"] | Column
    date: str = Field(description="column of the decision date")
    model: str | None = Field(default=None, description="custom staging: the staged model holding the records")
    record_no: str | None = Field(default=None, description="column of the record number (default: the primary key)")
    subject_id: str | None = Field(
        default=None,
        description="column of a normalised ID that keys the subject directly; without it the subject is the "
        "person or organisation that entity resolution found for the entity's mention in role `subject`",
    )


class LifeEvent(_Strict):
    """The entity's rows record a life event of the people it mentions (no-application services start from it)."""

    kind: Literal["birth", "death", "marriage"]
    date: str = Field(description="column of the event's date")
    roles: list[str] | None = Field(default=None, description="mention roles the event is about (default: every one)")
    preference: int = Field(
        default=1, description="when several sources record one person's death, the lowest preference counts"
    )
    model: str | None = Field(default=None, description="custom staging: the staged model holding the records")
    record_id: str | None = Field(default=None, description="column of the record id (default: the primary key)")
    where: str | None = Field(default=None, description="SQL condition on the rows that record the event")


class Evidence(_Strict):
    """How survivorship weighs an evidence entity's values: the rules read this, never its source id."""

    priority: int = Field(
        ge=0,
        description="survivorship priority of its values for every attribute, as in seed person_attribute_priority "
        "(lower wins; 0 beats every source the seed ranks)",
    )
    residence_kind: Literal["registered", "actual", "rented", "owned"] | None = Field(
        default=None, description="an address it carries is a residence of this kind (person_residence)"
    )


class Connector(_Strict):
    kind: Literal["http_api", "database", "file_drop", "upload"]
    location: str = Field(
        description="URL, database file or folder; {upstream}, {onewindow_url} and {uploads} are expanded"
    )
    driver: Literal["sqlite"] | None = None
    page_size: int = 500
    paging: Literal["page", "cursor"] = Field(
        default="page",
        description="http_api: 'page' asks for page numbers (page, page_size); 'cursor' follows the token each answer "
        "gives in `next_field`, sent back as `cursor_param` (keyset paging: the last page as fast as the first)",
    )
    next_field: str = Field(
        default="next", description="http_api, cursor paging: the answer's field with the next token"
    )
    cursor_param: str = Field(default="cursor", description="http_api, cursor paging: the query parameter taking it")
    concurrency: int = Field(
        default=1,
        ge=1,
        le=8,
        description="http_api, page paging: pages requested at once, where the upstream permits it",
    )
    delivery_records: int = Field(
        default=50_000,
        ge=1,
        description="http_api / database: records per landed delivery. Pages are written to landing as they arrive; "
        "a delivery is landed each time this many records are complete, so a pull of any size holds one page in memory",
    )


class Format(_Strict):
    kind: Literal["csv", "xlsx", "json", "jsonl"]
    encoding: str = "utf-8"
    delimiter: str = ","
    quote: str = '"'
    header_row: int = Field(default=1, ge=1, description="1-based row of the header; rows above it are titles")
    header_rows: int = Field(
        default=1, ge=1, le=3, description='rows the header spans; cells of a multi-row header are joined "group/sub"'
    )
    sheet: str | None = Field(default=None, description="xlsx: the sheet to read (default: the first)")
    record_path: str | None = Field(
        default=None,
        pattern=r"^[^.\s]+(\.[^.\s]+)*$",
        description="json: dot path of the list of records inside the document, e.g. data.list (default: the root)",
    )
    pages: str | None = Field(
        default=None,
        description="json/jsonl: a regular expression whose one group is the page number in a file name, e.g. "
        "_p(\\d+); files whose names differ only there are the pages of one delivery, landed and loaded as one",
    )
    page_total: str | None = Field(
        default=None,
        pattern=r"^[^.\s]+(\.[^.\s]+)*$",
        description="json pages: dot path of the delivery's record count in each page (e.g. data.total); the pages "
        "land only once their records add up to it (without it: once pages 1..n are all there)",
    )

    @model_validator(mode="after")
    def _fits_kind(self) -> Format:
        if len(self.delimiter) != 1 or len(self.quote) != 1:
            raise ValueError("delimiter and quote must be one character each")
        if self.kind != "csv" and self.encoding.lower() not in ("utf-8", "utf8"):
            raise ValueError(f"{self.kind} deliveries are UTF-8; encoding {self.encoding!r} applies to csv only")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {self.encoding!r}") from None
        if self.record_path and self.kind != "json":
            raise ValueError("record_path applies to json deliveries only")
        if self.pages is not None:
            if self.kind not in ("json", "jsonl"):
                raise ValueError("pages applies to json and jsonl deliveries only")
            try:
                groups = re.compile(self.pages).groups
            except re.error as exc:
                raise ValueError(f"pages is not a regular expression: {exc}") from None
            if groups != 1:
                raise ValueError("pages needs exactly one group: the page number")
        if self.page_total and (self.pages is None or self.kind != "json"):
            raise ValueError("page_total applies to paged json deliveries only")
        return self


class SourceSystem(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str
    owner_department: str
    connector: Connector
    format: Format
    schedule: Literal["hourly", "daily", "weekly", "monthly"]
    freshness_hours: int
    delivery_mode: Literal["incremental", "snapshot"]
    staging: Literal["generic", "custom"] = Field(
        default="generic",
        description="generic: staged from the registry by dbt (canonical columns); custom: a hand-written model",
    )
    entities: list[Entity]

    @model_validator(mode="after")
    def _paths_need_json(self) -> SourceSystem:
        nested = [f"{e.name}.{f.name}" for e in self.entities for f in e.fields if f.path]
        if nested and self.format.kind not in ("json", "jsonl"):
            raise ValueError(f"field paths apply to json and jsonl deliveries only: {', '.join(nested)}")
        return self

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)

    def raw_table(self, entity: str) -> str:
        return f"{self.id}__{entity}"


@dataclass(frozen=True)
class RegistryError:
    file: Path
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.file.name}: {self.location}: {self.message}"


@dataclass(frozen=True)
class Registry:
    sources: dict[str, SourceSystem]
    errors: list[RegistryError]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.sources.values())

    def __getitem__(self, source_id: str) -> SourceSystem:
        return self.sources[source_id]


# libyaml's safe loader when PyYAML was built with it: the same documents, parsed ~6x faster (157 entries are
# read by every process that builds the Dagster definitions)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_entry(path: Path) -> SourceSystem:
    return SourceSystem.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER))


def registry_dirs(extra: str | None = None) -> tuple[Path, ...]:
    """The committed registry plus extra folders (os.pathsep-separated, e.g. from ZHONGTAI_REGISTRY_DIRS)."""
    return (SOURCES_DIR, *(Path(p) for p in (extra or "").split(os.pathsep) if p))


def load_registry(*dirs: Path) -> Registry:
    """Load every entry; a broken one is reported with its file and field and does not stop the others."""
    sources: dict[str, SourceSystem] = {}
    errors: list[RegistryError] = []
    for folder in dirs or (SOURCES_DIR,):
        for path in sorted(folder.glob("*.yaml")):
            try:
                entry = load_entry(path)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(p) for p in err["loc"]) or "(entry)"
                    errors.append(RegistryError(path, loc, err["msg"]))
                continue
            except yaml.YAMLError as exc:
                errors.append(RegistryError(path, "(yaml)", str(exc)))
                continue
            if entry.id in sources:
                errors.append(RegistryError(path, "id", f"duplicate source id {entry.id!r}"))
                continue
            sources[entry.id] = entry
    return Registry(sources, errors)

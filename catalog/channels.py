"""Each channel's metadata rendered from the datasets, never described twice: Datasette, API index, Excel headers."""

from __future__ import annotations

from typing import Any

from catalog.datasets import Channel, Dataset
from catalog.masking import CHANNEL_AUDIENCE, Action, OutputField, output_fields

ANALYST_DATABASE = "analyst"
ANALYST_LICENSE = "仅供区内政府部门分析使用，不得对外提供（内部数据，去标识化）"
OPEN_LICENSE = "禅城区公共数据开放许可：可免费使用，须注明来源"
CONDITIONAL_LICENSE = (
    "禅城区公共数据有条件开放协议：经责任部门审批后，仅可按申请的用途、字段和期限使用，不得转让，须注明来源"
)
# meta `license` names one of these; the texts are written here once
LICENSES = {"open": OPEN_LICENSE, "conditional": CONDITIONAL_LICENSE}

# Low-cardinality columns worth a facet when the catalog does not say (meta `facet`).
_FACET_NAMES = {"village_code", "town_code", "town_name", "category", "status", "kind", "sex", "industry", "department"}
_FACET_SUFFIXES = ("_category", "_status", "_type", "_band", "_year")
_SORTABLE_TYPES = (
    "date",
    "timestamp",
    "integer",
    "bigint",
    "smallint",
    "decimal",
    "double",
    "float",
    "numeric",
    "hugeint",
)


def is_sortable(name: str, data_type: str | None, primary_key: list[str] | tuple[str, ...]) -> bool:
    """The one rule for sortable fields (Datasette and the records API): key columns, dates and numbers — the rest
    (free text) would sort in an order nobody asked for. Every declared field of a published dataset is filterable."""
    return name in primary_key or (data_type or "").lower().startswith(_SORTABLE_TYPES)


# The comment the serving writer puts on a table it stored in primary-key order: reading it in that order then
# needs no sort (DuckDB keeps insertion order, preserve_insertion_order), so a whole export streams in constant memory.
STORED_IN_KEY_ORDER = "zhongtai: rows stored in primary-key order"


def channel_fields(dataset: Dataset, channel: Channel | str) -> list[OutputField]:
    return output_fields(dataset, CHANNEL_AUDIENCE[Channel(channel)])


def _is_facet(o: OutputField, dataset: Dataset) -> bool:
    if o.source.facet is not None:
        return o.source.facet
    if list(dataset.primary_key) == [o.name]:
        return False
    return o.name in _FACET_NAMES or o.name.endswith(_FACET_SUFFIXES)


def _column_doc(o: OutputField) -> str:
    # Many dbt descriptions restate the title; say it once ("企业名称", not "企业名称：企业名称").
    described = o.description and o.description.strip() != o.title
    doc = (
        o.title + (f"（单位：{o.source.unit}）" if o.source.unit else "") + (f"：{o.description}" if described else "")
    )
    if o.action is Action.generalise:
        doc += "（已泛化）"
    elif o.action is Action.mask:
        doc += "（已脱敏）"
    return doc


def datasette_metadata(
    datasets: list[Dataset],
    sources: dict[str, list[str]] | None = None,
    queries: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Datasette metadata.json for the analyst database: Chinese titles, licences, sources (dataset id → the source
    systems' titles, from lineage), units, sortable columns, facets, and canned queries (`queries`, each naming the
    table it reads as `table`; each table's first facet gets a count query, `<table>_by_<facet>`)."""
    tables: dict[str, Any] = {}
    canned: dict[str, Any] = {}
    for d in datasets:
        if not d.published_to(Channel.datasette):
            continue
        outs = channel_fields(d, Channel.datasette)
        facets = [o.name for o in outs if _is_facet(o, d)]
        sortable = [o.name for o in outs if is_sortable(o.name, o.data_type, d.primary_key)]
        tables[d.id] = {
            "title": d.title,
            "description": f"{d.description}\n\n开放等级：{d.open_level}；安全级别：{d.security_grade}；"
            f"责任部门：{d.owner_department}。",
            "columns": {o.name: _column_doc(o) for o in outs},
            "sortable_columns": sortable,
            "facets": facets,
            "size": 50,
        }
        if search_columns(d):
            tables[d.id].update(fts_table=fts_table(d.id), fts_pk="rowid", searchmode="escaped")
        if (sources or {}).get(d.id):
            tables[d.id]["source"] = "来源：" + "、".join(sources[d.id])  # type: ignore[index]
        # every table with a facet gets its own first question, however many tables there are: a global cap
        # dropped whichever tables came late in the catalog's order (grid_event once the credit datasets arrived)
        if facets:
            facet = next(o for o in outs if o.name == facets[0])
            canned[f"{d.id}_by_{facet.name}"] = {
                "title": f"{d.title}：按{facet.title}统计",
                "description": f"{d.title}的记录数，按{facet.title}分组。",
                "sql": f'select "{facet.name}", count(*) as "记录数" from "{d.id}" group by 1 order by 2 desc',
            }
    return {
        "title": "中台数据分析（去标识化）",
        "description": "禅城区公共数据中台的去标识化数据集，供区内部门分析人员浏览与查询。"
        "Direct identifiers are removed; dates of quasi-identifiers are generalised to years.",
        "license": ANALYST_LICENSE,
        "databases": {
            ANALYST_DATABASE: {
                "title": "分析库",
                "description": "每个数据集一张表；字段说明为中文标题与描述。",
                "license": ANALYST_LICENSE,
                "tables": tables,
                "queries": {**canned, **_queries_on(tables, queries or {})},
            }
        },
    }


def fts_table(dataset_id: str) -> str:
    return f"{dataset_id}_fts"


def search_columns(dataset: Dataset) -> list[str]:
    """The analyst columns of a dataset that get full-text search (meta `search`), as the analyst policy keeps them."""
    return [o.name for o in channel_fields(dataset, Channel.datasette) if o.source.search and o.action is Action.keep]


def _queries_on(tables: dict[str, Any], queries: dict[str, Any]) -> dict[str, Any]:
    """The canned queries whose `table` is published (that key is ours, not Datasette's: it is left out)."""
    return {
        name: {k: v for k, v in query.items() if k != "table"}
        for name, query in queries.items()
        if query.get("table") in tables
    }


def api_dataset_entry(
    dataset: Dataset, *, rows: int | None = None, types: dict[str, str] | None = None
) -> dict[str, Any]:
    """One dataset as the open-data API describes it; `types` are the serving table's actual column types."""
    return {
        "id": dataset.id,
        "title": dataset.title,
        "description": dataset.description,
        "open_level": str(dataset.open_level),
        "security_grade": str(dataset.security_grade),
        "owner_department": dataset.owner_department,
        "theme": dataset.theme,
        "cadence": dataset.cadence,
        "license": LICENSES[dataset.license or "open"],
        "primary_key": list(dataset.primary_key),
        "rows": rows,
        "fields": [
            {
                "name": o.name,
                "title": o.title,
                "description": o.description,
                "data_type": (types or {}).get(o.name, o.data_type),
            }
            for o in channel_fields(dataset, Channel.api)
        ],
    }


def api_catalog(
    datasets: list[Dataset],
    *,
    rows: dict[str, int] | None = None,
    types: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The API's dataset index: every dataset published to the api channel, through the public policy."""
    return {
        "datasets": [
            api_dataset_entry(d, rows=(rows or {}).get(d.id), types=(types or {}).get(d.id))
            for d in datasets
            if d.published_to(Channel.api)
        ]
    }


def excel_headers(dataset: Dataset, channel: Channel | str = Channel.roster) -> list[tuple[str, str]]:
    """(column, Chinese header) pairs in order, for the channel's Excel files."""
    return [(o.name, o.title) for o in channel_fields(dataset, channel)]

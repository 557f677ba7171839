"""The published datasets as a DCAT-AP 3.0 catalogue in JSON-LD, rendered from the same facts as every channel."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from catalog.channels import ANALYST_DATABASE, ANALYST_LICENSE, OPEN_LICENSE
from catalog.datasets import Channel, Dataset, OpenLevel

CATALOG_PUBLISHER = "禅城区政务服务数据管理局"
CATALOG_TITLE = "禅城区公共数据开放目录"
CATALOG_DESCRIPTION = (
    "禅城区公共数据中台通过开放数据接口与分析库发布的数据集目录。"
    "直接标识符不进入开放数据；有条件开放数据须经审批后使用。"
)

_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# EU Publications Office authority tables: the controlled vocabularies DCAT-AP recommends.
_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
_ACCESS = {
    OpenLevel.open: ("PUBLIC", "无条件开放：任何人可免费获取"),
    OpenLevel.conditional: ("RESTRICTED", "有条件开放：经审批的注册企业按批准用途使用"),
    OpenLevel.closed: ("NON_PUBLIC", "不予开放"),
}
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
_THEMES = {"ECON": "经济和金融", "SOCI": "人口与社会", "GOVE": "政府和公共部门", "JUST": "司法、法律体系和公共安全"}
# Which theme a dataset falls under, by words in its id; the catalog has no theme meta yet (GOVE otherwise).
_THEME_WORDS = (
    (("enterprise", "legal_person", "credit", "market"), "ECON"),
    (("village", "population", "person", "household"), "SOCI"),
    (("penalty", "court"), "JUST"),
)


def _zh(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "zh"}


def _agent(base_url: str, name: str) -> dict[str, Any]:
    return {"@id": f"{base_url}/v1/agents/{quote(name)}", "@type": "foaf:Agent", "foaf:name": _zh(name)}


def _theme(dataset: Dataset) -> str:
    for words, code in _THEME_WORDS:
        if any(w in dataset.id for w in words):
            return code
    return "GOVE"


def _license(base_url: str, *, analyst: bool = False) -> dict[str, Any]:
    which, text = ("analyst", ANALYST_LICENSE) if analyst else ("open", OPEN_LICENSE)
    return {"@id": f"{base_url}/v1/license#{which}", "@type": "dct:LicenseDocument", "rdfs:label": _zh(text)}


def _distribution(
    base_url: str, *, url: str, media: str, file_type: str, title: str, download: bool, analyst: bool = False
) -> dict[str, Any]:
    dist: dict[str, Any] = {
        "@id": f"{url}#distribution",
        "@type": "dcat:Distribution",
        "dct:title": _zh(title),
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": f"http://www.iana.org/assignments/media-types/{media}", "@type": "dct:MediaType"},
        "dct:format": {"@id": _FILE_TYPE + file_type, "@type": "dct:MediaTypeOrExtent"},
        "dct:license": _license(base_url, analyst=analyst),
    }
    if download:
        dist["dcat:downloadURL"] = {"@id": url}
    return dist


def dcat_dataset(
    dataset: Dataset, *, base_url: str, created_at: str, datasette_url: str | None = None
) -> dict[str, Any]:
    """One dataset as a dcat:Dataset; its distributions are the channels it is published to.

    api: the records endpoint (JSON) and, for 无条件开放 datasets, the bulk CSV export; datasette: the analyst
    table (HTML, internal licence), when `datasette_url` is given.
    """
    base = f"{base_url}/v1/datasets/{dataset.id}"
    code, label = _ACCESS[dataset.open_level]
    theme = _theme(dataset)
    distributions = []
    if dataset.published_to(Channel.api):
        distributions.append(
            _distribution(
                base_url,
                url=f"{base}/records",
                media="application/json",
                file_type="JSON",
                title=f"{dataset.title}（开放数据接口，按主键分页）",
                download=False,
            )
        )
    if dataset.published_to(Channel.api) and dataset.open_level is OpenLevel.open:
        distributions.append(
            _distribution(
                base_url,
                url=f"{base}/export.csv",
                media="text/csv",
                file_type="CSV",
                title=f"{dataset.title}（CSV 批量下载）",
                download=True,
            )
        )
    if dataset.published_to(Channel.datasette) and datasette_url:
        distributions.append(
            _distribution(
                base_url,
                url=f"{datasette_url.rstrip('/')}/{ANALYST_DATABASE}/{dataset.id}",
                media="text/html",
                file_type="HTML",
                title=f"{dataset.title}（分析库，去标识化，仅限区内部门）",
                download=False,
                analyst=True,
            )
        )
    return {
        "@id": base,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.id,
        "dct:title": _zh(dataset.title),
        "dct:description": _zh(dataset.description or dataset.title),
        "dct:publisher": _agent(base_url, dataset.owner_department),
        "dcat:contactPoint": {
            "@id": f"{base_url}/v1/agents/{quote(dataset.owner_department)}#contact",
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": _zh(dataset.owner_department),
        },
        "dcat:keyword": [_zh(dataset.title), _zh(str(dataset.open_level)), _zh(dataset.owner_department)],
        "dcat:theme": {"@id": _DATA_THEME + theme, "@type": "skos:Concept", "skos:prefLabel": _zh(_THEMES[theme])},
        "dct:accessRights": {"@id": _ACCESS_RIGHT + code, "@type": "dct:RightsStatement", "rdfs:label": _zh(label)},
        "dct:modified": {"@value": created_at, "@type": "xsd:dateTime"},
        "dcat:distribution": distributions,
    }


def dcat_catalog(
    datasets: list[Dataset], *, base_url: str, version: str, created_at: str, datasette_url: str | None = None
) -> dict[str, Any]:
    """JSON-LD dcat:Catalog of the datasets published to the api or Datasette; valid against DCAT-AP 3.0.0 SHACL."""
    base_url = base_url.rstrip("/")
    published = [d for d in datasets if d.published_to(Channel.api) or d.published_to(Channel.datasette)]
    return {
        "@context": _CONTEXT,
        "@id": f"{base_url}/v1/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _zh(CATALOG_TITLE),
        "dct:description": _zh(f"{CATALOG_DESCRIPTION}（版本 {version}）"),
        "dct:publisher": _agent(base_url, CATALOG_PUBLISHER),
        "dct:license": _license(base_url),
        "dct:modified": {"@value": created_at, "@type": "xsd:dateTime"},
        "dcat:version": version,
        "dcat:dataset": [
            dcat_dataset(d, base_url=base_url, created_at=created_at, datasette_url=datasette_url) for d in published
        ],
    }

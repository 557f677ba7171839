"""The DCAT-AP catalogue conforms to the official DCAT-AP 3.0.0 SHACL shapes and says what the catalog says."""

from __future__ import annotations

import json
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from catalog.datasets import Channel, Dataset, load_datasets
from catalog.dcat import CATALOG_PUBLISHER, dcat_catalog

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT.parent / "shared" / "reference" / "dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
BASE = "http://127.0.0.1:8000"


def graph_of(datasets: list[Dataset]) -> Graph:
    doc = dcat_catalog(
        datasets,
        base_url=BASE,
        version="v20261101T000000Z",
        created_at="2026-11-01T00:00:00+00:00",
        datasette_url="http://127.0.0.1:8001",
    )
    return Graph().parse(data=json.dumps(doc, ensure_ascii=False), format="json-ld")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    if not SHAPES.exists():
        pytest.fail(f"DCAT-AP 3.0.0 shapes missing at {SHAPES} (../shared/reference beside the clone)")
    return Graph().parse(SHAPES, format="turtle")


def test_catalogue_conforms_to_dcat_ap_3(dbt_manifest: Path, shapes: Graph) -> None:
    datasets = load_datasets(dbt_manifest)
    data = graph_of(datasets)
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", abort_on_first=False)
    assert conforms, report

    published = {d.id for d in datasets if d.published_to(Channel.api) or d.published_to(Channel.datasette)}
    listed = {str(o) for o in data.objects(None, DCTERMS.identifier)}
    assert published and listed == published
    assert not {d.id for d in datasets if not d.publish} & listed  # unpublished marts (natural_person) stay out


def test_catalogue_carries_chinese_titles_publishers_and_access_rights(dbt_manifest: Path, shapes: Graph) -> None:
    datasets = load_datasets(dbt_manifest)
    data = graph_of(datasets)
    catalog = next(data.subjects(RDF.type, DCAT.Catalog))
    publisher = data.value(catalog, DCTERMS.publisher)
    assert data.value(publisher, FOAF.name) == Literal(CATALOG_PUBLISHER, lang="zh")
    assert (catalog, DCTERMS.license, None) in data

    by_id = {d.id: d for d in datasets}
    rights_seen, exports = set(), 0
    for ds in data.subjects(RDF.type, DCAT.Dataset):
        d = by_id[str(data.value(ds, DCTERMS.identifier))]
        assert data.value(ds, DCTERMS.title) == Literal(d.title, lang="zh")
        assert data.value(data.value(ds, DCTERMS.publisher), FOAF.name) == Literal(d.owner_department, lang="zh")
        assert data.value(data.value(ds, DCAT.contactPoint), VCARD.fn) == Literal(d.owner_department, lang="zh")
        rights = str(data.value(ds, DCTERMS.accessRights))
        expected = {"无条件开放": "PUBLIC", "有条件开放": "RESTRICTED", "不予开放": "NON_PUBLIC"}[str(d.open_level)]
        assert rights.endswith("/" + expected)
        rights_seen.add(expected)
        urls = {str(data.value(dist, DCAT.accessURL)) for dist in data.objects(ds, DCAT.distribution)}
        if d.published_to(Channel.api):
            assert f"{BASE}/v1/datasets/{d.id}/records" in urls
        if d.published_to(Channel.api) and str(d.open_level) == "无条件开放":
            assert f"{BASE}/v1/datasets/{d.id}/export.csv" in urls
            media = {str(data.value(dist, DCAT.mediaType)) for dist in data.objects(ds, DCAT.distribution)}
            assert "http://www.iana.org/assignments/media-types/text/csv" in media
            exports += 1
    # the project has every kind (the analyst database's own tables are never opened), so each branch was checked
    assert rights_seen == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"} and exports > 0


def test_a_catalogue_missing_a_mandatory_property_does_not_conform(dbt_manifest: Path, shapes: Graph) -> None:
    """The shapes really bite: drop every dataset title and validation fails naming dct:title."""
    data = graph_of(load_datasets(dbt_manifest))
    for ds in list(data.subjects(RDF.type, DCAT.Dataset)):
        data.remove((ds, DCTERMS.title, None))
    conforms, results, report = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs")
    assert not conforms, report
    paths = set(results.objects(None, SH.resultPath))
    assert paths == {DCTERMS.title}, report

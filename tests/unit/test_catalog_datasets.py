"""The catalog reads dbt's manifest of the real project and refuses a mart whose facts are incomplete, naming every
offender."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog.channels import LICENSES, api_catalog, datasette_metadata, excel_headers
from catalog.datasets import CatalogError, Channel, datasets_from_manifest, load_datasets

# The marts the project publishes somewhere, and those kept inside.
PUBLISHED = {
    "credit_lists", "credit_publicity", "credit_record", "enterprise_credit_grade", "enterprise_directory",
    "grid_event", "grid_governance_kpi", "legal_person", "market_entity_registrations", "market_entity_statistics",
    "public_service_point", "village", "village_household_statistics", "village_population", "village_roster",
    "village_verification",
    # the analyst database's own (marts/analyst)
    "person_profile", "household_profile", "person_enterprise_link", "life_event_count", "service_eligibility_count",
    "enterprise_credit_profile", "village_profile",
}  # fmt: skip


# The open-data API's datasets, written here and not read from the catalog under test: 无条件开放 ones …
OPEN = [
    "credit_lists", "credit_publicity", "enterprise_credit_grade", "enterprise_directory", "grid_event",
    "grid_governance_kpi", "market_entity_registrations", "market_entity_statistics", "public_service_point",
    "village", "village_household_statistics", "village_population",
]  # fmt: skip
# … and the 有条件开放 ones, read only through an approved application
CONDITIONAL = ["credit_record", "legal_person", "village_verification"]


@pytest.fixture
def manifest(dbt_manifest: Path) -> dict[str, Any]:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def meta_of(manifest: dict[str, Any], model: str, column: str | None = None) -> list[dict[str, Any]]:
    """Both copies of a model's (or column's) meta dbt writes: `config.meta` and the top-level `meta`."""
    node = manifest["nodes"][f"model.zhongtai.{model}"]
    if column is not None:
        node = node["columns"][column]
    return [m for m in (node.get("meta"), node["config"].get("meta")) if m is not None]


def test_reads_every_mart_and_only_marts(dbt_manifest: Path, manifest: dict[str, Any]) -> None:
    datasets = {d.id: d for d in load_datasets(dbt_manifest)}
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    marts = {n["name"] for n in models if n["config"]["materialized"] != "ephemeral"}
    assert set(datasets) == marts and marts > PUBLISHED
    # a query marts share (inlined, no table) is no dataset
    assert {n["name"] for n in models} - marts == {"int_public_credit_records"}
    assert {d for d, ds in datasets.items() if ds.publish} == PUBLISHED
    for d in datasets.values():  # what an open-data catalogue files every API dataset under
        if Channel.api in d.publish:
            assert d.title and d.description and d.theme and d.cadence and d.license, d.id
    credit = datasets["credit_record"]
    assert credit.title == "信用记录" and credit.open_level == "有条件开放" and credit.license == "conditional"
    assert credit.publish == (Channel.api, Channel.datasette)
    assert credit.field("decided_on").data_type == "date"
    roster = datasets["village_roster"]
    assert roster.relation == "marts.village_roster"
    assert roster.field("id_number").field_class == "direct_identifier"
    assert datasets["natural_person"].publish == ()
    assert datasets["village_roster"].primary_key == ("village_code", "person_key")


def test_facts_in_the_top_level_meta_alone_are_read(manifest: dict[str, Any]) -> None:
    """Older manifests (and some YAML styles) carry meta only at the top level, not under `config`."""
    node = manifest["nodes"]["model.zhongtai.credit_record"]
    node["meta"] = node["config"].pop("meta")
    for column in node["columns"].values():
        column["meta"] = column["config"].pop("meta")
    credit = next(d for d in datasets_from_manifest(manifest) if d.id == "credit_record")
    assert credit.title == "信用记录" and credit.publish == (Channel.api, Channel.datasette)
    assert credit.field("title").field_class == "sensitive"


def test_a_column_without_a_class_is_named(manifest: dict[str, Any]) -> None:
    for meta in [*meta_of(manifest, "village_roster", "phone"), *meta_of(manifest, "credit_record", "title")]:
        del meta["field_class"]
    with pytest.raises(CatalogError) as err:
        datasets_from_manifest(manifest)
    assert err.value.problems == [
        "model.zhongtai.credit_record column `title`: meta `field_class` missing",
        "model.zhongtai.village_roster column `phone`: meta `field_class` missing",
    ]
    assert "village_roster column `phone`" in str(err.value)


def test_missing_and_invalid_model_facts_are_all_reported(manifest: dict[str, Any]) -> None:
    for meta in meta_of(manifest, "village"):
        del meta["title"]
    for meta in meta_of(manifest, "grid_event"):
        meta["open_level"] = "open"
    for meta in meta_of(manifest, "legal_person", "status"):
        meta["field_class"] = "secret"
    for meta in meta_of(manifest, "natural_person"):
        meta["publish"] = ["api"]
    with pytest.raises(CatalogError) as err:
        datasets_from_manifest(manifest)
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 4, text
    assert "model.zhongtai.village: meta `title` is missing" in text
    assert "model.zhongtai.grid_event:" in text and "open_level" in text
    assert "model.zhongtai.legal_person column `status`" in text and "secret" in text
    assert "model.zhongtai.natural_person: open_level 不予开放 cannot be published to the api" in text


def test_channels_render_from_the_datasets(dbt_manifest: Path) -> None:
    datasets = load_datasets(dbt_manifest)
    meta = datasette_metadata(datasets)
    tables = meta["databases"]["analyst"]["tables"]
    assert set(tables) == {d.id for d in datasets if d.published_to("datasette")}
    assert tables["grid_event"]["title"] == "网格事件"
    assert "legal_rep_name" not in tables["legal_person"]["columns"]  # analysts never see direct identifiers
    assert "legal_rep_person_key" in tables["legal_person"]["columns"]
    assert {"village_code", "category", "status"} <= set(tables["grid_event"]["facets"])
    assert meta["databases"]["analyst"]["queries"]
    index = api_catalog(datasets)["datasets"]
    assert {d["id"]: d["open_level"] for d in index} == {d: "无条件开放" for d in OPEN} | {
        d: "有条件开放" for d in CONDITIONAL
    }
    assert len(OPEN) >= 12 and len(CONDITIONAL) >= 3  # issue 10: what a district opens, at every scale
    for d in index:
        assert d["title"] and d["description"] and d["theme"] and d["cadence"] and d["license"], d["id"]
        assert d["owner_department"].startswith("区") and d["fields"], d["id"]
    assert {d["license"] for d in index} == set(LICENSES.values())
    assert excel_headers(next(d for d in datasets if d.id == "village_roster"))[2] == ("name", "姓名")


def test_a_column_description_that_restates_its_title_is_shown_once(manifest: dict[str, Any]) -> None:
    model = manifest["nodes"]["model.zhongtai.grid_event"]
    column = model["columns"]["category"]
    title = column["config"]["meta"]["title"]
    column["description"] = title
    meta = datasette_metadata(datasets_from_manifest(manifest))
    assert meta["databases"]["analyst"]["tables"]["grid_event"]["columns"]["category"] == title


def test_an_api_dataset_needs_theme_cadence_and_license(manifest: dict[str, Any]) -> None:
    for meta in meta_of(manifest, "credit_lists"):
        del meta["theme"], meta["cadence"]
    for meta in meta_of(manifest, "village"):
        meta["license"] = "anything"
    for meta in meta_of(manifest, "grid_governance_kpi"):
        meta["publish"] = ["datasette"]
        del meta["license"]  # not needed off the api
    with pytest.raises(CatalogError) as err:
        datasets_from_manifest(manifest)
    assert len(err.value.problems) == 2, err.value.problems
    assert "model.zhongtai.credit_lists: published to the api without `theme`, `cadence`" in err.value.problems
    assert any(p.startswith("model.zhongtai.village:") and "license" in p for p in err.value.problems)

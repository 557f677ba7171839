"""The catalog reads dbt's manifest and refuses a mart whose facts are incomplete, naming every offender."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from catalog.channels import api_catalog, datasette_metadata, excel_headers
from catalog.datasets import CatalogError, Channel, datasets_from_manifest, load_datasets

MANIFEST = Path(__file__).resolve().parents[1] / "fixtures" / "marts" / "manifest.json"


@pytest.fixture
def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_reads_every_mart_and_only_marts() -> None:
    datasets = {d.id: d for d in load_datasets(MANIFEST)}
    assert set(datasets) == {
        "credit_record", "enterprise_directory", "grid_event", "legal_person", "natural_person",
        "village", "village_population", "village_roster",
    }  # fmt: skip
    credit = datasets["credit_record"]  # its facts are in the top-level `meta`, not `config.meta`
    assert credit.title == "信用记录" and credit.open_level == "无条件开放"
    assert credit.publish == (Channel.api, Channel.datasette)
    assert credit.field("decision_date").data_type == "date"
    roster = datasets["village_roster"]
    assert roster.relation == "marts.village_roster"
    assert roster.field("id_number").field_class == "direct_identifier"
    assert datasets["natural_person"].publish == ()
    assert datasets["village_population"].primary_key == ("village_code", "sex", "age_band")


def test_a_column_without_a_class_is_named(manifest: dict) -> None:
    del manifest["nodes"]["model.zhongtai.village_roster"]["columns"]["phone"]["config"]["meta"]["field_class"]
    del manifest["nodes"]["model.zhongtai.credit_record"]["columns"]["content"]["meta"]["field_class"]
    with pytest.raises(CatalogError) as err:
        datasets_from_manifest(manifest)
    assert err.value.problems == [
        "model.zhongtai.credit_record column `content`: meta `field_class` missing",
        "model.zhongtai.village_roster column `phone`: meta `field_class` missing",
    ]
    assert "village_roster column `phone`" in str(err.value)


def test_missing_and_invalid_model_facts_are_all_reported(manifest: dict) -> None:
    village = manifest["nodes"]["model.zhongtai.village"]["config"]["meta"]
    del village["title"]
    grid = manifest["nodes"]["model.zhongtai.grid_event"]["config"]["meta"]
    grid["open_level"] = "open"
    manifest["nodes"]["model.zhongtai.legal_person"]["columns"]["status"]["config"]["meta"]["field_class"] = "secret"
    np = manifest["nodes"]["model.zhongtai.natural_person"]["config"]["meta"]
    np["publish"] = ["api"]
    with pytest.raises(CatalogError) as err:
        datasets_from_manifest(copy.deepcopy(manifest))
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 4
    assert "model.zhongtai.village: meta `title` is missing" in text
    assert "model.zhongtai.grid_event:" in text and "open_level" in text
    assert "model.zhongtai.legal_person column `status`" in text and "secret" in text
    assert "model.zhongtai.natural_person: open_level 不予开放 cannot be published to the api" in text


def test_channels_render_from_the_datasets() -> None:
    datasets = load_datasets(MANIFEST)
    meta = datasette_metadata(datasets)
    tables = meta["databases"]["analyst"]["tables"]
    assert set(tables) == {d.id for d in datasets if d.published_to("datasette")}
    assert tables["grid_event"]["title"] == "网格事件"
    assert "reporter_phone" not in tables["grid_event"]["columns"]  # analysts never see direct identifiers
    assert tables["grid_event"]["facets"] == ["village_code", "category", "status"]
    assert "legal_rep_id_number" not in tables["legal_person"]["columns"]
    assert meta["databases"]["analyst"]["queries"]
    index = api_catalog(datasets)["datasets"]
    assert [d["id"] for d in index] == [
        "credit_record",
        "enterprise_directory",
        "grid_event",
        "village",
        "village_population",
    ]
    assert excel_headers(next(d for d in datasets if d.id == "village_roster"))[2] == ("name", "姓名")


def test_a_column_description_that_restates_its_title_is_shown_once(manifest: dict) -> None:
    model = next(n for n in manifest["nodes"].values() if n["name"] == "grid_event")
    column = next(iter(model["columns"].values()))
    title = (column.get("config", {}).get("meta") or column.get("meta"))["title"]
    column["description"] = title
    meta = datasette_metadata(datasets_from_manifest(manifest))
    assert meta["databases"]["analyst"]["tables"]["grid_event"]["columns"][column["name"]] == title

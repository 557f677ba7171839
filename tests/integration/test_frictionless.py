"""Open extracts: every 无条件开放 dataset is published as a valid Frictionless data package of what the API serves."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import frictionless
import pytest

from catalog.datasets import OpenLevel, load_datasets
from tests.support.api import published_copy

pytestmark = pytest.mark.integration


# What the real project opens without conditions; the first test checks the manifest still says so.
OPEN_IDS = [
    "credit_lists", "credit_publicity", "enterprise_credit_grade", "enterprise_directory", "grid_event",
    "grid_governance_kpi", "market_entity_registrations", "market_entity_statistics", "public_service_point",
    "village", "village_household_statistics", "village_population",
]  # fmt: skip


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    settings = published_copy(tmp_path_factory.mktemp("frictionless") / "data", dbt_manifest)
    return settings.current_snapshot.resolve()


def test_only_open_api_datasets_get_an_extract(published: Path, dbt_manifest: Path) -> None:
    datasets = load_datasets(dbt_manifest)
    assert [d.id for d in datasets if d.open_level is OpenLevel.open and d.published_to("api")] == OPEN_IDS
    assert sorted(p.name for p in (published / "open").iterdir()) == OPEN_IDS


@pytest.mark.parametrize("dataset_id", OPEN_IDS)
def test_each_open_extract_is_a_valid_data_package(published: Path, dbt_manifest: Path, dataset_id: str) -> None:
    path = published / "open" / dataset_id / "datapackage.json"
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    package = json.loads(path.read_text(encoding="utf-8"))
    schema = package["resources"][0]["schema"]
    catalog = {d.id: d for d in load_datasets(dbt_manifest)}[dataset_id]
    assert schema["primaryKey"] == list(catalog.primary_key)
    assert all(f["title"] for f in schema["fields"])
    assert all(f.get("constraints", {}).get("required") for f in schema["fields"] if f["name"] in catalog.primary_key)
    assert package["licenses"][0]["title"]


@pytest.mark.parametrize("dataset_id", OPEN_IDS)
def test_the_extract_holds_exactly_the_rows_and_columns_the_api_serves(published: Path, dataset_id: str) -> None:
    with (published / "open" / dataset_id / f"{dataset_id}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    with duckdb.connect(str(published / "serving.duckdb"), read_only=True) as con:
        cur = con.execute(f'select * from "{dataset_id}"')
        columns = [c[0] for c in cur.description]
        served = cur.fetchall()
    assert rows[0] == columns
    assert len(served) > 0 and len(rows) - 1 == len(served)
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert f"open/{dataset_id}/{dataset_id}.csv" in {f["path"] for f in manifest["files"]}

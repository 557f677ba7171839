"""Lineage against the real dbt manifest: published fields trace back to the source systems they come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.datasets import datasets_from_manifest
from catalog.lineage import dataset_lineage
from catalog.registry import load_registry


@pytest.fixture(scope="module")
def lineage_of(dbt_manifest: Path):  # type: ignore[no-untyped-def]
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    registry = load_registry()
    datasets = {d.id: d for d in datasets_from_manifest(manifest)}
    return lambda dataset_id: dataset_lineage(manifest, registry, datasets[dataset_id])


def upstream_sources(field: dict) -> set[str]:
    return {u["source"] if isinstance(u, dict) else u.split(".")[0] for u in field["upstream"]}


def test_enterprise_directory_traces_to_the_market_registry(lineage_of) -> None:  # type: ignore[no-untyped-def]
    lineage = lineage_of("enterprise_directory")
    assert "legal_person" in {m["id"] for m in lineage["models"]}
    market = next(s for s in lineage["sources"] if s["source"] == "market_registry")
    assert market["system"] and market["title"] and market["owner_department"]
    fields = {f["name"]: f for f in lineage["fields"]}
    assert fields["uscc"]["level"] == "column" and "market_registry" in upstream_sources(fields["uscc"])
    assert upstream_sources(fields["registered_capital"]) == {"market_registry"}


def test_natural_person_fields_trace_to_hukou_grid_and_onewindow(lineage_of) -> None:  # type: ignore[no-untyped-def]
    lineage = lineage_of("natural_person")
    systems = {s["source"] for s in lineage["sources"] if s["system"]}
    assert {"hukou", "grid", "onewindow"} <= systems
    # The entity-resolution table is upstream too, and is named for what it is: not a source system.
    assert any(s["source"] == "resolution" and not s["system"] for s in lineage["sources"])
    fields = {f["name"]: f for f in lineage["fields"]}
    for name in ("id_number", "name", "birth_date"):
        assert fields[name]["level"] == "column"
        assert {"hukou", "grid"} <= upstream_sources(fields[name]), name
    assert "onewindow" in upstream_sources(fields["phone"])
    # A derived key has no same-named source column: reported at dataset level.
    assert fields["person_key"]["level"] == "dataset"
    assert {"hukou", "grid", "onewindow"} <= upstream_sources(fields["person_key"])


def test_village_population_aggregates_are_dataset_level(lineage_of) -> None:  # type: ignore[no-untyped-def]
    fields = {f["name"]: f for f in lineage_of("village_population")["fields"]}
    assert fields["village_code"]["level"] == "column"
    assert {f["level"] for n, f in fields.items() if n != "village_code"} == {"dataset"}

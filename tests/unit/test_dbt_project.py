"""The dbt project a run uses: assembled from dbt_project/ and the registry, parsed by real dbt, layers one way."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.dbt_sources import REPO_PROJECT, STAGING_DIR, RegistryMeaningError, assemble_project, render_generated
from catalog.registry import SOURCES_DIR, load_registry

HAND_WRITTEN = [REPO_PROJECT / "models" / "intermediate", REPO_PROJECT / "models" / "marts"]


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict[str, Any]:
    """The run's one `dbt parse` of the project as a run assembles it (tests/conftest.py)."""
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def source_names(sql: str, ids: set[str]) -> set[str]:
    """The source ids and source() calls in a model's code (comments may still speak of a system)."""
    code = re.sub(r"--[^\n]*|\{#.*?#\}", "", sql, flags=re.DOTALL)
    calls = {"source()"} if re.search(r"\bsource\s*\(", code) else set()
    return calls | (set(re.findall(r"[a-z][a-z0-9_]*", code)) & ids)


def test_the_scan_sees_literals_and_source_calls_but_not_comments() -> None:
    sql = "-- hukou first\nselect * from {{ source('grid', 'residents') }} where source_id = 'mz_deaths'"
    assert source_names(sql, {"hukou", "grid", "mz_deaths", "onewindow"}) == {"source()", "grid", "mz_deaths"}


def test_no_hand_written_intermediate_or_mart_names_a_source_system() -> None:
    """Intermediate models may read the resolution tables (sources written by entity resolution), marts no source."""
    ids = {source.id for source in load_registry()}
    found = {}
    for folder in HAND_WRITTEN:
        for path in sorted(folder.rglob("*.sql")):
            names = source_names(path.read_text(encoding="utf-8"), ids)
            if folder.name == "intermediate":
                names.discard("source()")
            if names:
                found[path.name] = names
    assert not found, found
    assert {p.name for p in HAND_WRITTEN} == {"intermediate", "marts"}


def test_no_intermediate_model_depends_on_a_mart_and_no_mart_on_a_source(manifest: dict[str, Any]) -> None:
    nodes = manifest["nodes"]
    wrong = []
    for node in _models(manifest).values():
        parents = node["depends_on"]["nodes"]
        if node["config"]["schema"] == "intermediate":
            wrong += [(node["name"], p) for p in parents if nodes.get(p, {}).get("config", {}).get("schema") == "marts"]
        if node["config"]["schema"] == "marts":
            wrong += [(node["name"], p) for p in parents if p.startswith("source.")]
    assert not wrong, wrong
    # the checks see real edges: the mart person_source_xref reads its intermediate twin
    xref = _models(manifest)["person_source_xref"]
    assert "model.zhongtai.int_person_source_xref" in xref["depends_on"]["nodes"]


def test_every_registry_entity_is_a_dbt_source_linked_to_its_raw_asset(manifest: dict[str, Any]) -> None:
    registry = load_registry()
    sources = {(s["source_name"], s["name"]): s for s in manifest["sources"].values()}
    for system in registry:
        for entity in system.entities:
            source = sources[(system.id, entity.name)]
            assert source["schema"] == "raw"
            assert source["identifier"] == system.raw_table(entity.name)
            assert source["meta"]["dagster"]["asset_key"] == ["raw", system.raw_table(entity.name)]
            assert {f.name: f.title for f in entity.fields}.items() <= {
                c["name"]: c["description"] for c in source["columns"].values()
            }.items()


def test_every_entity_that_mentions_or_records_reaches_its_union(manifest: dict[str, Any]) -> None:
    """Generic entities with an ID reach the mentions (which stage them inside); blocks reach their union model."""
    models = _models(manifest)
    parents = {name: set(node["depends_on"]["nodes"]) for name, node in models.items()}
    registry = load_registry()
    for system in registry:
        for entity in system.entities:
            source = f"source.zhongtai.{system.id}.{entity.name}"
            canonical = {f.canonical for f in entity.fields}
            if system.staging == "generic" and "citizen_id" in canonical:
                assert source in parents["int_person_mentions"], system.id
            if system.staging == "generic" and "uscc" in canonical:
                assert source in parents["int_org_mentions"], system.id
            if entity.mentions:
                model = f"model.zhongtai.{entity.mentions.model}"
                kinds = {r.kind for r in entity.mentions.roles}
                assert ("person" in kinds) == (model in parents["int_person_mentions"]), system.id
                assert ("organisation" in kinds) == (model in parents["int_org_mentions"]), system.id
            if entity.credit:
                upstream = source if system.staging == "generic" else f"model.zhongtai.{entity.credit.model}"
                assert upstream in parents["int_credit_records_unioned"], system.id
            for event in entity.events:
                upstream = source if system.staging == "generic" else f"model.zhongtai.{event.model}"
                assert upstream in parents["int_life_event_records_unioned"], system.id
    # the registry does carry every kind of meaning, so the loop above checked something of each
    entities = [e for s in registry for e in s.entities]
    assert any(e.mentions for e in entities) and any(e.credit for e in entities) and any(e.events for e in entities)


def test_assembly_is_skipped_when_nothing_changed_and_redone_when_the_registry_changes(tmp_path: Path) -> None:
    registry = load_registry()
    project, built = assemble_project(registry, tmp_path)
    assert built and (project / "dbt_project.yml").is_file() and (project / STAGING_DIR / "_sources.yml").is_file()
    assert (project.parent / "zhongtai" / "reference").is_dir()  # seed-paths ../zhongtai/reference resolve
    assert not any(p.name in ("target", "logs") for p in project.iterdir())
    assert assemble_project(registry, tmp_path) == (project, False)
    fewer = load_registry()
    del fewer.sources["hukou"]
    again, rebuilt = assemble_project(fewer, tmp_path)
    assert rebuilt and "'hukou'" not in (again / "models/intermediate/_registry/int_person_mentions.sql").read_text()


def test_a_mentions_block_without_its_identifier_is_a_registry_error_of_its_file(tmp_path: Path) -> None:
    entry = yaml.safe_load((SOURCES_DIR / "hukou.yaml").read_text(encoding="utf-8"))
    entry["id"] = "hukou_copy"
    del entry["entities"][0]["mentions"]["roles"][0]["columns"]["citizen_id"]
    (tmp_path / "hukou_copy.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    registry = load_registry(tmp_path)
    assert not registry.sources
    assert [(e.file.name, e.location) for e in registry.errors] == [("hukou_copy.yaml", "entities.0.mentions.roles.0")]


def test_a_block_that_does_not_fit_its_staging_stops_the_generation_with_its_entity_named() -> None:
    registry = load_registry()
    penalties = registry["sj_penalties"]
    entity = penalties.entity("records")
    assert entity.credit is not None
    wrong = entity.model_copy(update={"credit": entity.credit.model_copy(update={"model": "stg_sj_penalties"})})
    registry.sources["sj_penalties"] = penalties.model_copy(update={"entities": [wrong]})
    with pytest.raises(RegistryMeaningError, match=r"sj_penalties\.records"):
        render_generated(registry)


def test_a_mentions_block_on_a_generic_entity_stops_the_generation_with_its_entity_named() -> None:
    """A generic entity's mentions come from its canonical fields: a `mentions:` block beside them would be a second
    part keyed like the first in the incremental mentions."""
    registry = load_registry()
    hukou, penalties = registry["hukou"], registry["sj_penalties"]
    mentions = hukou.entity("residents").mentions
    wrong = penalties.entity("records").model_copy(update={"mentions": mentions})
    registry.sources["sj_penalties"] = penalties.model_copy(update={"entities": [wrong]})
    with pytest.raises(RegistryMeaningError, match=r"sj_penalties\.records: a mentions block"):
        render_generated(registry)


def test_an_evidence_source_gets_its_priority_and_residence_kind_from_its_registry_entry_not_from_a_seed(
    tmp_path: Path,
) -> None:
    """Village verification's survivorship priority and residence kind are its `evidence:` block; another correction
    source registered the same way reaches the generated model with no seed row written for it."""
    seeds = REPO_PROJECT / "seeds"
    named = {
        row.split(",")[column]
        for name, column in (("person_attribute_priority.csv", 1), ("residence_sources.csv", 0))
        for row in (seeds / name).read_text(encoding="utf-8").splitlines()[1:]
    }
    evidence = {s.id for s in load_registry() for e in s.entities if e.evidence}
    assert evidence == {"village_verification"} and not evidence & named
    entry = yaml.safe_load((SOURCES_DIR / "village_verification.yaml").read_text(encoding="utf-8"))
    entry["id"] = "town_verification"
    entry["entities"][0]["evidence"] = {"priority": 2, "residence_kind": "rented"}
    (tmp_path / "town_verification.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    files = render_generated(load_registry(SOURCES_DIR, tmp_path))
    sql = next(text for path, text in files.items() if path.name == "int_evidence_sources.sql")
    selects = re.findall(r"select '([a-z_]+)' as source_id, '([a-z_]+)' as entity, (\d+) as priority, '(\w+)'", sql)
    assert selects == [
        ("town_verification", "corrections", "2", "rented"),
        ("village_verification", "corrections", "0", "actual"),
    ]
    entry["entities"][0]["evidence"] = {"priority": -1}
    (tmp_path / "town_verification.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    errors = load_registry(tmp_path).errors
    assert [(e.file.name, e.location) for e in errors] == [("town_verification.yaml", "entities.0.evidence.priority")]

"""The committed dbt sources YAML is exactly what the source registry renders."""

from __future__ import annotations

import yaml

from catalog.dbt_sources import REGENERATE, SOURCES_YAML, render_generated_models, render_sources_yaml
from catalog.registry import load_registry


def test_committed_sources_yaml_matches_the_registry() -> None:
    registry = load_registry()
    assert not registry.errors
    assert SOURCES_YAML.read_text(encoding="utf-8") == render_sources_yaml(registry), (
        f"{SOURCES_YAML.name} is out of date with catalog/sources/: run `{REGENERATE}` and commit the result"
    )


def test_every_entity_is_a_dbt_source_linked_to_its_raw_asset() -> None:
    registry = load_registry()
    document = yaml.safe_load(render_sources_yaml(registry))
    tables = {(s["name"], t["name"]): (s, t) for s in document["sources"] for t in s["tables"]}
    for source in registry:
        for entity in source.entities:
            system, table = tables[(source.id, entity.name)]
            assert system["schema"] == "raw"
            assert system["config"]["meta"]["owner_department"] == source.owner_department
            assert table["identifier"] == f"{source.id}__{entity.name}"
            assert table["config"]["meta"]["dagster"]["asset_key"] == ["raw", f"{source.id}__{entity.name}"]
            described = {c["name"]: c["description"] for c in table["columns"]}
            assert {f.name: f.title for f in entity.fields}.items() <= described.items()


def test_committed_legacy_mention_models_match_the_registry() -> None:
    registry = load_registry()
    models = render_generated_models(registry)
    assert models
    for path, text in models.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is out of date: run `{REGENERATE}`"


def test_every_generic_source_with_a_citizen_id_or_uscc_is_in_a_mention_model() -> None:
    registry = load_registry()
    models = render_generated_models(registry)
    text = "".join(models.values())
    generic = [
        (source.id, entity.name)
        for source in registry
        if source.staging == "generic"
        for entity in source.entities
        if any(f.canonical in ("citizen_id", "uscc") for f in entity.fields)
    ]
    assert generic, "no generic source carries a citizen ID or credit code"
    for source_id, entity in generic:
        assert f"source('{source_id}', '{entity}')" in text, source_id

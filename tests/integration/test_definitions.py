"""The Dagster code location loads, and its asset graph is the one committed (a snapshot test)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from catalog.registry import load_registry
from orchestration.definitions import build_definitions
from tests.support.dbt import with_parsed_project

pytestmark = pytest.mark.integration

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
UPDATE_SNAPSHOTS = "ZHONGTAI_UPDATE_SNAPSHOTS"


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dg.Definitions:
    """The code location as `dagster` loads it, built once for the module on the run's one parse of the dbt project
    (its own data directory holds a copy of the parsed project, which it finds up to date)."""
    return build_definitions(with_parsed_project(tmp_path_factory.mktemp("definitions") / "data", dbt_manifest))


def graph_of(defs: dg.Definitions) -> dict[str, list[str]]:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    }


def test_definitions_load_with_every_source_dbt_model_check_and_publish(defs: dg.Definitions) -> None:
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for source in load_registry():
        for entity in source.entities:
            assert f"raw/{source.id}__{entity.name}" in keys
    assert {"marts/natural_person", "marts/legal_person", "marts/credit_record", "published/snapshot"} <= keys
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert {"gx_natural_person", "gx_legal_person"} <= checks
    assert defs.resolve_job_def("refresh_all") is not None
    assert next(s.name for s in defs.schedules) == "hourly_refresh"
    # one job and schedule per source cadence, and the file-drop sensor (orchestration/schedules.py)
    assert {"sources_daily_schedule", "sources_weekly_schedule", "sources_monthly_schedule"} <= {
        s.name for s in defs.schedules
    }
    assert [s.name for s in defs.sensors] == ["source_file_drops"]


def test_every_warehouse_writer_is_in_the_pool_of_one(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assets_def = node.assets_def
        assert assets_def.node_def.pool == "warehouse", key


def test_asset_graph_matches_the_snapshot(defs: dg.Definitions) -> None:
    """The snapshot is written only when asked for (ZHONGTAI_UPDATE_SNAPSHOTS=1, README § Testing), never because it
    is missing: a missing snapshot fails, so a deleted file cannot pass unnoticed."""
    graph = graph_of(defs)
    if os.environ.get(UPDATE_SNAPSHOTS) == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(graph, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert SNAPSHOT.is_file(), f"no snapshot at {SNAPSHOT}: write it with {UPDATE_SNAPSHOTS}=1, review it, commit it"
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert graph == expected, f"the asset graph changed: review it, then rerun with {UPDATE_SNAPSHOTS}=1"

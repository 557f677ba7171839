"""`zhongtai run --rebuild`: the warehouse set aside, and ingestion that asks no upstream (ZHONGTAI_FROM_LANDING)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from catalog.registry import SourceSystem, load_registry
from orchestration.ingestion import ingest
from orchestration.ingestion.connectors import Pulled
from orchestration.ingestion.replay import set_warehouse_aside
from zhongtai.settings import Settings


def test_the_warehouse_is_set_aside_replacing_an_earlier_one(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert set_warehouse_aside(settings) is None  # nothing to set aside
    for generation in (1, 2):
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute(f"create table t as select {generation} as generation")
        kept = set_warehouse_aside(settings)
        assert kept == settings.warehouse_path.with_name("zhongtai.duckdb.before-rebuild")
        assert not settings.warehouse_path.exists()
        with duckdb.connect(str(kept), read_only=True) as con:
            assert con.execute("select generation from t").fetchone() == (generation,)


def test_the_golden_records_version_logs_are_carried_into_the_fresh_warehouse(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create schema history; create schema marts")
        con.execute("create table history.natural_person_versions as select 'P1' as person_key, 'x' as name")
        con.execute("create table history.natural_person_history as select 'P1' as person_key")  # derived: rebuilt
        con.execute("create view history.legal_person_versions as select 1 as n")  # a view is no log
        con.execute("create table marts.natural_person as select 'P1' as person_key")
    set_warehouse_aside(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
        assert tables == [("history.natural_person_versions",)]
        assert con.execute("select * from history.natural_person_versions").fetchall() == [("P1", "x")]


def test_from_landing_asks_no_upstream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def pull(source: SourceSystem, *_args: object) -> Pulled:
        asked.append(source.id)
        return Pulled()

    monkeypatch.setattr(ingest, "pull", pull)
    source = load_registry()["hukou"]
    ingest.ingest_source(Settings(data_dir=tmp_path / "a", from_landing=True), source)
    assert asked == []
    ingest.ingest_source(Settings(data_dir=tmp_path / "b"), source)
    assert asked == ["hukou"] * len(source.entities)

"""The personal-data scan inside publish: planted identifiers refuse it, are named, and `current` stays."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from catalog.scanner import ScanError, scan_version
from orchestration.publish import publish
from tests.support.marts import make_warehouse
from zhongtai.duckdb import connect
from zhongtai.identifiers import make_citizen_id
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

PLANTED_ID = make_citizen_id("440604", __import__("datetime").date(1987, 6, 5), 123)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path / "data")
    make_warehouse(s)
    return s


def plant(settings: Settings, sql: str) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(sql)


def test_a_clean_publish_scans_clean_and_clears_the_notice(settings: Settings, dbt_manifest: Path) -> None:
    result = publish(settings, dbt_manifest)
    hits = scan_version(
        result.path,
        names=result.person_names,
        connect=lambda: connect(":memory:", read_only=False, settings=settings),
    )
    assert hits == []
    assert len(result.person_names) > 10
    assert json.loads((settings.published_dir / "status.json").read_text())["stale"] is False


def test_an_id_number_in_a_plain_column_refuses_the_publish_and_keeps_current(
    settings: Settings, dbt_manifest: Path
) -> None:
    first = publish(settings, dbt_manifest)
    plant(settings, f"update marts.village set village_name = '{PLANTED_ID}' where village_code = '440604001001'")
    with pytest.raises(ScanError) as refused:
        publish(settings, dbt_manifest)
    message = str(refused.value)
    masked = PLANTED_ID[:6] + "********" + PLANTED_ID[-4:]
    assert f"serving.duckdb · village.village_name: 1 value(s) look like a citizen_id (e.g. {masked})" in message
    assert "analyst.sqlite · village.village_name" in message
    assert PLANTED_ID not in message  # the sample is masked
    assert os.readlink(settings.current_snapshot) == first.version
    assert sorted(p.name for p in settings.published_dir.iterdir()) == ["current", "status.json", first.version]
    notice = json.loads((settings.published_dir / "status.json").read_text(encoding="utf-8"))
    assert notice["stale"] is True and "ScanError" in notice["reason"] and notice["serving_version"] == first.version


def test_a_person_name_and_a_phone_where_the_audience_may_not_see_them(settings: Settings, dbt_manifest: Path) -> None:
    plant(
        settings,
        "update marts.enterprise_directory set name = (select min(name) from marts.natural_person) where uscc = "
        "(select min(uscc) from marts.enterprise_directory);"
        "update marts.village set town_name = '联系 13912345678' where village_code = '440604001002'",
    )
    with pytest.raises(ScanError) as refused:
        publish(settings, dbt_manifest)
    kinds = {(h.artefact, h.table, h.column, h.finding.value) for h in refused.value.hits}
    assert ("serving.duckdb", "enterprise_directory", "name", "person_name") in kinds
    assert ("serving.duckdb", "village", "town_name", "mobile") in kinds
    assert not settings.current_snapshot.exists()


def test_small_cells_of_published_aggregates_are_suppressed(settings: Settings, dbt_manifest: Path) -> None:
    """village_population's counts suppress cells below the threshold (its `suppress_small_cells` meta); in the
    fixture every village has two residents of 80 and over."""
    settings = settings.model_copy(update={"roster_min_cell": 5})
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        small = con.execute(
            "select count(*) from marts.village_population where age_80_plus between 1 and 4"
        ).fetchone()
        others = con.execute(
            "select count(*) from marts.village_population, unnest([residents, male, female, age_0_17, age_18_59, "
            "age_60_79]) t(n) where n between 1 and 4"
        ).fetchone()
        # the analyst database's counts of people suppress their small cells too
        counted = con.execute(
            "select count(*) from (select persons from marts.life_event_count union all "
            "select persons from marts.service_eligibility_count) where persons between 1 and 4"
        ).fetchone()
    assert small[0] == 11 and others[0] == 0 and counted[0] > 0
    result = publish(settings, dbt_manifest)
    assert result.suppressed_cells == small[0] + counted[0]
    with duckdb.connect(str(result.path / "serving.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from village_population where age_80_plus < 5").fetchone()[0] == 0
        assert con.execute("select count(*) from village_population where age_80_plus is null").fetchone()[0] == 11
        assert con.execute("select count(*) from village_population where residents is null").fetchone()[0] == 0

"""The widened analyst database: de-identified tables with catalog titles, units, sources, facets, trigram search and
canned queries, served by Datasette; a planted identifier in any of its new tables refuses the publish."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import duckdb
import pytest

from catalog.scanner import ScanError
from orchestration.publish import publish
from tests.support.datasette import published_fixture, served_datasette
from tests.support.marts import make_warehouse
from zhongtai.identifiers import make_citizen_id
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

NEW_TABLES = [
    "person_profile",
    "household_profile",
    "person_enterprise_link",
    "life_event_count",
    "service_eligibility_count",
    "enterprise_credit_profile",
    "village_profile",
]
PLANTED_ID = make_citizen_id("440604", datetime.date(1990, 2, 3), 457)


def test_the_widened_tables_are_de_identified_and_described(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = published_fixture(tmp_path / "data", dbt_manifest)
    db = sqlite3.connect(f"file:{settings.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
        assert set(NEW_TABLES) <= tables
        person = [r[1] for r in db.execute("pragma table_info(person_profile)")]
        # the analyst policy publishes the birth year, never the date; no name, number, phone or address exists
        assert person == [
            "person_key", "sex", "birth_year", "village_code", "grid_code", "residence_status", "household_size",
        ]  # fmt: skip
        years = db.execute("select min(birth_year), max(birth_year), count(*) from person_profile").fetchone()
        assert 1930 < years[0] < years[1] <= 2026 and years[2] == 400
        # the fixture's households are three residents each: the size each person carries is their household's
        sizes = dict(db.execute("select household_size, count(*) from person_profile group by 1").fetchall())
        assert sum(sizes.values()) == 400 and set(sizes) <= {1, 2, 3}
        # small cells of the counts are emptied (the fixture's villages have under 5 births a month)
        assert db.execute("select count(*) from life_event_count where persons is not null").fetchone()[0] == 0
        assert db.execute("select sum(residents) from village_profile").fetchone()[0] == 400
        assert db.execute("select count(*), sum(member_count) from household_profile").fetchone() == (134, 400)
    finally:
        db.close()

    with served_datasette(settings) as client:
        meta = client.get("/-/metadata.json").json()["databases"]["analyst"]
        person = meta["tables"]["person_profile"]
        assert person["title"] == "人口画像" and "出生年份" in person["columns"]["birth_year"]
        assert {"sex", "village_code", "residence_status"} <= set(person["facets"])
        assert "（单位：人）" in person["columns"]["household_size"]
        assert meta["tables"]["village_profile"]["columns"]["grid_events"].startswith("网格事件数（单位：件）")
        facets = client.get("/analyst/person_profile.json", params={"_size": 0}).json()["facet_results"]
        assert sum(r["count"] for r in facets["residence_status"]["results"]) == 400
        # trigram full-text search: three characters or more, anywhere in a Chinese name
        found = client.get(
            "/analyst/legal_person.json", params={"_search": "纺织有限", "_shape": "array", "_size": "max"}
        ).json()
        assert found and all("纺织有限" in r["name"] for r in found)
        assert len(found) == 240 // 5  # every fifth of the 240 fixture enterprises is a textile company
        # the canned queries answer, and a query whose table is published with it is listed
        assert {"residents_by_village_and_status", "roles_of_person", "events_per_thousand_residents"} <= set(
            meta["queries"]
        )
        by_status = client.get("/analyst/residents_by_village_and_status.json", params={"_shape": "array"}).json()
        assert sum(r["人数"] for r in by_status) == 400
        roles = client.get("/analyst/roles_of_person.json", params={"person_key": "pk000007", "_shape": "array"}).json()
        assert [r["法人键"] for r in roles] == ["ok000007"]


def test_a_planted_identifier_in_any_new_table_refuses_the_publish(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    make_warehouse(settings)
    plants = {
        "person_profile": "grid_code",
        "household_profile": "grid_code",
        "person_enterprise_link": "role",
        "life_event_count": "event_type",
        "service_eligibility_count": "service_title",
        "enterprise_credit_profile": "grade",
        "village_profile": "village_name",
    }
    with duckdb.connect(str(settings.warehouse_path)) as con:
        for table, column in plants.items():
            con.execute(f"update marts.{table} set {column} = '{PLANTED_ID}' where rowid = 0")
    with pytest.raises(ScanError) as refused:
        publish(settings, dbt_manifest)
    hits = {(h.table, h.column) for h in refused.value.hits if h.artefact == "analyst.sqlite"}
    # the full-text index reads its table's content, so the scan finds the plant there too
    assert {h for h in hits if not h[0].endswith("_fts")} == set(plants.items())
    assert not settings.current_snapshot.exists()

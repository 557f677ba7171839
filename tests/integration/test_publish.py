"""Publish from a real DuckDB warehouse: a complete version folder, `current` switched, older versions kept."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import duckdb
import pytest

from catalog.datasets import load_datasets
from orchestration.publish import publish
from tests.support.marts import make_warehouse
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def count(settings: Settings, table: str) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(f"select count(*) from marts.{table}").fetchone()[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path / "data")
    make_warehouse(s)
    return s


def test_publish_writes_a_complete_version_and_switches_current(settings: Settings, dbt_manifest: Path) -> None:
    warehouse_before = sha(settings.warehouse_path)
    first = publish(settings, dbt_manifest)
    current = settings.current_snapshot
    assert current.is_symlink() and os.readlink(current) == first.version
    folder = current.resolve()
    assert folder == first.path

    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"serving.duckdb", "analyst.sqlite", "metadata.json", "catalog.json", "manifest.json"} <= names
    villages = [f"rosters/4406040{t:02d}{v:03d}.xlsx" for t, v in [(1 + (i - 1) // 3, i) for i in range(1, 13)]]
    assert {n for n in names if n.startswith("rosters/") and n.endswith(".xlsx")} == set(villages)

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == first.version
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    for f in manifest["files"]:
        assert f["sha256"] == sha(folder / f["path"]), f["path"]
    assert manifest["rows"]["api"]["credit_record"] == count(settings, "credit_record") == 2500
    assert manifest["rows"]["roster"]["village_roster"] == count(settings, "village_roster")

    # Publishing never writes the warehouse.
    assert sha(settings.warehouse_path) == warehouse_before

    second = publish(settings, dbt_manifest)
    assert second.version != first.version
    assert os.readlink(current) == second.version
    assert (first.path / "serving.duckdb").is_file()  # kept: the API may still be reading it
    assert not [p for p in settings.published_dir.iterdir() if p.name.startswith(".")]


def test_serving_database_holds_api_datasets_through_the_public_policy(settings: Settings, dbt_manifest: Path) -> None:
    result = publish(settings, dbt_manifest)
    with duckdb.connect(str(result.path / "serving.duckdb"), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        assert tables == {d.id for d in load_datasets(dbt_manifest) if d.published_to("api")}
        assert {"credit_record", "enterprise_directory", "grid_event", "village", "village_population"} <= tables
        credit_columns = [r[0] for r in con.execute("describe credit_record").fetchall()]
        # the public gets neither the quasi-identifying subject key nor the sensitive type and title
        assert credit_columns == [
            "record_key", "record_no", "subject_type", "decided_on", "authority", "source_id", "published_from",
            "published_until",
        ]  # fmt: skip
        assert con.execute("select count(*) from village_population").fetchone()[0] == count(
            settings, "village_population"
        )
    catalog = json.loads((result.path / "catalog.json").read_text(encoding="utf-8"))
    credit = next(d for d in catalog["datasets"] if d["id"] == "credit_record")
    assert credit["title"] == "信用记录" and credit["rows"] == 2500
    assert {f["name"]: f["data_type"] for f in credit["fields"]}["decided_on"] == "DATE"


def test_analyst_sqlite_opens_with_rows_indexes_and_no_direct_identifiers(
    settings: Settings, dbt_manifest: Path
) -> None:
    result = publish(settings, dbt_manifest)
    db = sqlite3.connect(f"file:{result.path / 'analyst.sqlite'}?mode=ro", uri=True)
    try:
        for table in ["credit_record", "enterprise_directory", "grid_event", "legal_person", "village"]:
            assert db.execute(f"select count(*) from {table}").fetchone()[0] == count(settings, table)
        indexes = {r[0] for r in db.execute("select name from sqlite_master where type = 'index'")}
        assert "credit_record_pk" in indexes and "village_population_pk" in indexes
        legal = [r[1] for r in db.execute("pragma table_info(legal_person)")]
        assert "legal_rep_name" not in legal and "legal_rep_person_key" in legal
        assert db.execute("select typeof(registered_capital) from legal_person limit 1").fetchone() == ("real",)
        # a sole trader's code and name say who runs it: analysts see them only for companies
        traders = db.execute("select count(*), count(uscc), count(name) from legal_person where is_sole_trader")
        assert traders.fetchone() == (48, 0, 0)
        companies = db.execute("select count(*), count(uscc), count(name) from legal_person where not is_sole_trader")
        assert companies.fetchone() == (192, 192, 192)
        assert "natural_person" not in {r[0] for r in db.execute("select name from sqlite_master")}
    finally:
        db.close()
    metadata = json.loads((result.path / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["databases"]["analyst"]["tables"]["credit_record"]["title"] == "信用记录"


def test_a_failed_publish_leaves_current_alone(settings: Settings, tmp_path: Path, dbt_manifest: Path) -> None:
    first = publish(settings, dbt_manifest)
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    manifest["nodes"]["model.zhongtai.village"]["alias"] = "no_such_table"
    broken = tmp_path / "manifest.json"
    broken.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        publish(settings, broken)
    assert os.readlink(settings.current_snapshot) == first.version
    assert sorted(p.name for p in settings.published_dir.iterdir()) == ["current", "status.json", first.version]
    notice = json.loads((settings.published_dir / "status.json").read_text(encoding="utf-8"))
    assert notice["stale"] is True and "no_such_table" in notice["reason"]
    assert notice["serving_version"] == first.version


def test_a_channel_is_one_more_writer_in_the_same_frame(settings: Settings, dbt_manifest: Path) -> None:
    from orchestration.publish import WRITERS, PublishContext, Writer

    names = [w.name for w in WRITERS]
    assert names == ["serving", "changes", "analyst", "rosters", "forms", "review", "open_extracts", "catalog"]

    def write(context: PublishContext, version_dir: Path) -> None:
        (version_dir / "counts.json").write_text(json.dumps(context.result.rows["api"]), encoding="utf-8")

    result = publish(settings, dbt_manifest, writers=[*WRITERS, Writer("counts", write)])
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert "counts.json" in {f["path"] for f in manifest["files"]}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        (grid_events,) = con.execute("select count(*) from marts.grid_event").fetchone()  # type: ignore[misc]
    assert grid_events > 0
    assert json.loads((result.path / "counts.json").read_text(encoding="utf-8"))["grid_event"] == grid_events

    def broken(context: PublishContext, version_dir: Path) -> None:
        raise RuntimeError("the channel cannot be written")

    with pytest.raises(RuntimeError):
        publish(settings, dbt_manifest, writers=[*WRITERS, Writer("broken", broken)])
    assert os.readlink(settings.current_snapshot) == result.version
    assert json.loads((settings.published_dir / "status.json").read_text(encoding="utf-8"))["stale"] is True

"""The tiny sandbox written to disk: each upstream system delivers what its registry entry promises."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import duckdb_extensions
import openpyxl
import polars as pl
import pytest
import yaml
from fastapi.testclient import TestClient

import sandbox
from sandbox.onewindow_server import Faults, create_app
from zhongtai.identifiers import InvalidIdentifier, parse_citizen_id
from zhongtai.settings import Settings

SOURCES = Path(__file__).resolve().parents[2] / "catalog" / "sources"


def headers(source: str, entity: str) -> list[str]:
    spec = yaml.safe_load((SOURCES / f"{source}.yaml").read_text(encoding="utf-8"))
    ent = next(e for e in spec["entities"] if e["name"] == entity)
    return [f["header"] for f in ent["fields"]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("sbx"))
    steps: list[str] = []
    summary = sandbox.generate(settings, "tiny", on_step=steps.append)
    assert steps
    return settings, summary


@pytest.fixture(scope="module")
def con(generated: tuple[Settings, dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    settings, _ = generated
    c = duckdb.connect(config={"extension_directory": str(settings.duckdb_extension_dir)})
    duckdb_extensions.import_extension("encodings", con=c)
    c.execute("LOAD encodings")
    return c


def test_files_are_where_the_registry_says(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, summary = generated
    up = settings.upstream
    assert (up / "onewindow" / "onewindow.sqlite").is_file()
    assert (up / "grid" / "grid.sqlite").is_file()
    assert len(list((up / "drops" / "hukou").glob("hukou_*.csv"))) == 1
    assert len(list((up / "drops" / "civil_marriage").glob("marriage_*.csv"))) == 1
    assert len(list((up / "drops" / "market_registry").glob("market_*.xlsx"))) == 1
    assert not list(up.rglob("*.tmp"))
    for name in ("persons", "enterprises", "households", "marriages", "source_records", "enterprise_records"):
        assert (settings.truth_dir / f"{name}.parquet").is_file()
    assert (settings.truth_dir / "summary.json").is_file()
    assert summary["counts"]["persons"] == 2000


def test_hukou_is_gbk_with_registry_headers(
    generated: tuple[Settings, dict[str, Any]], con: duckdb.DuckDBPyConnection
) -> None:
    settings, _ = generated
    path = next((settings.upstream / "drops" / "hukou").glob("hukou_*.csv"))
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rel = con.sql(f"select * from read_csv('{path}', encoding='gb18030', all_varchar=true, header=true)")
    assert rel.columns == headers("hukou", "residents")
    rows = rel.pl()
    assert rows["出生日期"].str.contains(r"^\d{8}$").all()
    truth = pl.read_parquet(settings.truth_dir / "persons.parquet")
    assert rows.height >= truth.filter(pl.col("alive") & ~pl.col("is_migrant")).height


def test_marriage_is_utf8_with_two_bad_dates(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = generated
    path = next((settings.upstream / "drops" / "civil_marriage").glob("marriage_*.csv"))
    frame = pl.read_csv(path, infer_schema=False)
    assert frame.columns == headers("civil_marriage", "registrations")
    bad = frame.filter(pl.col("登记日期").str.to_date("%Y-%m-%d", strict=False).is_null())
    truth = pl.read_parquet(settings.truth_dir / "source_records.parquet")
    marked = truth.filter(pl.col("fault") == "bad_date_row")["record_id"].unique().sort()
    assert bad.height == 2 and bad["登记编号"].sort().to_list() == marked.to_list()


def test_market_xlsx_has_title_row(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = generated
    path = next((settings.upstream / "drops" / "market_registry").glob("market_*.xlsx"))
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "禅城区市场主体登记信息（2026年11月）"
    assert list(rows[1]) == headers("market_registry", "enterprises")
    assert len(rows) - 2 == 300
    assert isinstance(rows[2][6], float | int)


def test_credit_repair_register_is_an_xlsx_with_a_title_row_and_its_truth_apart(
    generated: tuple[Settings, dict[str, Any]],
) -> None:
    settings, summary = generated
    [path] = (settings.upstream / "drops" / "xy_credit_repair").glob("xy_credit_repair_*.xlsx")
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "区信用办信用修复申请登记台账（截至2026年11月16日）"
    assert list(rows[1]) == headers("xy_credit_repair", "repair_applications")
    truth = pl.read_parquet(settings.truth_dir / "credit_repairs.parquet")
    assert len(rows) - 2 == truth.height == summary["delivered_rows"]["xy_credit_repair/repair_applications"]
    assert sorted(r[0] for r in rows[2:]) == sorted(truth["application_no"])
    assert all(isinstance(v, str) for r in rows[2:] for v in r if v is not None)  # text, as the office types it


def test_databases_have_registry_columns(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = generated
    grid = sqlite3.connect(settings.upstream / "grid" / "grid.sqlite")
    for table in ("residents", "events"):
        cols = [r[1] for r in grid.execute(f"pragma table_info({table})")]
        assert cols == headers("grid", table)
        pk = [r[1] for r in grid.execute(f"pragma table_info({table})") if r[5]]
        assert pk == ["id"]
        assert (
            grid.execute(f"select min(id), max(id), count(*) from {table}").fetchone()[1:]
            == (grid.execute(f"select count(*) from {table}").fetchone()[0],) * 2
        )
    ow = sqlite3.connect(settings.upstream / "onewindow" / "onewindow.sqlite")
    for table in ("person_applications", "enterprise_applications", "credit_records"):
        assert [r[1] for r in ow.execute(f"pragma table_info({table})")] == headers("onewindow", table)


def test_truth_ids_are_exactly_what_the_grid_holds(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = generated
    grid = sqlite3.connect(settings.upstream / "grid" / "grid.sqlite")
    delivered = dict(grid.execute("select cast(id as text), id_no from residents"))
    truth = pl.read_parquet(settings.truth_dir / "source_records.parquet").filter(pl.col("system") == "grid")
    assert dict(truth.select("record_id", "id_as_delivered").iter_rows()) == delivered
    missing = sum(v is None for v in delivered.values()) / len(delivered)
    assert 0.01 < missing < 0.06


def test_distinct_persons_with_usable_ids_from_truth_match_the_files(
    generated: tuple[Settings, dict[str, Any]],
) -> None:
    """The figure the pipeline's resolution is measured against, recomputed from the delivered ID strings."""
    settings, _ = generated
    truth = pl.read_parquet(settings.truth_dir / "source_records.parquet")
    persons = pl.read_parquet(settings.truth_dir / "persons.parquet")
    by_id = dict(persons.select("citizen_id", "person_id").iter_rows())
    usable = truth.filter(pl.col("id_noise").is_null() | pl.col("id_noise").is_in(["old15", "full_width", "lower_x"]))
    found = set()
    for value in truth["id_as_delivered"].drop_nulls():
        with contextlib.suppress(InvalidIdentifier):
            found.add(by_id[parse_citizen_id(value).number])
    assert found == set(usable["person_id"])


def _page_all(client: TestClient, path: str, page_size: int, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(path, params={"page": page, "page_size": page_size, **params}).json()
        items += body["items"]
        if not body["has_more"]:
            assert len(items) == body["total"]
            return items
        page += 1


def test_server_pages_stably_and_incrementally(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, summary = generated
    client = TestClient(create_app(settings))
    assert client.get("/health").json()["status"] == "ok"
    items = _page_all(client, "/api/v1/person-applications", 37)
    assert len(items) == summary["delivered_rows"]["onewindow/person_applications"]
    assert list(items[0]) == headers("onewindow", "person_applications")
    keys = [(i["updatedAt"], i["applicationNo"]) for i in items]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    cut = items[len(items) // 2]["updatedAt"]
    newer = _page_all(client, "/api/v1/person-applications", 500, updated_since=cut)
    assert [i["applicationNo"] for i in newer] == [i["applicationNo"] for i in items if i["updatedAt"] > cut]
    as_utc = client.get("/api/v1/credit-records", params={"updated_since": "2025-01-01T00:00:00Z"}).json()
    as_local = client.get("/api/v1/credit-records", params={"updated_since": "2025-01-01T08:00:00+08:00"}).json()
    assert as_utc["total"] == as_local["total"]
    for path, entity in (("enterprise-applications", "enterprise_applications"), ("credit-records", "credit_records")):
        body = client.get(f"/api/v1/{path}", params={"page_size": 1000}).json()
        assert list(body["items"][0]) == headers("onewindow", entity)
    assert client.get("/api/v1/person-applications", params={"page_size": 1001}).status_code == 422
    assert client.get("/api/v1/person-applications", params={"updated_since": "yesterday"}).status_code == 422


def test_server_faults_only_when_asked(generated: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = generated
    client = TestClient(create_app(settings, Faults(error_rate=1.0)))
    assert client.get("/api/v1/credit-records").status_code == 503
    assert client.get("/health").status_code == 200


def test_the_villages_corrections_fix_the_planted_discrepancies_and_mix_in_mistakes_and_confirmations(
    generated: tuple[Settings, dict[str, Any]],
) -> None:
    from sandbox.village_corrections import corrections_path, write_village_corrections
    from zhongtai.keys import pseudonym

    settings, _ = generated
    counts = write_village_corrections(settings)
    frame = pl.read_csv(corrections_path(settings), infer_schema=False)
    assert counts["fix"] > 0 and counts["mistake"] > 0 and counts["confirmation"] > 0
    fixed = frame.filter(pl.col("kind") == "fix")
    assert set(fixed["attribute"]) == {"name", "birth_date", "relation_to_head", "actual_address"}
    persons = pl.read_parquet(settings.truth_dir / "persons.parquet")
    by_key = {pseudonym(settings.key_secret, "person", p["citizen_id"]): p for p in persons.iter_rows(named=True)}
    # what the departments delivered, read back from their files: the grid platform's database, the register's CSV
    with contextlib.closing(sqlite3.connect(settings.upstream / "grid" / "grid.sqlite")) as db:
        grid = {}
        for id_no, address in db.execute("select id_no, address from residents"):
            grid.setdefault((id_no or "").upper(), address)
    [register_file] = (settings.upstream / "drops" / "hukou").glob("hukou_*.csv")
    extract = pl.read_csv(register_file, encoding="gb18030", infer_schema=False)
    register = {r["公民身份号码"]: r for r in extract.iter_rows(named=True)}

    def delivered(person: dict[str, Any], attribute: str) -> str:
        if attribute == "actual_address":
            return grid[person["citizen_id"]]
        row = register[person["citizen_id"]]
        if attribute == "birth_date":
            return f"{row['出生日期'][:4]}-{row['出生日期'][4:6]}-{row['出生日期'][6:]}"
        return row[{"name": "姓名", "relation_to_head": "与户主关系"}[attribute]]

    truth_of = {"name": "name", "relation_to_head": "relation", "actual_address": "address"}
    for row in frame.iter_rows(named=True):
        person = by_key[row["person_key"]]
        assert person["village_code"] == row["village_code"]
        if row["kind"] == "fix":  # a value a department delivered wrong, corrected to the truth
            attribute = row["attribute"]
            true = person["birth_date"].isoformat() if attribute == "birth_date" else person[truth_of[attribute]]
            assert row["decision"] == "accept" and row["new_value"] == true
            assert delivered(person, attribute) == row["old_value"] != true
        elif row["kind"] == "mistake":  # another household's address over the right one the grid delivered
            assert row["decision"] == "reject" and row["reason"]
            assert row["new_value"] != person["address"] == delivered(person, "actual_address")
        else:
            assert row["kind"] == "confirmation" and row["new_value"] is None and row["decision"] is None

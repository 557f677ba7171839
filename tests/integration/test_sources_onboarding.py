"""Onboarding by configuration: 158 systems from one spec, a broken entry isolated, a new system from
`sources infer` loaded with no code change, replay after a fix, and the file-drop sensor's logic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from catalog.registry import SOURCES_DIR, load_registry
from orchestration.ingestion import ingest_source
from orchestration.ingestion.ingest import open_warehouse
from orchestration.ingestion.replay import replay
from orchestration.schedules import new_drops
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent


def test_the_registry_holds_every_upstream_system_with_its_owner() -> None:
    registry = load_registry()
    assert not registry.errors
    # one-window + grid + 155 legacy department systems + the credit office's repair register, and two upload
    # sources the platform's own pages feed: village verification and the stewards' match review
    assert len(registry.sources) == 160
    assert {s.id for s in registry if s.connector.kind == "upload"} == {"village_verification", "match_review"}
    legacy = [s for s in registry if s.staging == "generic"]
    assert len(legacy) == 152  # the other three legacy systems (hukou, marriage, market) have hand-written staging
    departments = {s.owner_department for s in registry}
    assert len(departments) >= 18
    kinds = {(s.format.kind, s.format.encoding, s.format.delimiter, s.format.header_rows) for s in legacy}
    assert len(kinds) >= 10
    births = registry["wj_birth_certificates"].entity("records")
    assert {f.role for f in births.fields if f.canonical == "citizen_id"} == {"newborn", "mother", "father"}


def test_a_broken_entry_is_reported_with_its_file_and_field_and_the_others_still_load(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    good = yaml.safe_load((SOURCES_DIR / "mz_deaths.yaml").read_text(encoding="utf-8"))
    bad = good | {"id": "broken_one", "schedule": "fortnightly"}
    bad["entities"] = [good["entities"][0] | {"primary_key": ["no_such_field"]}]
    (extra / "broken_one.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    (extra / "not_yaml.yaml").write_text("id: [unclosed", encoding="utf-8")
    registry = load_registry(SOURCES_DIR, extra)
    assert len(registry.sources) == len(load_registry().sources)
    where = {(e.file.name, e.location) for e in registry.errors}
    assert ("broken_one.yaml", "schedule") in where
    assert ("broken_one.yaml", "entities.0") in where
    assert ("not_yaml.yaml", "(yaml)") in where


def _write_new_system(folder: Path) -> tuple[Path, list[list[str]]]:
    """A variant no committed entry uses: GB18030, semicolon-separated, a title line, dates as 2026年11月01日."""
    rows = [
        ["SB-0001", "张三", "440604199001011234", "13800138000", "2026年11月01日", "1,200.50"],
        ["SB-0002", "李四", "44060419851231002X", "13900139000", "2026年10月15日", "980"],
        ["SB-0003", "王𠮷", "440604200002290015", "", "2026年09月30日", "15.5"],  # 𠮷: four bytes in GB18030
    ]
    lines = ["禅城区新业务系统台账（2026年11月）", "业务编号;姓名;证件号码;手机号码;办理日期;金额（元）"]
    lines += [";".join(r) for r in rows]
    path = folder / "newsys_20261116.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path, rows


def test_a_system_registered_at_run_time_from_the_inferred_draft_loads_with_no_code_change(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", registry_dirs=str(tmp_path / "registry"))
    drops = settings.upstream / "drops" / "newsys"
    drops.mkdir(parents=True)
    sample, rows = _write_new_system(drops)
    (tmp_path / "registry").mkdir()
    draft = tmp_path / "registry" / "newsys.yaml"
    inferred = subprocess.run(
        [str(BIN / "zhongtai"), "sources", "infer", str(sample), "--id", "newsys", "-o", str(draft)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert inferred.returncode == 0, inferred.stdout + inferred.stderr
    entry = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert entry["format"] == {"kind": "csv", "encoding": "gb18030", "delimiter": ";", "header_row": 2}
    fields = {f["header"]: f for f in entry["entities"][0]["fields"]}
    assert fields["证件号码"]["canonical"] == "citizen_id"
    assert fields["姓名"]["canonical"] == "person_name"
    assert fields["手机号码"]["canonical"] == "phone"
    assert (fields["办理日期"]["type"], fields["办理日期"]["date_format"]) == ("date", "%Y年%m月%d日")
    assert fields["金额（元）"]["type"] == "decimal"
    assert entry["entities"][0]["primary_key"] == [fields["业务编号"]["name"]]

    # the reviewer names the owner; nothing else changes, and no code does
    draft.write_text(draft.read_text(encoding="utf-8").replace("待填写", "区新业务局"), encoding="utf-8")
    checked = subprocess.run(
        [str(BIN / "zhongtai"), "sources", "check", "--registry-dir", str(tmp_path / "registry")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    registry = load_registry(SOURCES_DIR, tmp_path / "registry")
    source = registry["newsys"]
    [summary] = ingest_source(settings, source)
    assert (summary.rows_loaded, summary.rows_quarantined, summary.files_quarantined) == (3, 0, 0)
    con = open_warehouse(settings)
    try:
        id_col, name_col = fields["证件号码"]["name"], fields["姓名"]["name"]
        got = con.execute(f"select {id_col}, {name_col} from raw.newsys__records order by _line").fetchall()
    finally:
        con.close()
    assert got == [(r[2], r[1]) for r in rows]


def test_replay_reloads_a_quarantined_delivery_after_its_entry_is_fixed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    drops = settings.upstream / "drops" / "newsys"
    drops.mkdir(parents=True)
    sample, _ = _write_new_system(drops)
    (tmp_path / "reg").mkdir()
    draft = tmp_path / "reg" / "newsys.yaml"
    subprocess.run(
        [str(BIN / "zhongtai"), "sources", "infer", str(sample), "--id", "newsys", "-o", str(draft)], check=True
    )
    good = draft.read_text(encoding="utf-8")
    draft.write_text(good.replace("'%Y年%m月%d日'", "'%Y-%m-%d'"), encoding="utf-8")  # a wrong entry
    wrong = load_registry(tmp_path / "reg")["newsys"]
    [first] = ingest_source(settings, wrong)
    assert (first.rows_loaded, first.rows_quarantined) == (0, 3)
    delivery_id = first.loads[0].delivery_id

    draft.write_text(good, encoding="utf-8")  # fixed
    result = replay(settings, delivery_id, load_registry(tmp_path / "reg"))
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 3, 0)
    con = open_warehouse(settings)
    try:
        counts = con.execute(
            """select (select count(*) from raw.newsys__records), (select count(*) from raw._quarantine),
                      (select count(*) from raw._deliveries), (select rows_loaded from raw._deliveries)"""
        ).fetchone()
    finally:
        con.close()
    assert counts == (3, 0, 1, 3)


def test_the_file_drop_sensor_sees_new_and_changed_files_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    registry = load_registry()
    folder = settings.upstream / "drops" / "mz_deaths"
    folder.mkdir(parents=True)
    changed, cursor = new_drops(registry, settings, {})
    assert changed == {}
    (folder / "mz_deaths_20261201.csv").write_text("x", encoding="utf-8")
    (folder / ".mz_deaths_20261202.csv.tmp").write_text("half", encoding="utf-8")
    changed, cursor = new_drops(registry, settings, cursor)
    assert list(changed) == ["mz_deaths"] and len(changed["mz_deaths"]) == 1
    changed, cursor = new_drops(registry, settings, cursor)
    assert changed == {}


def test_the_sandbox_renders_every_legacy_system_and_the_truth_of_its_mentions(tmp_path: Path) -> None:
    from sandbox import generate

    settings = Settings(data_dir=tmp_path / "data")
    summary = generate(settings, "tiny")
    registry = load_registry()
    # every upstream system; an `upload` source is what zhongtai's own users send back (village verification)
    upstream = {sid for sid, source in registry.sources.items() if source.connector.kind != "upload"}
    assert {k.split("/")[0] for k in summary["delivered_rows"]} == upstream
    truth = pl.read_parquet(settings.truth_dir / "source_records.parquet")
    births = truth.filter(pl.col("system") == "wj_birth_certificates")
    assert set(births["role"]) == {"newborn", "mother", "father"}
    deaths = truth.filter(pl.col("system") == "mz_deaths")
    persons = pl.read_parquet(settings.truth_dir / "persons.parquet")
    dead = set(persons.filter(~pl.col("alive"))["person_id"])
    assert deaths.height > 0 and set(deaths["person_id"]) <= dead
    ents = pl.read_parquet(settings.truth_dir / "enterprise_records.parquet")
    assert ents.filter(pl.col("system") == "sw_a_grade_taxpayers").height > 0
    written = json.loads((settings.truth_dir / "summary.json").read_text(encoding="utf-8"))["files"]
    assert len(written) == 158

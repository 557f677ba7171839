"""The bad-delivery corpus (tests/fixtures/bad_deliveries/, see cases.yaml) ingested in one run beside good
deliveries: every bad file ends in quarantine with its specific reason, every good row loads, the run succeeds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from catalog.registry import Registry, SourceSystem
from orchestration.ingestion.ingest import ingest_all, open_warehouse
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_deliveries"
FIELDS = [
    {"name": "record_no", "header": "编号", "type": "varchar", "required": True, "title": "编号"},
    {"name": "name", "header": "姓名", "type": "varchar", "canonical": "person_name", "title": "姓名"},
    {"name": "id_number", "header": "身份证号", "type": "varchar", "canonical": "citizen_id", "title": "身份证号"},
    {"name": "born_on", "header": "出生日期", "type": "date", "title": "出生日期"},
    {"name": "amount", "header": "金额", "type": "decimal", "title": "金额"},
    {"name": "people", "header": "人数", "type": "integer", "title": "人数"},
]
VARIANTS = {
    "csv": {"kind": "csv"},
    "csv_gbk": {"kind": "csv", "encoding": "gbk"},
    "csv_title_gbk": {"kind": "csv", "encoding": "gbk", "header_row": 2},
    "csv_yyyymmdd": {"kind": "csv"},
    "json": {"kind": "json"},
    "jsonl": {"kind": "jsonl"},
    "xlsx": {"kind": "xlsx"},
}
GOOD = {
    "good.csv": (
        "csv",
        "编号,姓名,身份证号,出生日期,金额,人数\nG1,赵六,440604199001011234,1990-01-01,1.5,2\n".encode(),
    ),
    "good.json": ("json", json.dumps([{"编号": "G1", "姓名": "赵六", "人数": 2}], ensure_ascii=False).encode()),
    "good_gbk.csv": ("csv_gbk", "编号,姓名\nG1,钱七\nG2,孙八\n".encode("gbk")),
}


def source(sid: str, variant: str, file_name: str) -> SourceSystem:
    fields = [
        f | ({"date_format": "%Y%m%d"} if variant == "csv_yyyymmdd" and f["type"] == "date" else {}) for f in FIELDS
    ]
    return SourceSystem.model_validate(
        {
            "id": sid,
            "title": sid,
            "description": "坏交付样例",
            "owner_department": "测试局",
            "connector": {"kind": "file_drop", "location": f"{{upstream}}/drops/{sid}"},
            "format": VARIANTS[variant],
            "schedule": "daily",
            "freshness_hours": 24,
            "delivery_mode": "snapshot",
            "entities": [
                {
                    "name": "records",
                    "title": "记录",
                    "locator": file_name,
                    "primary_key": ["record_no"],
                    "fields": fields,
                }
            ],
        }
    )


def test_every_bad_delivery_is_quarantined_with_its_reason_and_every_good_one_loads(tmp_path: Path) -> None:
    cases = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
    assert len(cases) >= 30
    settings = Settings(data_dir=tmp_path / "data")
    sources: dict[str, SourceSystem] = {}
    files = {name: (spec["variant"], (CORPUS / name).read_bytes()) for name, spec in cases.items()}
    files |= GOOD
    for name, (variant, data) in files.items():
        sid = "case_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        sources[sid] = source(sid, variant, name)
        folder = settings.upstream / "drops" / sid
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)
    summary = ingest_all(settings, Registry(sources, []))
    assert summary.errors == []

    con = open_warehouse(settings)
    try:
        deliveries = {
            r[0]: r[1:]
            for r in con.execute(
                "select file_name, status, error_code, rows_loaded, rows_quarantined, schema_drift from raw._deliveries"
            ).fetchall()
        }
        reasons: dict[str, set[str]] = {}
        for file_name, code in con.execute(
            "select d.file_name, q.reason_code from raw._quarantine q join raw._deliveries d using (delivery_id)"
        ).fetchall():
            reasons.setdefault(file_name, set()).add(code)
    finally:
        con.close()
    assert set(deliveries) == set(files)
    failures = []
    for name, spec in cases.items():
        status, code, loaded, _quarantined, drift = deliveries[name]
        if "file" in spec:
            if (status, code) != ("quarantined", spec["file"]):
                failures.append(f"{name}: expected file fault {spec['file']}, got {status} {code}")
            continue
        if status != "loaded" or loaded != spec["loaded"]:
            failures.append(f"{name}: expected {spec['loaded']} rows loaded, got {status} {code} {loaded}")
        got = reasons.get(name, set())
        if "rows" in spec and not (got and got <= set(spec["rows"])):
            failures.append(f"{name}: expected row reasons {spec['rows']}, got {sorted(got)}")
        if "rows" not in spec and got:
            failures.append(f"{name}: expected no quarantined row, got {sorted(got)}")
        if "drift" in spec and spec["drift"] not in (drift or ""):
            failures.append(f"{name}: expected drift {spec['drift']}, got {drift}")
    assert not failures, "\n".join(failures)
    for name in GOOD:
        assert deliveries[name][0] == "loaded" and deliveries[name][3] == 0, name


def test_the_corpus_is_committed_as_the_generator_writes_it(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "make_corpus.py", tmp_path / "make_corpus.py")
    import runpy

    runpy.run_path(str(tmp_path / "make_corpus.py"), run_name="__main__")
    written = [p for p in tmp_path.iterdir() if p.name != "make_corpus.py"]
    assert {p.name for p in written} >= {"cases.yaml", "bad_date_feb30.csv", "xlsx_bad_number.xlsx"}
    for path in written:
        if path.suffix != ".xlsx":  # workbooks carry their creation time
            assert path.read_bytes() == (CORPUS / path.name).read_bytes(), path.name

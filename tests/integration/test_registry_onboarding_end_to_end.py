"""A system described only by a YAML file in an extra registry folder reaches the golden records on the next run.

The department export is one the sandbox never produces: pinyin-initial headers (xm 姓名, sfzhm 身份证号码, xb 性别,
csrq 出生日期, jzdz 居住地址) naming three people of the district — taken from the hukou delivery, an upstream file,
not the ground truth — and one person nobody else knows. After the real `zhongtai run`, all four are in
marts.natural_person and marts.person_source_xref under the new source id, the three linked to the district's people.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from catalog.registry import Format
from tests.support.pipeline import ZHONGTAI, dated_env, pipeline_env, run_pipeline
from tests.support.readers import query
from zhongtai.identifiers import make_citizen_id
from zhongtai.keys import pseudonym
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

SOURCE_ID = "rs_pension_roster_export"
HEADERS = ["bh", "xm", "sfzhm", "xb", "csrq", "jzdz"]
NEWCOMER = {
    "xm": "欧阳新来",
    "sfzhm": make_citizen_id("440604", dt.date(1991, 3, 14), 918),
    "xb": "2",
    "csrq": "19910314",
    "jzdz": "佛山市禅城区祖庙街道登记新路8号",
}


def _fields(paths: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The entry's fields, as a steward would review them; `paths` places a field inside a nested record."""
    spec = [
        ("bh", "varchar", None, "编号", {}),
        ("xm", "varchar", "person_name", "姓名", {}),
        ("sfzhm", "varchar", "citizen_id", "身份证号码", {}),
        ("xb", "varchar", "sex", "性别", {}),
        ("csrq", "date", "birth_date", "出生日期", {"date_format": "%Y%m%d"}),
        ("jzdz", "varchar", "address", "居住地址", {}),
    ]
    fields = []
    for name, kind, canonical, title, extra in spec:
        field: dict[str, Any] = {"name": name, "header": name, "type": kind, "title": title, **extra}
        if canonical:
            field["canonical"] = canonical
        if paths and name in paths:
            field["path"] = paths[name]
        fields.append(field)
    return fields


def _write_csv(folder: Path, rows: list[dict[str, str]]) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    lines = [",".join(HEADERS)] + [",".join(row[h] for h in HEADERS) for row in rows]
    (folder / f"{SOURCE_ID}_20261116.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{SOURCE_ID}_*.csv", {"kind": "csv", "encoding": "utf-8"}, _fields()


def _write_json(folder: Path, rows: list[dict[str, str]]) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """A paged JSON export, records under data.list, the address nested in an object per record."""
    records = [{k: v for k, v in row.items() if k != "jzdz"} | {"jz": {"dz": row["jzdz"]}} for row in rows]
    document = {"code": 0, "msg": "ok", "data": {"total": len(records), "list": records}}
    (folder / f"{SOURCE_ID}_20261116.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return f"{SOURCE_ID}_*.json", {"kind": "json", "record_path": "data.list"}, _fields({"jzdz": "jz.dz"})


Writer = Callable[[Path, list[dict[str, str]]], tuple[str, dict[str, Any], list[dict[str, Any]]]]
WRITERS: dict[str, Writer] = {"csv": _write_csv}
if "record_path" in Format.model_fields:  # JSON record paths and nested fields are registrable
    WRITERS["json"] = _write_json


@dataclass(frozen=True)
class Onboarded:
    settings: Settings
    rows: list[dict[str, str]]  # what the new system delivered
    run: subprocess.CompletedProcess[str]


def _district_people(settings: Settings, count: int) -> list[dict[str, str]]:
    """People from the district's hukou delivery, as the new department's export would list them."""
    hukou = sorted((settings.upstream / "drops" / "hukou").glob("hukou_*.csv"))[0]
    frame = pl.read_csv(hukou, encoding="gb18030", infer_schema=False)
    # people whose number the delivery gives once (an upstream file may repeat a number for two people)
    valid = frame.filter(
        pl.col("公民身份号码").str.contains(r"^[0-9]{17}[0-9X]$")
        & pl.col("公民身份号码").is_unique()
        & pl.col("姓名").is_not_null()
    )
    return [
        {
            "xm": person["姓名"],
            "sfzhm": person["公民身份号码"],
            "xb": {"男": "1", "女": "2"}.get(person["性别"] or "", person["性别"] or ""),
            "csrq": person["公民身份号码"][6:14],
            "jzdz": person["户籍地址"] or "",
        }
        for person in valid.head(count).iter_rows(named=True)
    ]


@pytest.fixture(scope="module", params=sorted(WRITERS))
def onboarded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Onboarded:
    """tiny district → one YAML entry in an extra registry folder and its delivery → the real `zhongtai run`."""
    root = tmp_path_factory.mktemp(f"onboard_{request.param}")
    data, registry = root / "data", root / "registry"
    generated = subprocess.run(
        [ZHONGTAI, "sandbox", "generate", "--scale", "tiny"], env=pipeline_env(data), capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    settings = Settings(data_dir=data, registry_dirs=str(registry))
    rows = [{"bh": f"YL{i:04d}"} | person for i, person in enumerate([*_district_people(settings, 3), NEWCOMER])]
    drops = settings.upstream / "drops" / SOURCE_ID
    drops.mkdir(parents=True)
    locator, fmt, fields = WRITERS[request.param](drops, rows)
    entry = {
        "id": SOURCE_ID,
        "title": "养老保险参保人员名单（部门导出）",
        "description": "区人社局养老保险参保人员名单，部门系统导出，字段为拼音首字母。",
        "owner_department": "区人力资源和社会保障局",
        "connector": {"kind": "file_drop", "location": "{upstream}/drops/" + SOURCE_ID},
        "format": fmt,
        "schedule": "daily",
        "freshness_hours": 48,
        "delivery_mode": "snapshot",
        "entities": [
            {"name": "records", "title": "参保人员", "locator": locator, "primary_key": ["bh"], "fields": fields}
        ],
    }
    registry.mkdir()
    (registry / f"{SOURCE_ID}.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    env = dated_env(data) | {"ZHONGTAI_REGISTRY_DIRS": str(registry)}
    return Onboarded(settings, rows, run_pipeline(env))


def test_the_run_succeeds_with_the_new_system(onboarded: Onboarded) -> None:
    assert onboarded.run.returncode == 0, onboarded.run.stdout[-4000:] + onboarded.run.stderr[-4000:]
    loaded = query(onboarded.settings, f"select count(*) as n from raw.{SOURCE_ID}__records")
    assert loaded["n"][0] == len(onboarded.rows)


def test_its_people_are_natural_persons_linked_by_the_new_source(onboarded: Onboarded) -> None:
    secret = onboarded.settings.key_secret
    expected = {pseudonym(secret, "person", row["sfzhm"]): row for row in onboarded.rows}
    xref = query(
        onboarded.settings,
        "select person_key, record_id, role, match_method from marts.person_source_xref where source_id = ?",
        [SOURCE_ID],
    )
    assert sorted(xref["person_key"].to_list()) == sorted(expected)
    assert set(xref["record_id"]) == {row["bh"] for row in onboarded.rows}
    assert set(xref["role"]) == {"subject"} and set(xref["match_method"]) == {"deterministic_id"}
    people = query(
        onboarded.settings,
        f"select person_key, name, birth_date from marts.natural_person where person_key in "
        f"({', '.join('?' * len(expected))})",
        list(expected),
    )
    assert sorted(people["person_key"].to_list()) == sorted(expected)
    newcomer = people.filter(pl.col("person_key") == pseudonym(secret, "person", NEWCOMER["sfzhm"])).row(0, named=True)
    assert newcomer["name"] == NEWCOMER["xm"] and newcomer["birth_date"] == dt.date(1991, 3, 14)


def test_the_district_people_it_names_are_the_ones_other_sources_know(onboarded: Onboarded) -> None:
    """The three from the hukou delivery are one person each across the household register and the new system."""
    known = [row["sfzhm"] for row in onboarded.rows if row["sfzhm"] != NEWCOMER["sfzhm"]]
    keys = [pseudonym(onboarded.settings.key_secret, "person", number) for number in known]
    sources = query(
        onboarded.settings,
        f"select person_key, list(distinct source_id order by source_id) as sources from marts.person_source_xref "
        f"where person_key in ({', '.join('?' * len(keys))}) group by person_key",
        keys,
    )
    assert len(sources) == len(keys)
    for per_person in sources["sources"].to_list():
        assert {"hukou", SOURCE_ID} <= set(per_person)

"""A department export the sandbox never produces, onboarded by one YAML file in an extra registry folder.

The export is a JSON document with its records under `data.list`, the address nested in an object per record, and
pinyin-initial names (xm 姓名, sfzhm 身份证号码, xb 性别, csrq 出生日期, jzdz 居住地址). It names three people of the
district — taken from the hukou delivery, an upstream file, not the ground truth — and one person nobody else knows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from tests.support.pipeline import dated_env
from zhongtai.identifiers import make_citizen_id
from zhongtai.settings import Settings

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


def write_json(folder: Path, rows: list[dict[str, str]]) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """A paged JSON export, records under data.list, the address nested in an object per record."""
    records = [{k: v for k, v in row.items() if k != "jzdz"} | {"jz": {"dz": row["jzdz"]}} for row in rows]
    document = {"code": 0, "msg": "ok", "data": {"total": len(records), "list": records}}
    (folder / f"{SOURCE_ID}_20261116.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return f"{SOURCE_ID}_*.json", {"kind": "json", "record_path": "data.list"}, _fields({"jzdz": "jz.dz"})


def district_people(settings: Settings, count: int) -> list[dict[str, str]]:
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


def register_export(settings: Settings, registry: Path) -> list[dict[str, str]]:
    """One YAML entry in the extra registry folder `registry` and the new system's first delivery in its drop folder,
    as a department would onboard it; returns the rows it delivered."""
    rows = [{"bh": f"YL{i:04d}"} | person for i, person in enumerate([*district_people(settings, 3), NEWCOMER])]
    drops = settings.upstream / "drops" / SOURCE_ID
    drops.mkdir(parents=True)
    locator, fmt, fields = write_json(drops, rows)
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
    return rows


def registry_env(settings: Settings) -> dict[str, str]:
    """The pipeline's environment for a data directory whose registry includes the extra folder."""
    return dated_env(settings.root) | {"ZHONGTAI_REGISTRY_DIRS": str(settings.registry_dirs)}

"""Draft the registry entries of the 155 legacy systems from the sandbox's spec: `python -m sandbox.registry_drafts`.

The drafts are written once, reviewed and committed under catalog/sources/; the platform reads only those
files and never imports the sandbox. Rerun after changing sandbox/spec.yaml or sandbox/legacy.py, then review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from sandbox.legacy import LegacySystem, legacy_systems

CADENCE_TITLE = {"daily": "日", "weekly": "周", "monthly": "月", "hourly": "小时"}
FRESHNESS = {"hourly": 6, "daily": 48, "weekly": 192, "monthly": 800}
ENCODING_TITLE = {"utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030"}
DELIMITER_TITLE = {",": "逗号", ";": "分号", "|": "竖线", "\t": "制表符"}


def entry(s: LegacySystem) -> dict[str, Any]:
    v = s.variant
    if v.kind == "database":
        connector: dict[str, Any] = {
            "kind": "database",
            "driver": "sqlite",
            "location": f"{{upstream}}/legacy_db/{s.id}.sqlite",
        }
        fmt: dict[str, Any] = {"kind": "jsonl"}
        locator, how = "records", "以 SQLite 数据库全量抽取"
    else:
        connector = {"kind": "file_drop", "location": f"{{upstream}}/drops/{s.id}"}
        fmt = {"kind": v.kind}
        locator = f"{s.id}_*{s.file_suffix}"
        if v.kind == "csv":
            fmt |= {"encoding": v.encoding, "delimiter": v.delimiter}
            how = f"以 {ENCODING_TITLE[v.encoding]} 编码、{DELIMITER_TITLE[v.delimiter]}分隔的 CSV 文件交换"
        elif v.kind == "xlsx":
            how = "以 Excel 文件交换" + ("（两行表头、合并单元格、日期为 Excel 序列号）" if v.header_rows == 2 else "")
        else:
            how = "以 JSON 文件交换" if v.kind == "json" else "以 JSON Lines 文件交换"
        if v.title_row:
            fmt["header_row"] = 2
            how += "，首行为标题"
        if v.header_rows > 1:
            fmt["header_rows"] = v.header_rows
    fields = []
    for c in s.columns:
        f: dict[str, Any] = {"name": c.name, "header": c.header, "type": c.type}
        if c.required:
            f["required"] = True
        if c.type == "date" and v.date_format and v.kind not in ("database", "jsonl", "xlsx"):
            f["date_format"] = v.date_format
        if c.canonical:
            f["canonical"] = c.canonical
        if c.role:
            f["role"] = c.role
        f["title"] = c.header.split("/")[-1]
        fields.append(f)
    schedule = s.template.schedule
    return {
        "id": s.id,
        "title": s.title,
        "description": f"{s.department}{s.title}数据，按{CADENCE_TITLE[schedule]}{how}。",
        "owner_department": s.department,
        "connector": connector,
        "format": fmt,
        "schedule": schedule,
        "freshness_hours": FRESHNESS[schedule],
        "delivery_mode": "snapshot",
        "staging": "generic",
        "entities": [
            {
                "name": "records",
                "title": s.title.removesuffix("系统").removesuffix("信息") or s.title,
                "locator": locator,
                "primary_key": ["record_no"],
                "fields": fields,
            }
        ],
    }


class _Dumper(yaml.SafeDumper):
    pass


def _flow_fields(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flow = "header" in data and "name" in data  # one line per field, as the hand-written entries do
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(dict, _flow_fields)


def write_drafts(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in legacy_systems():
        path = target / f"{s.id}.yaml"
        text = yaml.dump(entry(s), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)
        path.write_text(
            f"# drafted by `python -m sandbox.registry_drafts` from the sandbox spec; reviewed\n{text}",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "catalog" / "sources"
    paths = write_drafts(target)
    print(f"wrote {len(paths)} registry drafts to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Historical report forms (填表报数) as Excel templates, with the true item → concept mapping kept as ground truth."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter
import yaml

from sandbox.district import DEPARTMENTS
from zhongtai.identifiers import make_citizen_id, make_uscc

SPEC = Path(__file__).with_name("forms.yaml")
KINDS = ("roster", "enterprise", "summary")
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789()[]-/%ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


@dataclass
class Item:
    column: int
    label: str  # exactly as written in the template's header cell
    group: str | None  # the merged group header above it, if any
    concept: str
    unit: str | None
    sample: str | None


@dataclass
class Form:
    form_id: str
    department: str
    kind: str
    title: str
    year: int
    items: list[Item] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"{self.form_id}.xlsx"


def _decorate(rng: np.random.Generator, label: str, kind: str, unit: str | None, deco: dict[str, Any]) -> str:
    """A clerk's way of writing `label`: a filler word, a unit in brackets, full width, traditional, spaced."""
    prefix = deco["prefix"][kind][rng.integers(len(deco["prefix"][kind]))]
    suffix = deco["suffix"][rng.integers(len(deco["suffix"]))]
    if suffix == "情况" and kind == "summary":  # "人口数情况" is not something a clerk writes
        suffix = ""
    text = f"{prefix}{label}{suffix}"
    if unit and rng.random() < deco["unit_share"]:
        text += deco["unit_brackets"][rng.integers(len(deco["unit_brackets"]))].format(unit)
    if rng.random() < deco["full_width_share"]:
        text = "".join(_FULL_WIDTH.get(c, c) for c in text)
    if rng.random() < deco["traditional_share"]:
        text = "".join(spec()["traditional"].get(c, c) for c in text)
    if len(label) == 2 and not prefix and rng.random() < deco["spaced_share"] * 4:
        text = text[0] + "  " + text[1:]
    return text


def _sample(rng: np.random.Generator, kind: str, as_of: dt.date) -> str:
    """An example value as clerks fill the first row of a template (valid identifiers, real-looking dates)."""
    if kind == "citizen_id":
        birth = as_of - dt.timedelta(days=int(rng.integers(18 * 365, 80 * 365)))
        return make_citizen_id("440604", birth, int(rng.integers(1, 999)))
    if kind == "uscc":
        body = "".join(str(d) for d in rng.integers(0, 10, 8))
        return make_uscc("9", "1", "440604", body)
    if kind == "date":
        return (as_of - dt.timedelta(days=int(rng.integers(300, 20000)))).isoformat()
    if kind == "phone":
        return "13" + "".join(str(d) for d in rng.integers(0, 10, 9))
    if kind == "sex":
        return ["男", "女"][rng.integers(2)]
    if kind in ("age", "count"):
        return str(int(rng.integers(1, 90)))
    if kind == "money":
        return f"{rng.integers(10, 5000)}.00"
    return {
        "name": "张三",
        "household": "440604" + "".join(str(d) for d in rng.integers(0, 10, 6)),
        "address": "祖庙街道莲花路12号",
        "company": "佛山市禅城区示例贸易有限公司",
        "village": "示例村委会",
        "town": "祖庙街道",
    }.get(kind, "示例")


def build_forms(seed: int, count: int = 500, as_of: dt.date = dt.date(2026, 11, 1)) -> list[Form]:
    """`count` forms from the 18 departments, the same for the same seed."""
    s = spec()
    rng = np.random.default_rng(seed)
    deco = s["decorations"]
    by_kind: dict[str, tuple[list[str], list[str]]] = {}
    for kind in KINDS:
        held = [c for c, d in s["concepts"].items() if d["kind"] == kind and "truth" in d]
        unheld = [c for c, d in s["concepts"].items() if d["kind"] == kind and "truth" not in d]
        by_kind[kind] = (held, unheld)
    departments = np.asarray(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), count)]
    fully = rng.random(count) < s["fully_derivable_share"]
    forms = []
    for n, (department, derivable) in enumerate(zip(departments.tolist(), fully.tolist(), strict=True)):
        weights = np.asarray(s["department_kinds"][department], dtype=float)
        kind = KINDS[rng.choice(3, p=weights / weights.sum())]
        held, unheld = by_kind[kind]
        low, high = s["kinds"][kind]["size"]
        size = int(rng.integers(low, high + 1))
        missing = 0 if derivable else int(rng.integers(1, min(3, len(unheld)) + 1))
        chosen = list(rng.choice(held, size=min(size - missing, len(held)), replace=False))
        chosen += list(rng.choice(unheld, size=missing, replace=False))
        if kind == "summary" and "village_name" not in chosen:  # a summary form has a row per village
            chosen[0] = "village_name"
        order = rng.permutation(len(chosen))
        chosen = [chosen[i] for i in order]
        topic = s["topics"][kind][rng.integers(len(s["topics"][kind]))]
        year = int(rng.integers(2019, as_of.year + 1))
        form = Form(f"form_{n + 1:04d}", department, kind, f"{year}年{department.removeprefix('区')}{topic}", year)
        grouped = rng.random() < deco["group_share"]
        group_title = s["kinds"][kind]["group_title"][rng.integers(len(s["kinds"][kind]["group_title"]))]
        carries_sample = kind != "summary" and rng.random() < deco["sample_share"]
        for column, concept in enumerate(chosen, start=1):
            c = s["concepts"][concept]
            units = c.get("unit") or []
            unit = units[rng.integers(len(units))] if units else None
            label = _decorate(rng, c["labels"][rng.integers(len(c["labels"]))], kind, unit, deco)
            # the first half of the items sit under the merged group header, the rest span both header rows
            group = group_title if grouped and column <= max(2, len(chosen) // 2) else None
            sample = _sample(rng, c["sample"], as_of) if carries_sample else None
            form.items.append(Item(column, label, group, concept, unit, sample))
        forms.append(form)
    return forms


def write_template(form: Form, path: Path) -> None:
    """The form as a department sends it: a title, the filling unit, header rows, an example row, notes below."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})  # no temp files: 500 workbooks in seconds
    ws = wb.add_worksheet("Sheet1")
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    cell = wb.add_format({"border": 1})
    width = len(form.items) + 1
    ws.merge_range(0, 0, 0, width - 1, form.title, title)
    ws.write(1, 0, "填报单位：            村（居）委会      填报日期：    年  月  日")
    grouped = any(i.group for i in form.items)
    top = 2
    header_rows = 2 if grouped else 1
    if grouped:
        ws.merge_range(top, 0, top + 1, 0, "序号", bold)
        under = [i for i in form.items if i.group]
        group = under[0].group or ""
        ws.merge_range(top, under[0].column, top, under[-1].column, group, bold)
        for item in form.items:
            if item.group:
                ws.write(top + 1, item.column, item.label, bold)
            else:
                ws.merge_range(top, item.column, top + 1, item.column, item.label, bold)
    else:
        ws.write(top, 0, "序号", bold)
        for item in form.items:
            ws.write(top, item.column, item.label, bold)
    row = top + header_rows
    if any(i.sample for i in form.items):
        ws.write(row, 0, "示例", cell)
        for item in form.items:
            ws.write_string(row, item.column, item.sample or "", cell)
        row += 1
    for blank in range(5):
        ws.write(row + blank, 0, str(blank + 1), cell)
        for item in form.items:
            ws.write_blank(row + blank, item.column, None, cell)
    row += 6
    ws.write(row, 0, "注：1. 本表由村（居）委会如实填写，请于每月5日前报送；2. 数据口径截至上月末。")
    ws.write(row + 1, 0, "填表人：          审核人：          联系电话：")
    ws.set_column(0, 0, 6)
    ws.set_column(1, width, 16)
    wb.close()


def write_forms(forms: list[Form], forms_dir: Path, truth_dir: Path) -> dict[str, Any]:
    """Every form's template under `forms_dir`, the item → concept truth as `truth_dir`/forms.json; the summary."""
    forms_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    concepts = spec()["concepts"]
    truth = []
    for form in forms:
        write_template(form, forms_dir / form.file_name)
        items = []
        for item in form.items:
            target = concepts[item.concept].get("truth") or {}
            items.append(
                {
                    "column": item.column,
                    "label": item.label,
                    "group": item.group,
                    "concept": item.concept,
                    "unit": item.unit,
                    "dataset": target.get("dataset"),
                    "field": target.get("field") or target.get("expression"),
                    "aggregate": "expression" in target,
                }
            )
        truth.append(
            {
                "form_id": form.form_id,
                "file": form.file_name,
                "department": form.department,
                "kind": form.kind,
                "title": form.title,
                "year": form.year,
                "fully_derivable": all(i["dataset"] for i in items),
                "items": items,
            }
        )
    (truth_dir / "forms.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    # the reduction rate a perfect registry would reach (fully derivable forms / forms), overall and per department
    per_department = {
        d: {"forms": len(fs), "fully_derivable": sum(f["fully_derivable"] for f in fs)}
        for d in sorted({f["department"] for f in truth})
        for fs in [[f for f in truth if f["department"] == d]]
    }
    derivable = sum(f["fully_derivable"] for f in truth)
    summary = {
        "forms": len(truth),
        "form_items": sum(len(f["items"]) for f in truth),
        "fully_derivable_forms": derivable,
        "reduction_rate": round(derivable / len(truth), 4) if truth else 0.0,
        "departments": len(per_department),
    }
    (truth_dir / "forms_summary.json").write_text(
        json.dumps({**summary, "per_department": per_department}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return summary


def generate_forms(sandbox_dir: Path, truth_dir: Path, seed: int, count: int = 500) -> dict[str, Any]:
    """Build and write the historical forms into `sandbox_dir`/forms; the truth beside the district's."""
    return write_forms(build_forms(seed, count), sandbox_dir / "forms", truth_dir)

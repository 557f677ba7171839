"""Report forms (填表报数): register a form, match its items, decide at the gate, review matches, count the savings.

Every write to the form tables goes through these functions, inside the caller's unit of work: a registration that
fails any check raises `FormRefusal` before anything is flushed, so nothing half-registered remains.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apis.operational.accounts import village_names
from apis.operational.models import FormItem, FormLesson, FormStatus, FormVillage, ReportForm, now
from catalog.datasets import Dataset
from catalog.forms import FormError, Matcher, Template, catalog_manifest, load_datasets, read_template
from zhongtai.settings import Settings

FREQUENCIES = {"once": "一次性", "monthly": "每月", "quarterly": "每季度", "yearly": "每年"}
MAX_TITLE = 200
MAX_BYTES = 5 * 1024 * 1024
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_HELD = ""  # the steward's choice "the platform does not hold this item"


class FormRefusal(ValueError):
    """A registration or review that cannot be done: a code, a status, and the message in Chinese and English."""

    def __init__(self, status: int, code: str, zh: str, en: str) -> None:
        self.status, self.code, self.zh, self.en = status, code, zh, en
        super().__init__(f"{zh} ({en})")


_TEMPLATE_MESSAGES = {
    "not_a_workbook": ("上传的文件不是 Excel 工作簿（.xlsx）", "the file is not an Excel workbook"),
    "empty": ("工作簿的第一个工作表是空的", "the workbook's first sheet is empty"),
    "no_header": ("找不到可识别的表头：需要一行至少两个列名", "no recognisable header row"),
    "no_items": ("表头中没有数据项（只有序号之类的列）", "the header names no data items"),
    "label_too_long": ("数据项名称过长（超过 200 个字符），请检查表头", "an item label is longer than 200 characters"),
}


@dataclass(frozen=True)
class FormRequest:
    department: str
    purpose: str
    frequency: str
    villages: list[str]
    title: str = ""  # the template's own title when empty


# ------------------------------------------------------------------------------------------------ the matcher


@lru_cache(maxsize=4)
def _datasets(manifest: Path) -> list[Dataset]:
    return load_datasets(manifest)


def published_datasets(settings: Settings) -> list[Dataset]:
    """The catalog of the latest publish; FormRefusal(503) before anything is published."""
    try:
        return _datasets(catalog_manifest(settings))
    except FileNotFoundError:
        raise FormRefusal(503, "no_snapshot", "尚未发布数据快照，无法比对数据项", "nothing is published yet") from None


def matcher(settings: Settings, db: Session) -> Matcher:
    """The matcher over the published catalog, with every label stewards taught it (the next match uses them)."""
    lessons = tuple(db.execute(select(FormLesson.element, FormLesson.label).order_by(FormLesson.id)).tuples())
    published_datasets(settings)  # 503 before anything is published
    return _matcher(catalog_manifest(settings), lessons)


@lru_cache(maxsize=4)
def _matcher(manifest: Path, lessons: tuple[tuple[str, str], ...]) -> Matcher:
    """Built once per catalog and set of lessons: building one segments every dictionary name."""
    learned: dict[str, list[str]] = defaultdict(list)
    for element, label in lessons:
        learned[element].append(label)
    return Matcher(_datasets(manifest), learned=learned)


# ------------------------------------------------------------------------------------------------ registration


def template_from_labels(title: str, labels: list[str]) -> bytes:
    """A plain template (title row, one header row) for a form registered through the API with its item labels."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(["序号", *labels])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_form(data: bytes, file_name: str) -> Template:
    if len(data) > MAX_BYTES:
        raise FormRefusal(413, "too_large", "文件超过 5 MB", "the file is larger than 5 MB")
    try:
        return read_template(io.BytesIO(data), name=file_name)
    except FormError as exc:
        zh, en = _TEMPLATE_MESSAGES.get(exc.code, ("无法读取表样", "the template cannot be read"))
        raise FormRefusal(400, exc.code, f"{zh}：{exc}", f"{en}: {exc}") from None


def register(
    settings: Settings, db: Session, *, clerk: str, scope: str | None, request: FormRequest, data: bytes, file_name: str
) -> ReportForm:
    """Check everything, then match every item and decide at the gate; raises FormRefusal with nothing written."""
    department = request.department.strip()
    if not department or department != (scope or ""):
        raise FormRefusal(
            403,
            "wrong_department",
            f"只能为本部门（{scope}）登记报表，不能为“{department}”登记",
            f"you may register forms for your own department ({scope}) only, not for {department!r}",
        )
    if request.frequency not in FREQUENCIES:
        raise FormRefusal(
            400,
            "bad_frequency",
            f"填报频次须为 {'、'.join(FREQUENCIES.values())} 之一",
            f"frequency must be one of {', '.join(FREQUENCIES)}",
        )
    codes = sorted({c.strip() for c in request.villages if c.strip()})
    if not codes:
        raise FormRefusal(400, "no_villages", "请至少选择一个下发的村（居）", "name at least one target village")
    unknown = [c for c in codes if c not in village_names()]
    if unknown:
        raise FormRefusal(
            400,
            "unknown_village",
            f"不是本区的村（居）代码：{'、'.join(unknown)}",
            f"not a village code of the district: {', '.join(unknown)}",
        )
    template = read_form(data, file_name)
    title = (request.title or template.title).strip()
    if not title:
        raise FormRefusal(400, "no_title", "请填写报表名称（表样中也没有标题行）", "the form needs a title")
    if len(title) > MAX_TITLE:
        raise FormRefusal(400, "title_too_long", "报表名称超过 200 个字符", "the title is longer than 200 characters")
    fingerprint = hashlib.sha256(
        json.dumps([department, title, [i.label for i in template.items]], ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    duplicate = db.scalar(select(ReportForm).where(ReportForm.fingerprint == fingerprint))
    if duplicate is not None:
        raise FormRefusal(
            409,
            "duplicate",
            f"本部门已登记过同一报表“{title}”（编号 {duplicate.id}，数据项相同）",
            f"your department already registered this form, {title!r} with the same items (id {duplicate.id})",
        )
    matches = matcher(settings, db).match_template(template)
    form = ReportForm(
        department=department,
        title=title,
        purpose=request.purpose.strip()[:500],
        frequency=request.frequency,
        fingerprint=fingerprint,
        status=FormStatus.allowed.value,
        file_name=file_name[:200],
        template=data,
        registered_by=clerk,
    )
    form.villages = [FormVillage(code=c) for c in codes]
    form.items = [
        FormItem(
            position=i,
            column=item.column,
            label=item.label,
            group_label=item.group,
            element=m.element,
            dataset=m.dataset,
            field=m.field,
            aggregate=m.aggregate,
            unit_factor=m.unit_factor,
            confidence=m.confidence,
            reason=m.reason[:500],
            review="pending",
        )
        for i, (item, m) in enumerate(zip(template.items, matches, strict=True))
    ]
    decide(form)
    db.add(form)
    db.flush()
    publish_dashboard(settings, db)
    return form


def decide(form: ReportForm) -> None:
    """The gate: refused when every item is derivable, pre-filled when some are, allowed when none is."""
    held = sum(i.derivable for i in form.items)
    status = (
        FormStatus.refused if held == len(form.items) else FormStatus.prefilled if held else FormStatus.allowed
    ).value
    if status != form.status:
        form.status, form.decided_at = status, now()


def get_form(db: Session, form_id: int, department: str | None = None) -> ReportForm | None:
    """The form, or None when there is none (or it belongs to another department than `department`)."""
    form = db.get(ReportForm, form_id)
    if form is None or (department is not None and form.department != department):
        return None
    return form


def forms_of(db: Session, department: str | None = None, village: str | None = None) -> list[ReportForm]:
    query = select(ReportForm).order_by(ReportForm.id)
    if department is not None:
        query = query.where(ReportForm.department == department)
    if village is not None:
        query = query.join(FormVillage).where(FormVillage.code == village)
    return list(db.scalars(query))


def duplicates(db: Session, form: ReportForm) -> dict[int, list[str]]:
    """Per item position: the other registered forms (as "部门《名称》") that already ask for the same element."""
    out: dict[int, list[str]] = {}
    for item in form.items:
        if not item.element:
            continue
        rows = db.execute(
            select(ReportForm.department, ReportForm.title)
            .join(FormItem)
            .where(FormItem.element == item.element, FormItem.dataset == item.dataset, ReportForm.id != form.id)
            .distinct()
            .limit(5)
        ).all()
        if rows:
            out[item.position] = [f"{d}《{t}》" for d, t in rows]
    return out


# ------------------------------------------------------------------------------------------------ steward review


def review(settings: Settings, db: Session, item_id: int, element: str, steward: str) -> FormItem:
    """Confirm the item's match (`element` equal to its own) or correct it to another element or to NOT_HELD.
    A confirmed match of an element teaches the dictionary the item's label; the form goes through the gate again."""
    item = db.get(FormItem, item_id)
    if item is None:
        raise FormRefusal(404, "unknown_item", "没有这个数据项", "no such item")
    at = now()
    if element == (item.element or NOT_HELD):
        item.review = "confirmed"
    elif element == NOT_HELD:
        item.element = item.dataset = item.field = None
        item.aggregate, item.unit_factor, item.confidence = False, None, 1.0
        item.reason, item.review = f"数据管理员 {steward} 更正为：平台无此数据", "corrected"
    else:
        chosen = next((e for e in matcher(settings, db).elements if e.id == element), None)
        if chosen is None:
            raise FormRefusal(400, "unknown_element", f"数据元字典中没有“{element}”", f"no data element {element!r}")
        item.element, item.dataset, item.field = chosen.id, chosen.dataset, chosen.target
        item.aggregate = chosen.aggregate
        item.unit_factor, item.confidence = 1.0, 1.0
        item.reason, item.review = f"数据管理员 {steward} 更正为数据元 {chosen.id}", "corrected"
    item.reviewed_by, item.reviewed_at = steward, at
    if item.element and item.element != "age_band":
        lesson = db.scalar(select(FormLesson).where(FormLesson.label == item.label))
        if lesson is None:
            db.add(FormLesson(label=item.label, element=item.element, steward=steward, created_at=at))
        else:
            lesson.element, lesson.steward = item.element, steward
    decide(item.form)
    db.flush()
    publish_dashboard(settings, db)
    return item


def pending_items(db: Session, limit: int = 200) -> list[FormItem]:
    """Matches no steward has looked at yet, least confident first."""
    query = select(FormItem).where(FormItem.review == "pending").order_by(FormItem.confidence, FormItem.id)
    return list(db.scalars(query.limit(limit)))


# ------------------------------------------------------------------------------------------------ dashboard


@dataclass(frozen=True)
class _Row:
    department: str
    status: str
    created_at: datetime
    items: int
    held: int


def _counts(rows: list[_Row]) -> dict[str, Any]:
    registered = len(rows)
    refused = sum(r.status == FormStatus.refused for r in rows)
    return {
        "registered": registered,
        "refused": refused,
        "prefilled": sum(r.status == FormStatus.prefilled for r in rows),
        "allowed": sum(r.status == FormStatus.allowed for r in rows),
        "items": sum(r.items for r in rows),
        "items_saved": sum(r.held for r in rows),
        "reduction_rate": round(refused / registered, 4) if registered else 0.0,
    }


def month(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def dashboard(db: Session, department: str | None = None) -> dict[str, Any]:
    """Forms registered, refused (eliminated), pre-filled; items saved; reduction rate = refused / registered —
    overall, per department and per month registered (Asia/Shanghai)."""
    query = (
        select(
            ReportForm.department,
            ReportForm.status,
            ReportForm.created_at,
            func.count(FormItem.id),
            func.count(FormItem.dataset),
        )
        .join(FormItem)
        .group_by(ReportForm.id)
        .order_by(ReportForm.id)
    )
    if department is not None:
        query = query.where(ReportForm.department == department)
    rows = [_Row(*r) for r in db.execute(query).tuples()]
    per_department: dict[str, list[_Row]] = defaultdict(list)
    per_month: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        per_department[r.department].append(r)
        per_month[month(r.created_at)].append(r)
    return {
        "overall": _counts(rows),
        "per_department": {d: _counts(rs) for d, rs in sorted(per_department.items())},
        "per_month": {m: _counts(rs) for m, rs in sorted(per_month.items())},
        "as_of": datetime.now(UTC).astimezone(SHANGHAI).isoformat(timespec="seconds"),
    }


# ------------------------------------------------------------------------------------------------ Datasette


DASHBOARD_TABLE = "form_reduction"


def dashboard_database(settings: Settings) -> Path:
    """The SQLite Datasette serves the dashboard from (`apis.datasette` adds it when it exists)."""
    return settings.root / "forms" / "form_reduction.sqlite"


def publish_dashboard(settings: Settings, db: Session) -> Path:
    """The dashboard's figures as one table, rewritten in place in one transaction after every registration and
    review, so a running Datasette reads the new rows on its next query (a replaced file it would not see)."""
    board = dashboard(db)
    path = dashboard_database(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [("overall", "全区", board["overall"])]
    rows += [("department", d, c) for d, c in board["per_department"].items()]
    rows += [("month", m, c) for m, c in board["per_month"].items()]
    keys = ("registered", "refused", "prefilled", "allowed", "items", "items_saved", "reduction_rate")
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(
                f"create table if not exists {DASHBOARD_TABLE} (scope text, key text, registered integer, "
                "refused integer, prefilled integer, allowed integer, items integer, items_saved integer, "
                "reduction_rate real, as_of text, primary key (scope, key))"
            )
            con.execute(f"delete from {DASHBOARD_TABLE}")
            con.executemany(
                f"insert into {DASHBOARD_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(s, k, *(c[x] for x in keys), board["as_of"]) for s, k, c in rows],
            )
    finally:
        con.close()
    return path

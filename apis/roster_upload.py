"""A corrected roster a cadre uploads, checked row by row against the published version of their village: only own
village, only the correctable columns, ID check digits, dates, code lists. Each bad row gets its reason; nothing is
applied here: `apis.corrections.submit` lands the rows of a roster that passed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from apis.pages.cadre_rosters import VillageRoster
from zhongtai.identifiers import InvalidIdentifier, parse_citizen_id

MAX_BYTES = 10 * 1024 * 1024
ID_REASONS = {
    "missing": "空",
    "bad_length": "位数不对",
    "bad_character": "含非法字符",
    "bad_area": "地区码无效",
    "bad_birth_date": "出生日期无效",
    "bad_check": "校验位不符",
}
SHEET = "population"
VILLAGE_COLUMN = "村居代码"
ID_COLUMN = "公民身份号码"


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number Excel shows
    key: str
    reasons: list[str]


@dataclass(frozen=True)
class CheckedRow:
    """A good row: the resident it names and what the cadre changed, (column title, old, new); none: confirmed."""

    row: int
    key: str
    changes: list[tuple[str, str, str]]


@dataclass
class UploadCheck:
    file_problem: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    corrected: int = 0  # rows with a valid correction
    confirmed: int = 0  # rows returned unchanged: confirmed, no change
    person_keys: list[str] = field(default_factory=list)  # rows naming a person of the village's roster
    rows: list[CheckedRow] = field(default_factory=list)  # the good rows, in the workbook's order

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.problems


def _text(value: Any) -> str:
    """A cell as the published CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _published(roster: VillageRoster, code: str) -> dict[str, dict[str, str]]:
    with roster.file(code, "csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    key = roster.sheets[SHEET]["key"][0]
    return {r[key]: r for r in rows}


def check_upload(data: bytes, code: str, roster: VillageRoster) -> UploadCheck:
    import openpyxl

    if len(data) > MAX_BYTES:
        return UploadCheck(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，未处理")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return UploadCheck("不是 Excel 工作簿（.xlsx），未处理")
    spec = roster.sheets[SHEET]
    if spec["title"] not in book.sheetnames:
        return UploadCheck(f"不是花名册：没有“{spec['title']}”表")
    rows = book[spec["title"]].iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    expected: list[str] = spec["columns"]
    missing = [t for t in expected if t not in header]
    extra = [t for t in header if t not in expected]
    if missing or extra:
        parts = ([f"缺少列：{'、'.join(missing)}"] if missing else []) + (
            [f"多出或改名的列：{'、'.join(extra)}"] if extra else []
        )
        return UploadCheck("花名册的列与发布的不一致（" + "；".join(parts) + "），未处理")
    published = _published(roster, code)
    key_title = spec["key"][0]
    check = UploadCheck()
    for number, values in enumerate(rows, start=2):
        cells = {title: _text(v) for title, v in zip(header, values, strict=False)}
        if not any(cells.values()):
            continue
        before = published.get(cells.get(key_title, ""))
        reasons, changed = _check_row(cells, code, before, spec)
        if before is not None and cells.get(VILLAGE_COLUMN) == code:
            check.person_keys.append(cells[key_title])
        if reasons:
            check.problems.append(RowProblem(number, cells.get(key_title, ""), reasons))
            continue
        assert before is not None
        correctable = spec["correctable"]
        changes = [(t, before.get(t, ""), v) for t, v in cells.items() if t in correctable and v != before.get(t, "")]
        check.rows.append(CheckedRow(number, cells[key_title], changes))
        if changed:
            check.corrected += 1
        else:
            check.confirmed += 1
    return check


def _check_row(
    cells: dict[str, str], code: str, before: dict[str, str] | None, spec: dict[str, Any]
) -> tuple[list[str], bool]:
    if cells.get(VILLAGE_COLUMN) != code:
        return [f"不是本村（居）的记录（村居代码 {cells.get(VILLAGE_COLUMN) or '空'}）"], False
    if before is None:
        return ["自然人键不在本村（居）发布的花名册中"], False
    reasons, changed = [], False
    for title, value in cells.items():
        old = before.get(title, "")
        if value == old:
            continue
        if title == ID_COLUMN:
            reasons += _id_reasons(value, old)
        elif title not in spec["correctable"]:
            reasons.append(f"“{title}”不可更正（原值 {old or '空'}，改为 {value or '空'}）")
        elif title in spec["dates"]:
            reasons += _date_reasons(title, value)
            changed = True
        elif title in spec["choices"] and value not in spec["choices"][title]:
            reasons.append(f"“{title}”须为 {'/'.join(spec['choices'][title])} 之一（填的是 {value or '空'}）")
        elif not value:
            reasons.append(f"“{title}”不能为空")
        else:
            changed = True
    return reasons, changed


def _id_reasons(value: str, masked: str) -> list[str]:
    """The ID column is published masked; a cadre may write the full number only if it is valid and matches."""
    try:
        full = parse_citizen_id(value).number
    except InvalidIdentifier as exc:
        return [f"公民身份号码无效（{ID_REASONS.get(exc.reason.value, exc.reason.value)}）"]
    if full[:6] != masked[:6] or full[-4:] != masked[-4:]:
        return ["公民身份号码与花名册中的不是同一人"]
    return []


def _date_reasons(title: str, value: str) -> list[str]:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return [f"“{title}”不是有效日期（{value or '空'}，应为 yyyy-mm-dd）"]
    if day > dt.date.today() or day.year < 1900:
        return [f"“{title}”超出合理范围（{value}）"]
    return []

"""Draft a registry entry from a sample delivery: encoding, delimiter, header rows, types, keys, canonical attributes.

The draft is for a person to review (`zhongtai sources infer <file>`): every guess is a plain value in the YAML.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

# Header words that name a canonical attribute. Matched exactly after the role prefix is taken off, then fuzzily.
SYNONYMS: dict[str, list[str]] = {
    "citizen_id": ["公民身份号码", "身份证号", "身份证号码", "证件号码", "居民身份证号码", "身份证件号码", "证件号"],
    "person_name": ["姓名", "人员姓名", "对象姓名", "申请人姓名", "名字"],
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码", "统一代码"],
    "org_name": ["企业名称", "单位名称", "市场主体名称", "机构名称", "名称"],
    "phone": ["联系电话", "手机号", "手机号码", "联系方式", "电话号码", "电话"],
    "sex": ["性别"],
    "birth_date": ["出生日期", "出生年月日", "生日"],
    "address": ["住址", "居住地址", "家庭住址", "现住址", "户籍地址", "地址", "住所"],
    "village_code": ["村居代码", "所属村居代码", "社区代码", "所属村居"],
    "household_no": ["户号"],
    "house_no": ["房屋编号"],
}
ROLES = {
    "新生儿": "newborn",
    "母亲": "mother",
    "父亲": "father",
    "法定代表人": "legal_rep",
    "男方": "husband",
    "女方": "wife",
    "申请人": "applicant",
    "监护人": "guardian",
    "户主": "head",
}
FIELD_NAMES = {"citizen_id": "id_number", "person_name": "name", "org_name": "org_name"}
CODES = {"citizen_id", "uscc", "phone", "village_code", "household_no", "house_no", "person_name", "org_name"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d"]
DELIMITERS = [",", ";", "|", "\t"]
SAMPLE_ROWS = 2000


def detect_encoding(data: bytes) -> str:
    """utf-8 (with or without BOM) when it decodes; else gb18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(data) - 4:  # a sample cut inside a multi-byte character
            return "utf-8"
    return "gb18030"


def detect_csv_layout(text: str) -> tuple[str, int]:
    """(delimiter, 1-based header row): the delimiter splitting most lines into the same number of cells; the
    header is the first line with that many cells (title lines above it have none)."""
    lines = [line for line in text.splitlines()[:50]]
    best: tuple[int, int, str] = (0, 0, ",")
    for d in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=d), [])) for line in lines if line.strip()]
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        if width > 1 and (freq, width) > best[:2]:
            best = (freq, width, d)
    _, width, delimiter = best
    for number, line in enumerate(lines, start=1):
        if line.strip() and len(next(csv.reader([line], delimiter=delimiter), [])) == width:
            return delimiter, number
    return delimiter, 1


def match_canonical(header: str) -> tuple[str | None, str | None, float]:
    """(canonical attribute, role, score 0-100) of a header such as 母亲身份证号 → (citizen_id, mother, 100)."""
    from rapidfuzz import fuzz, process

    text = header.strip()
    role = None
    parts = re.split(r"[/·]", text)
    if len(parts) > 1:  # a two-row header "新生儿信息/姓名": the group may name the role
        group, text = parts[0], parts[-1]
        role = next((r for word, r in ROLES.items() if group.startswith(word)), None)
    for word, r in ROLES.items():
        if text.startswith(word) and len(text) > len(word):
            role, text = r, text[len(word) :]
            break
    choices = {syn: attr for attr, syns in SYNONYMS.items() for syn in syns}
    if text in choices:
        return choices[text], role, 100.0
    found = process.extractOne(text, list(choices), scorer=fuzz.ratio, score_cutoff=75)
    if found:
        return choices[found[0]], role, float(found[1])
    return None, role, 0.0


def _is_date(values: list[str], fmt: str) -> bool:
    for v in values:
        try:
            d = dt.datetime.strptime(v, fmt)
        except ValueError:
            return False
        if not 1900 <= d.year <= 2100:
            return False
    return True


def infer_type(header: str, values: list[str], excel: bool = False) -> tuple[str, str | None]:
    """(registry type, date_format) from the sampled non-empty values of a column."""
    vals = [v.strip() for v in values if v is not None and v.strip()]
    if not vals:
        return "varchar", None
    dateish = any(w in header for w in ("日期", "时间", "日", "date", "Date"))
    serials = excel and dateish and all(re.fullmatch(r"\d{5}(\.0+)?", v) for v in vals)
    if serials and all(20000 <= float(v) <= 80000 for v in vals):
        return "date", None  # Excel serial day numbers; the loader reads them without a format
    for fmt in DATE_FORMATS:
        if fmt == "%Y%m%d" and not (dateish and all(re.fullmatch(r"\d{8}", v) for v in vals)):
            continue
        if _is_date(vals, fmt):
            return "date", None if fmt == "%Y-%m-%d" else fmt
    if all(re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?.*", v) for v in vals):
        return "timestamp", None
    if all(re.fullmatch(r"-?(0|[1-9]\d{0,9})", v) for v in vals):  # leading zeros and long digit runs are codes
        return "integer", None
    if all(re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d+)?|-?\d+\.\d+", v) for v in vals):
        return "decimal", None
    return "varchar", None


def _field_name(header: str, canonical: str | None, role: str | None, used: set[str]) -> str:
    if canonical:
        base = FIELD_NAMES.get(canonical, canonical)
        name = f"{role}_{base}" if role else base
    else:
        from pypinyin import lazy_pinyin

        name = "_".join(p for p in (re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(header)) if p)[:40]
        name = name if re.match(r"^[a-z]", name or "") else f"col_{name}"
    candidate, i = name, 2
    while candidate in used:
        candidate, i = f"{name}_{i}", i + 1
    used.add(candidate)
    return candidate


def _join_header(lines: list[list[str | None]]) -> list[str]:
    """Same rule as the loader: a multi-row header joined "group/sub", merged group cells carried right."""
    width = max(len(line) for line in lines)

    def cell(r: int, c: int) -> str:
        line = lines[r]
        return ((line[c] if c < len(line) else None) or "").strip().lstrip("\ufeff")

    cells, groups = [], ["" for _ in lines[:-1]]
    for c in range(width):
        sub = cell(len(lines) - 1, c)
        parts = []
        for r in range(len(lines) - 1):
            top = cell(r, c)
            if top:
                groups[r] = top if sub else ""
                parts.append(top)
            elif sub and groups[r]:
                parts.append(groups[r])
        cells.append("/".join([*parts, *([sub] if sub else [])]))
    return cells


def _sample(path: Path) -> tuple[dict[str, Any], list[str], list[list[str | None]], bool]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import fastexcel

        frame = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string").to_polars()
        rows = [list(r) for r in frame.head(SAMPLE_ROWS + 5).iter_rows()]
        width = max((sum(c is not None for c in r) for r in rows), default=0)
        top = next(i for i, r in enumerate(rows) if sum(c is not None for c in r) >= max(2, width // 2))
        header_rows = 1
        nxt = rows[top + 1] if top + 1 < len(rows) else []
        gaps = [i for i, c in enumerate(rows[top]) if c is None]
        if (
            gaps
            and nxt
            and any(nxt[i] is not None for i in gaps)
            and not any(c is not None and re.search(r"\d", c) for c in nxt)
        ):
            header_rows = 2  # merged group cells above their sub-headers
        headers = _join_header(rows[top : top + header_rows])
        fmt: dict[str, Any] = {"kind": "xlsx"}
        if top:
            fmt["header_row"] = top + 1
        if header_rows > 1:
            fmt["header_rows"] = header_rows
        return fmt, headers, rows[top + header_rows :], True
    data = path.read_bytes()
    if suffix in (".json", ".jsonl", ".ndjson"):
        text = data.decode("utf-8-sig")
        if suffix == ".json":
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines()[:SAMPLE_ROWS] if line.strip()]
        keys: dict[str, None] = {}
        for r in records:
            keys.update(dict.fromkeys(r))
        headers = list(keys)
        rows = [[None if r.get(k) is None else str(r.get(k)) for k in headers] for r in records[:SAMPLE_ROWS]]
        return {"kind": "json" if suffix == ".json" else "jsonl"}, headers, rows, False
    encoding = detect_encoding(data[:1_000_000])
    text = data[:2_000_000].decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    delimiter, header_row = detect_csv_layout(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [list(r) for r in reader][: header_row + SAMPLE_ROWS]
    if data[:2_000_000] != data:
        rows = rows[:-1]  # the last sampled line may be cut
    headers = [h.strip() for h in rows[header_row - 1]]
    fmt = {"kind": "csv", "encoding": encoding, "delimiter": delimiter}
    if header_row > 1:
        fmt["header_row"] = header_row
    return fmt, headers, [[c if c != "" else None for c in r] for r in rows[header_row:]], False


def infer_entry(path: Path, source_id: str | None = None) -> dict[str, Any]:
    """A registry entry drafted from one sample delivery."""
    fmt, headers, rows, excel = _sample(path)
    stem = re.sub(r"[_-]?\d{6,8}$", "", path.stem)
    source_id = source_id or re.sub(r"[^a-z0-9_]", "_", stem.lower()).strip("_") or "new_source"
    if not re.match(r"^[a-z]", source_id):
        source_id = f"src_{source_id}"
    columns = list(zip(*rows, strict=False)) if rows else [() for _ in headers]
    used: set[str] = set()
    fields = []
    unique = []
    for i, header in enumerate(headers):
        values = [v for v in (columns[i] if i < len(columns) else ()) if v is not None]
        ftype, date_format = infer_type(header, [str(v) for v in values], excel)
        canonical, role, _score = match_canonical(header)
        if canonical in CODES:  # identifiers and codes stay text whatever their digits look like
            ftype, date_format = "varchar", None
        name = _field_name(header, canonical, role, used)
        field: dict[str, Any] = {"name": name, "header": header, "type": ftype}
        if date_format:
            field["date_format"] = date_format
        if canonical:
            field["canonical"] = canonical
            if role:
                field["role"] = role
        field["title"] = header.split("/")[-1]
        fields.append(field)
        if rows and len(values) == len(rows) and len(set(values)) == len(values):
            unique.append(name)
    # the key: a unique, complete column, preferring one named like a number over identifiers of people
    ranked = sorted(unique, key=lambda n: (not re.search(r"no|bian_hao|liu_shui|hao", n), n in ("id_number", "uscc")))
    primary_key = ranked[:1] or [fields[0]["name"]]
    for f in fields:
        if f["name"] in primary_key:
            f["required"] = True
    locator = re.sub(r"\d{6,8}", "*", path.name)
    return {
        "id": source_id,
        "title": f"{stem}（待命名）",
        "description": f"由样例交付 {path.name} 推断的草稿，待审核。",
        "owner_department": "待填写",
        "connector": {"kind": "file_drop", "location": f"{{upstream}}/drops/{source_id}"},
        "format": fmt,
        "schedule": "daily",
        "freshness_hours": 48,
        "delivery_mode": "snapshot",
        "staging": "generic",
        "entities": [
            {
                "name": "records",
                "title": f"{stem}记录",
                "locator": locator,
                "primary_key": primary_key,
                "fields": fields,
            }
        ],
        "_inferred": {"primary_key_candidates": unique, "rows_sampled": len(rows)},
    }


class _Dumper(yaml.SafeDumper):
    """One line per field, as the committed entries are written."""


_Dumper.add_representer(
    dict,
    lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style="header" in data and "name" in data),
)


def draft_yaml(path: Path, source_id: str | None = None) -> str:
    """The draft as YAML: the review notes (key candidates, sample size) as a comment on top."""
    entry = infer_entry(path, source_id)
    notes = entry.pop("_inferred")
    body = yaml.dump(entry, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)
    return (
        f"# drafted by `zhongtai sources infer {path.name}` from {notes['rows_sampled']} sampled rows; review it\n"
        f"# primary-key candidates (unique, never empty): {', '.join(notes['primary_key_candidates']) or 'none'}\n"
        + body
    )

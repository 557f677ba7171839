"""Draft a registry entry from a sample delivery: encoding, delimiter, header rows, types, keys, canonical attributes.

The draft is for a person to review (`zhongtai sources infer <file>`): every guess is a plain value in the YAML.
A file that cannot be read gives an InferError whose message is one line saying why.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog.headers import (
    HeaderError,
    at_path,
    filled,
    join_header,
    json_text,
    list_paths,
    locate_header,
    trailing_rows,
)
from catalog.synonyms import load_synonyms
from zhongtai.identifiers import InvalidIdentifier, normalise_uscc, parse_citizen_id

FIELD_NAMES = {"citizen_id": "id_number", "person_name": "name", "org_name": "org_name"}
CODES = {"citizen_id", "uscc", "phone", "village_code", "household_no", "house_no", "person_name", "org_name"}
DATES = {"birth_date"}
# Python's strptime and DuckDB's accept months and days without their leading zero (2026/1/5) in these formats.
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d", "%Y.%m.%d"]
DELIMITERS = [",", ";", "|", "\t"]
SAMPLE_ROWS = 2000
DELIVERY_SUFFIXES = (".csv", ".tsv", ".txt", ".dat", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson")
# A page number at the end of a file name: export_20261130_p1.json, list-page2.json
PAGE_NAME = re.compile(r"(?i)([_-](?:p|page))(\d+)(?=\.[^.]+$)")
TOTAL_KEYS = ("total", "totalCount", "total_count", "totalRecords", "count", "recordCount")
MOBILE = re.compile(r"(\+?86[- ]?)?1[3-9]\d{9}")


class InferError(Exception):
    """The sample cannot be drafted from; the message is one line saying why."""


@dataclass
class Sample:
    fmt: dict[str, Any]
    headers: list[str]
    rows: list[list[str | None]]
    paths: list[str | None] = field(default_factory=list)  # JSON: the dot path of a nested column
    excel: bool = False
    notes: list[str] = field(default_factory=list)


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


def detect_delimiter(text: str) -> str:
    """The delimiter splitting most lines into the same number (more than one) of cells."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best: tuple[int, int, str] = (0, 0, ",")
    for d in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=d), [])) for line in lines]
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        if width > 1 and (freq, width) > best[:2]:
            best = (freq, width, d)
    return best[2]


def match_canonical(header: str) -> tuple[str | None, str | None, float]:
    """(canonical attribute, role, score 0-100) of a header: 母亲身份证号 → (citizen_id, mother, 100); also pinyin
    spellings (xm, sfzhm, xingming), prefixed and suffixed labels (参保人姓名, 姓名（户主）), and fuzzily."""
    from rapidfuzz import fuzz, process

    synonyms = load_synonyms()
    roles = synonyms.roles
    text = header.strip()
    role = None
    parts = re.split(r"[/·]", text)
    if len(parts) > 1:  # a two-row header "新生儿信息/姓名": the group may name the role
        group, text = parts[0], parts[-1]
        role = next((r for word, r in roles.items() if group.startswith(word)), None)
    note = re.search(r"[（(]([^）)]*)[）)]", text)
    if note:  # a bracketed note: 姓名（户主）, 金额（元）
        role = role or roles.get(note.group(1).strip())
        text = (text[: note.start()] + text[note.end() :]).strip()
    for word, r in roles.items():
        if text.startswith(word) and len(text) > len(word):
            role, text = r, text[len(word) :]
            break
    labels = synonyms.labels
    key = text.lower() if text.isascii() else text
    if key in labels:
        return labels[key], role, 100.0
    if not text.isascii():
        # a qualified label: the longest synonym it ends or starts with (参保人姓名, 姓名全称)
        hits = [s for s in labels if len(s) >= 2 and not s.isascii() and (text.endswith(s) or text.startswith(s))]
        if hits:
            return labels[max(hits, key=len)], role, 90.0
    found = process.extractOne(key, [s for s in labels if not s.isascii()], scorer=fuzz.ratio, score_cutoff=75)
    if found:
        return labels[found[0]], role, float(found[1])
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


def _all(values: list[str], check: Any) -> bool:
    try:
        for v in values:
            check(v)
    except InvalidIdentifier:
        return False
    return True


def detect_values(values: list[str]) -> str | None:
    """The canonical attribute every value proves: citizen IDs (GB 11643 check), USCCs (GB 32100) or mobiles."""
    vals = [v.strip() for v in values if v and v.strip()]
    if not vals:
        return None
    if all(len(v) in (15, 18) for v in vals) and _all(vals, parse_citizen_id):
        return "citizen_id"
    if all(len(v) == 18 for v in vals) and _all(vals, normalise_uscc):
        return "uscc"
    if all(MOBILE.fullmatch(v.replace(" ", "")) for v in vals):
        return "phone"
    return None


def is_dateish(header: str, canonical: str | None = None) -> bool:
    """Does the header name a date: 日期/时间, date, a date attribute, or pinyin initials ending rq/sj (csrq)?"""
    if canonical in DATES or any(w in header for w in ("日期", "时间", "日", "年月")):
        return True
    last = re.split(r"[./]", header)[-1].lower()
    return bool(re.search(r"(date|time|day|rq|sj|riqi|shijian)$", last))


def infer_type(
    header: str, values: list[str], excel: bool = False, dateish: bool | None = None
) -> tuple[str, str | None]:
    """(registry type, date_format) from the sampled non-empty values of a column."""
    vals = [v.strip() for v in values if v is not None and v.strip()]
    if not vals:
        return "varchar", None
    dateish = is_dateish(header) if dateish is None else dateish
    serials = excel and dateish and all(re.fullmatch(r"\d{5}(\.0+)?", v) for v in vals)
    if serials and all(20000 <= float(v) <= 80000 for v in vals):
        return "date", None  # Excel serial day numbers; the loader reads them without a format
    for fmt in DATE_FORMATS:
        if fmt == "%Y%m%d" and not (dateish and all(re.fullmatch(r"\d{8}", v) for v in vals)):
            continue  # eight digits are a date only where the header says so; else a code
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
    elif header.isascii():
        name = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")[:40]
    else:
        from pypinyin import lazy_pinyin

        name = "_".join(p for p in (re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(header)) if p)[:40]
    name = name if re.match(r"^[a-z]", name or "") else f"col_{name}"
    candidate, i = name, 2
    while candidate in used:
        candidate, i = f"{name}_{i}", i + 1
    used.add(candidate)
    return candidate


def _without_trailers(sample: Sample) -> Sample:
    count = trailing_rows(sample.rows)
    if count:
        sample.rows = sample.rows[:-count]
        sample.notes.append(f"{count} total/signature row(s) under the records are not records: the loader drops them")
    return sample


def _sample_table(rows: list[list[str | None]], fmt: dict[str, Any], excel: bool) -> Sample:
    """Title rows, the (possibly two-row) header and the records of a sheet or CSV."""
    if not any(filled(r) for r in rows):
        raise InferError("no header and no records: the file holds no cells")
    if max(filled(r) for r in rows) < 2 and sum(filled(r) > 0 for r in rows) < 2:
        raise InferError("one line of one cell (a title?) and no table under it")
    top, header_rows = locate_header(rows[:50])
    headers = join_header(rows[top : top + header_rows], "sample", top + 1)
    if top:
        fmt["header_row"] = top + 1
    if header_rows > 1:
        fmt["header_rows"] = header_rows
    return _without_trailers(Sample(fmt, headers, rows[top + header_rows :], excel=excel))


def _sample_xlsx(path: Path) -> Sample:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for a broken workbook
        raise InferError(f"not a readable xlsx workbook: {_first_line(exc)}") from None
    sheets: list[tuple[int, str, list[list[str | None]]]] = []
    for name in reader.sheet_names:
        try:
            frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception:  # an empty sheet has no range to read
            continue
        rows = [list(r) for r in frame.iter_rows()]
        sheets.append((sum(filled(r) >= 2 for r in rows), name, rows))
    if not sheets or max(s[0] for s in sheets) == 0:
        raise InferError(f"no sheet holds a table (sheets: {', '.join(reader.sheet_names)})")
    _, name, rows = max(sheets, key=lambda s: s[0])  # the sheet holding the most rows of records
    fmt: dict[str, Any] = {"kind": "xlsx"}
    notes = []
    if len(reader.sheet_names) > 1:
        fmt["sheet"] = name
        notes.append(f"sheets: {', '.join(reader.sheet_names)}; drafted from {name!r}, the one with the most rows")
    if len(rows) > SAMPLE_ROWS + 5:  # keep the rows at the bottom: totals and signatures sit there
        rows = rows[: SAMPLE_ROWS + 5] + rows[len(rows) - trailing_rows(rows[-12:]) :]
    sample = _sample_table(rows, fmt, True)
    sample.notes[:0] = notes
    return sample


def _flatten(record: dict, prefix: str = "") -> dict[str, Any]:
    """Leaves of a record by dot path (person.xm); lists stay whole (the loader keeps them as JSON text)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _records_in(doc: Any) -> tuple[str | None, list[Any]]:
    """(record path, records): the document itself when it is a list, else its longest list of objects."""
    if isinstance(doc, list):
        return None, doc
    if not isinstance(doc, dict):
        raise InferError(f"the JSON document is a {type(doc).__name__}, not records")
    candidates = []
    for dotted in list_paths(doc):
        value: Any = at_path(doc, dotted)
        candidates.append((sum(isinstance(v, dict) for v in value), -dotted.count("."), dotted, value))
    if not candidates or max(c[0] for c in candidates) == 0:
        keys = ", ".join(map(str, list(doc)[:12]))
        raise InferError(f"no list of records in the JSON document (top-level keys: {keys or 'none'})")
    _, _, dotted, records = max(candidates, key=lambda c: c[:2])
    return dotted, records


def _page_total(doc: Any, record_path: str | None) -> str | None:
    """The dot path of a record count beside the records (data.total), if the document has one."""
    if not record_path or not isinstance(doc, dict):
        return None
    parent_path = record_path.rsplit(".", 1)[0] if "." in record_path else ""
    parent: Any = at_path(doc, parent_path) if parent_path else doc
    total = next((k for k in TOTAL_KEYS if type(parent.get(k)) is int), None)  # bool is an int too: not a count
    return None if total is None else f"{parent_path}.{total}".lstrip(".")


def _sample_json(path: Path, data: bytes) -> Sample:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InferError(f"not UTF-8 JSON: {exc.reason} at byte {exc.start}") from None
    kind = "json" if path.suffix.lower() == ".json" else "jsonl"
    fmt: dict[str, Any] = {"kind": kind}
    notes = []
    if kind == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InferError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        record_path, records = _records_in(doc)
        if record_path:
            fmt["record_path"] = record_path
            notes.append(f"records are the list at {record_path}")
    else:
        doc, records, bad = None, [], 0
        for line in (line for line in text.splitlines()[: SAMPLE_ROWS + 100] if line.strip()):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                bad += 1
        if bad:
            notes.append(f"{bad} sampled line(s) are not JSON: the loader quarantines them")
    page = PAGE_NAME.search(path.name)
    if page:
        fmt["pages"] = re.escape(page.group(1)) + r"(\d+)"
        total = _page_total(doc, fmt.get("record_path"))
        if total:
            fmt["page_total"] = total
        notes.append(f"{path.name} is page {page.group(2)} of a delivery: its pages land and load as one")
    objects = [_flatten(r) for r in records[:SAMPLE_ROWS] if isinstance(r, dict)]
    if not objects:
        raise InferError("no records: the JSON holds no objects to draft fields from")
    keys: dict[str, None] = {}
    for r in objects:
        keys.update(dict.fromkeys(r))
    columns = list(keys)

    rows = [[json_text(r.get(k)) for k in columns] for r in objects]
    # a nested column is named by its last key; the path says where it sits
    headers = [c.rsplit(".", 1)[-1] for c in columns]
    clash = {h for h in headers if headers.count(h) > 1}
    headers = [c if h in clash else h for c, h in zip(columns, headers, strict=True)]
    paths = [c if "." in c else None for c in columns]
    return Sample(fmt, headers, rows, paths=paths, notes=notes)


def _sample_csv(data: bytes) -> Sample:
    head = data[:2_000_000]
    if b"\x00" in head[:4096] or sum(b < 9 or 13 < b < 32 for b in head[:4096]) > len(head[:4096]) // 20:
        raise InferError("binary content (NUL or control bytes): not a text file")
    encoding = detect_encoding(data[:1_000_000])
    text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise InferError(f"not readable as text in {encoding} (undecodable bytes)")
    delimiter = detect_delimiter(text)
    try:
        rows: list[list[str | None]] = [
            [c if c != "" else None for c in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise InferError(f"not readable as CSV: {exc}") from None
    if head != data:
        rows = rows[:-1]  # the last sampled line may be cut
    fmt: dict[str, Any] = {"kind": "csv", "encoding": encoding, "delimiter": delimiter}
    sample = _sample_table(rows[: SAMPLE_ROWS + 60], fmt, False)
    if len(rows) > SAMPLE_ROWS + 60:  # trailers sit at the end of the file, past the sample
        count = trailing_rows(rows[-12:])
        if count:
            sample.notes.append(f"{count} total/signature row(s) at the end are not records: the loader drops them")
    return sample


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def sample_file(path: Path) -> Sample:
    """The format, headers and sampled rows of a delivery; InferError (one line) when it cannot be read."""
    try:
        if not path.is_file():
            raise InferError("no such file")
        data = path.read_bytes()
        if not data.strip():
            raise InferError("the file is empty")
        suffix = path.suffix.lower()
        if suffix not in DELIVERY_SUFFIXES:
            raise InferError(
                f"not a delivery format: {suffix or 'no suffix'} (expected {', '.join(DELIVERY_SUFFIXES)})"
            )
        if suffix in (".xlsx", ".xlsm"):
            return _sample_xlsx(path)
        if suffix in (".json", ".jsonl", ".ndjson"):
            return _sample_json(path, data)
        return _sample_csv(data)
    except HeaderError as exc:
        raise InferError(str(exc).removeprefix("sample: ")) from None
    except (InferError, KeyboardInterrupt):
        raise
    except Exception as exc:  # whatever else a damaged file does to a reader is still a reason, not a crash
        raise InferError(f"cannot read it: {type(exc).__name__}: {_first_line(exc)}") from None


def infer_entry(path: Path, source_id: str | None = None) -> dict[str, Any]:
    """A registry entry drafted from one sample delivery (InferError when the file cannot be read)."""
    sample = sample_file(path)
    headers, rows = sample.headers, sample.rows
    stem = re.sub(r"[_-]?\d{6,8}$", "", PAGE_NAME.sub("", path.name).rsplit(".", 1)[0])
    source_id = source_id or re.sub(r"[^a-z0-9_]", "_", stem.lower()).strip("_") or "new_source"
    if not re.match(r"^[a-z]", source_id):
        source_id = f"src_{source_id}"
    columns = list(zip(*rows, strict=False)) if rows else [() for _ in headers]
    used: set[str] = set()
    fields = []
    unique = []
    for i, header in enumerate(headers):
        values = [str(v) for v in (columns[i] if i < len(columns) else ()) if v is not None and str(v).strip()]
        canonical, role, _score = match_canonical(header)
        # what every value proves outranks what the header suggests
        canonical = detect_values(values) or canonical
        ftype, date_format = infer_type(header, values, sample.excel, is_dateish(header, canonical))
        if canonical in CODES:  # identifiers and codes stay text whatever their digits look like
            ftype, date_format = "varchar", None
        name = _field_name(header, canonical, role, used)
        entry: dict[str, Any] = {"name": name, "header": header}
        path_ = sample.paths[i] if i < len(sample.paths) else None
        if path_:
            entry["path"] = path_
        entry["type"] = ftype
        if date_format:
            entry["date_format"] = date_format
        if canonical:
            entry["canonical"] = canonical
            if role:
                entry["role"] = role
        # a pinyin column name gets the Chinese label it spells as its title (xm → 姓名), for the reviewer to confirm
        entry["title"] = load_synonyms().spelled.get(header.lower(), header.split("/")[-1])
        fields.append(entry)
        if rows and len(values) == len(rows) and len(set(values)) == len(values):
            unique.append(name)
    if not fields:
        raise InferError("no columns found")
    # the key: a unique, complete column, preferring one named like a number over identifiers of people
    ranked = sorted(
        unique, key=lambda n: (not re.search(r"no|bian_hao|liu_shui|hao|bh|id$", n), n in ("id_number", "uscc"))
    )
    primary_key = ranked[:1] or [fields[0]["name"]]
    for f in fields:
        if f["name"] in primary_key:
            f["required"] = True
    locator = re.sub(r"\d{6,8}", "*", path.name)
    if "pages" in sample.fmt:
        locator = PAGE_NAME.sub(lambda m: m.group(1) + "*", locator)
    return {
        "id": source_id,
        "title": f"{stem}（待命名）",
        "description": f"由样例交付 {path.name} 推断的草稿，待审核。",
        "owner_department": "待填写",
        "connector": {"kind": "file_drop", "location": f"{{upstream}}/drops/{source_id}"},
        "format": sample.fmt,
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
        "_inferred": {"primary_key_candidates": unique, "rows_sampled": len(rows), "notes": sample.notes},
    }


class _Dumper(yaml.SafeDumper):
    """One line per field, as the committed entries are written."""


_Dumper.add_representer(
    dict,
    lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style="header" in data and "name" in data),
)


def entry_yaml(entry: dict[str, Any], sample_name: str) -> str:
    """An inferred entry as YAML, its review notes (key candidates, sample size, layout) as comments on top."""
    entry = dict(entry)
    notes = entry.pop("_inferred")
    body = yaml.dump(entry, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)
    lines = [
        f"# drafted by `zhongtai sources infer {sample_name}` from {notes['rows_sampled']} sampled rows; review it",
        f"# primary-key candidates (unique, never empty): {', '.join(notes['primary_key_candidates']) or 'none'}",
        *(f"# {note}" for note in notes["notes"]),
    ]
    return "\n".join(lines) + "\n" + body


def draft_yaml(path: Path, source_id: str | None = None) -> str:
    """The draft as YAML: the review notes (key candidates, sample size) as a comment on top."""
    return entry_yaml(infer_entry(path, source_id), path.name)

"""Header parsing shared by `sources infer` and the loader: find the header, join multi-row headers, drop trailers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

Row = Sequence[str | None]

# What departments put under the last record of a sheet or CSV: totals and the signature block.
_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计|共\s*计)")
_SIGNATURE = re.compile(
    r"^(制表人|制表|填表人|审核人|审核|负责人|经办人|联系人|填报单位|填报日期|制表日期|日期)\s*[:：]"
)


class HeaderError(ValueError):
    """The header cannot be read; `code` is the quarantine reason code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _text(cell: object) -> str:
    return ("" if cell is None else str(cell)).strip().lstrip("\ufeff")


def join_header(lines: Sequence[Row], name: str, header_row: int) -> list[str]:
    """Header cells from one or more header rows: a multi-row header is joined "group/sub", the group cell of
    merged cells carried right; a missing, empty or duplicated header is a HeaderError."""
    if not lines or not any(_text(h) for h in lines[0]):
        raise HeaderError("no_header", f"{name}: no header on line {header_row}")
    if "\x00" in "".join(_text(h) for line in lines for h in line):
        raise HeaderError("nul_bytes", f"{name}: the header holds NUL bytes: not a text file in the declared format")
    width = max(len(line) for line in lines)

    def cell(r: int, c: int) -> str:
        line = lines[r]
        return _text(line[c] if c < len(line) else None)

    cells = []
    groups = ["" for _ in lines[:-1]]
    for c in range(width):
        sub = cell(len(lines) - 1, c)
        parts = []
        for r in range(len(lines) - 1):
            top = cell(r, c)
            if top:  # a group starts here; a cell merged down (no sub-header) belongs to no group
                groups[r] = top if sub else ""
                parts.append(top)
            elif sub and groups[r]:  # an empty cell inside merged group cells continues the group
                parts.append(groups[r])
        cells.append("/".join([*parts, *([sub] if sub else [])]))
    duplicated = sorted({h for h in cells if h and cells.count(h) > 1})
    if duplicated:
        raise HeaderError("duplicate_column", f"{name}: column(s) named twice: {', '.join(duplicated)}")
    # a blank header cell past the last named column is tolerated only when the column is empty; name it
    return [h or f"_column_{i + 1}" for i, h in enumerate(cells)]


def filled(row: Row) -> int:
    return sum(bool(_text(c)) for c in row)


def locate_header(rows: Sequence[Row]) -> tuple[int, int]:
    """(0-based index of the first header row, rows the header spans) in the first rows of a sheet or CSV.

    Title rows above the header fill one or two cells; the header is the first row filling at least half the
    table's width. A second header row sits below merged group cells: it fills some of the gaps of the first and
    holds no digits (a data row does)."""
    width = max((filled(r) for r in rows), default=0)
    top = next((i for i, r in enumerate(rows) if filled(r) >= max(2, width // 2)), 0)
    if top + 1 >= len(rows):
        return top, 1
    head, nxt = rows[top], rows[top + 1]
    gaps = [i for i, c in enumerate(head) if not _text(c)]
    below_gap = any(i < len(nxt) and _text(nxt[i]) for i in gaps)
    if gaps and below_gap and not any(re.search(r"\d", _text(c)) for c in nxt):
        return top, 2
    return top, 1


def is_trailer(row: Row) -> bool:
    """A total row (合计/总计/小计 in its first filled cell) or a signature row (制表人：… 审核人：… 日期：…)."""
    cells = [_text(c) for c in row if _text(c)]
    if not cells:
        return False
    return bool(_TOTAL.match(cells[0].replace(" ", "")) or any(_SIGNATURE.match(c) for c in cells))


def trailing_rows(rows: Sequence[Row]) -> int:
    """How many rows at the end are totals, signatures or blank lines among them (never a record)."""
    count = 0
    for row in reversed(rows):
        if filled(row) and not is_trailer(row):
            break
        count += 1
    # blank rows alone at the bottom are not trailers (the readers skip them anyway); count only past a trailer
    return count if any(is_trailer(r) for r in rows[len(rows) - count :]) else 0


_MISSING = object()


def at_path(obj: object, path: str) -> object:
    """The value at a dot path (data.list, person.xm) inside parsed JSON, or KeyError naming where it stops."""
    here: object = obj
    walked: list[str] = []
    for key in path.split("."):
        value = here.get(key, _MISSING) if isinstance(here, dict) else _MISSING
        if value is _MISSING:
            where = ".".join(walked) or "the top level"
            keys = ", ".join(map(str, list(here)[:12])) if isinstance(here, dict) else type(here).__name__
            raise KeyError(f"no {key!r} at {where} (found: {keys})")
        here, walked = value, [*walked, key]
    return here


def list_paths(doc: object, prefix: str = "", depth: int = 3) -> list[str]:
    """Dot paths of the lists inside a JSON object (where its records may sit), shallowest first."""
    if not isinstance(doc, dict) or depth == 0:
        return []
    here = [f"{prefix}{k}" for k, v in doc.items() if isinstance(v, list)]
    deeper = [p for k, v in doc.items() for p in list_paths(v, f"{prefix}{k}.", depth - 1)]
    return here + deeper


def json_text(v: object) -> str | None:
    """A JSON value as the text a raw column holds: numbers as written, booleans true/false, objects as JSON."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(v, ensure_ascii=False)

"""Scan published artefacts for personal data an audience may not see: ID numbers, sole traders' codes, phones, names.

A last line of defence behind the masking policies: whatever the catalog says a column holds, the
values themselves are checked. Each artefact is read as its audience receives it, and a value is a
hit when it looks like a kind of direct identifier that audience's policy does not keep (a village
cadre may see names in the rosters, nobody outside the platform a full ID number).
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from catalog.datasets import Field, FieldClass
from catalog.masking import POLICIES, Action, Audience, Kind
from zhongtai.identifiers import InvalidIdentifier, normalise_uscc, parse_citizen_id
from zhongtai.sql import quote_identifier as _quote
from zhongtai.sql import quote_literal as _literal


class Finding(StrEnum):
    citizen_id = "citizen_id"
    sole_trader_uscc = "sole_trader_uscc"
    mobile = "mobile"
    person_name = "person_name"


# Which kind of direct identifier each finding is, so the audience's policy decides whether it may be seen.
_FINDING_KIND = {
    Finding.citizen_id: Kind.id_number,
    Finding.sole_trader_uscc: Kind.id_number,  # a sole trader's code names a person (PIPL)
    Finding.mobile: Kind.phone,
    Finding.person_name: Kind.name,
}

# Which audience receives each artefact of a published version.
ARTEFACT_AUDIENCE: dict[str, Audience] = {
    "serving.duckdb": Audience.public,
    "changes.duckdb": Audience.public,
    "catalog.json": Audience.public,
    "datapackage": Audience.public,
    "analyst.sqlite": Audience.analyst,
    "metadata.json": Audience.analyst,
    "rosters": Audience.village_cadre,
    "forms.duckdb": Audience.village_cadre,  # what automatic reports and pre-filled forms are filled from
    "review.sqlite": Audience.steward,  # the person-match review queue (clerical review)
}

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_USCC_RE = re.compile(r"(?<![0-9A-Z])(92\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9})(?![0-9A-Za-z])")
# Coarse filter run inside DuckDB before the exact checks in Python: 11+ digits in a row, or a 92… code.
_PREFILTER = r"[0-9]{11}|92[0-9]{6}"


@dataclass(frozen=True)
class Hit:
    artefact: str
    table: str
    column: str
    finding: Finding
    count: int
    sample: str  # masked

    def __str__(self) -> str:
        return (
            f"{self.artefact} · {self.table}.{self.column}: {self.count} value(s) look like a {self.finding.value} "
            f"(e.g. {self.sample})"
        )


class ScanError(RuntimeError):
    """Personal data found where its audience may not see it; `hits` names artefact, table, column and a sample."""

    def __init__(self, hits: list[Hit]):
        self.hits = hits
        super().__init__(
            f"publish refused: {len(hits)} place(s) hold personal data their audience may not see:\n"
            + "\n".join(f"  - {h}" for h in hits)
        )


def entitled(audience: Audience | str, finding: Finding) -> bool:
    """Whether the audience's policy keeps a direct identifier of this kind unmasked."""
    kind = _FINDING_KIND[finding]
    probe = Field(name="probe", title="probe", field_class=FieldClass.direct_identifier, mask=kind.value)
    return POLICIES[Audience(audience)].action(probe) is Action.keep


def mask_sample(value: str, finding: Finding) -> str:
    if finding in (Finding.citizen_id, Finding.sole_trader_uscc):
        return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:]
    if finding is Finding.mobile:
        return value[:3] + "****" + value[-4:]
    return value[:1] + "**"


def _reference_codes() -> frozenset[str]:
    """Administrative-division and grid codes: 15-digit grid codes would otherwise pass as old-style ID numbers."""
    import csv
    from importlib.resources import files

    codes: set[str] = set()
    for name, column in (("admin_divisions.csv", "code"), ("grids.csv", "grid_code")):
        with files("zhongtai.reference").joinpath(name).open(encoding="utf-8") as f:
            codes.update(row[column] for row in csv.DictReader(f))
    return frozenset(codes)


_CODES: frozenset[str] | None = None


def findings_in(value: Any, names: frozenset[str]) -> Iterator[tuple[Finding, str]]:
    """Every suspicious identifier inside one value (a cell, a JSON string)."""
    global _CODES
    if _CODES is None:
        _CODES = _reference_codes()
    if value is None or isinstance(value, bool):
        return
    s = str(value).strip()
    if not s:
        return
    if s in names:
        yield Finding.person_name, s
    if len(s) < 11:
        return
    for m in _ID_RE.finditer(s):
        if m.group(1) in _CODES:
            continue
        try:
            parse_citizen_id(m.group(1))
        except InvalidIdentifier:
            continue
        yield Finding.citizen_id, m.group(1)
    for m in _USCC_RE.finditer(s):
        try:
            normalise_uscc(m.group(1))
        except InvalidIdentifier:
            continue
        yield Finding.sole_trader_uscc, m.group(1)
    for m in _MOBILE_RE.finditer(s):
        yield Finding.mobile, m.group(1)


class _Collector:
    def __init__(self, audience: Audience, names: frozenset[str]):
        self.watch = {f for f in Finding if not entitled(audience, f)}
        self.names = names if Finding.person_name in self.watch else frozenset()
        self.hits: dict[tuple[str, str, str, Finding], list[Any]] = {}

    def add(self, artefact: str, table: str, column: str, value: Any, times: int = 1) -> None:
        for finding, found in findings_in(value, self.names):
            if finding not in self.watch:
                continue
            entry = self.hits.setdefault((artefact, table, column, finding), [0, found])
            entry[0] += times

    def result(self) -> list[Hit]:
        return [
            Hit(a, t, c, f, count, mask_sample(sample, f))
            for (a, t, c, f), (count, sample) in sorted(self.hits.items())
        ]


def _scan_database(con: Any, catalog: str, artefact: str, collector: _Collector) -> None:
    """Every column of every table in an attached database, filtered in SQL, checked exactly in Python."""
    tables = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'main' "
        "and table_name not like 'sqlite_%'",
        [catalog],
    ).fetchall()
    for (table,) in tables:
        columns = con.execute(
            "select column_name from information_schema.columns where table_catalog = ? and table_name = ?",
            [catalog, table],
        ).fetchall()
        relation = f"{_quote(catalog)}.{_quote(table)}"
        _scan_columns(con, relation, [c for (c,) in columns], artefact, table, collector)


def _scan_columns(
    con: Any, relation: str, columns: list[str], artefact: str, table: str, collector: _Collector
) -> None:
    """Each column's distinct values that could hold an identifier or a name (a coarse filter in SQL), with how often
    each occurs, checked exactly in Python. One pass over the relation, every column unpivoted: a SQLite table or a
    CSV file is read once, not once per column."""
    if not columns:
        return
    # the names this audience may not see: all of them (temp table _scan_names, made by scan_version) or none
    names = "_scan_names" if collector.names else "(select cast(null as varchar) as name where false)"
    texts = ", ".join(f"cast({_quote(c)} as varchar) as {_quote(c)}" for c in columns)
    rows = con.execute(
        f"select _column, _value, count(*) from (unpivot (select {texts} from {relation}) on columns(*) "
        f"into name _column value _value) "
        f"where regexp_matches(_value, '{_PREFILTER}') or _value in (select name from {names}) group by 1, 2"
    ).fetchall()
    for column, value, n in rows:
        collector.add(artefact, table, column, value, n)


def _walk_json(node: Any, path: str, visit: Callable[[str, Any], None]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _walk_json(v, f"{path}.{k}", visit)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk_json(v, f"{path}[{i}]", visit)
    else:
        visit(path, node)


def scan_version(
    folder: Path,
    *,
    names: Iterable[str] = (),
    connect: Callable[[], Any],
    audiences: dict[str, Audience] | None = None,
) -> list[Hit]:
    """Scan every artefact of a version folder; `connect()` gives an in-memory DuckDB with sqlite_scanner loaded."""
    audiences = {**ARTEFACT_AUDIENCE, **(audiences or {})}
    name_set = frozenset(n for n in names if n and len(n) >= 2)
    hits: list[Hit] = []
    con = connect()
    try:
        con.execute("create temp table _scan_names as select unnest(?::varchar[]) as name", [sorted(name_set)])
        artefacts = (
            ("serving.duckdb", ""),
            ("changes.duckdb", ""),
            ("analyst.sqlite", " (type sqlite)"),
            ("forms.duckdb", ""),
            ("review.sqlite", " (type sqlite)"),
        )
        for artefact, kind in artefacts:
            path = folder / artefact
            if not path.is_file():
                continue
            collector = _Collector(audiences[artefact], name_set)
            if kind:
                con.execute("set sqlite_all_varchar = true")
            con.execute(f"attach '{path}' as scanned (read_only{', type sqlite' if kind else ''})")
            try:
                _scan_database(con, "scanned", artefact, collector)
            finally:
                con.execute("detach scanned")
            hits += collector.result()
        for path in sorted(folder.rglob("*.csv")):
            hits += _scan_csv(con, folder, path, audiences, name_set)
        rosters = sorted((folder / "rosters").glob("*.xlsx")) if (folder / "rosters").is_dir() else []
        if rosters:
            hits += _scan_workbooks(con, folder, rosters, _Collector(audiences["rosters"], name_set))
    finally:
        con.close()
    for path in sorted([*folder.rglob("*.json"), *folder.rglob("*.jsonld")]):
        rel = path.relative_to(folder).as_posix()
        audience = audiences.get(rel) or audiences.get(rel.split("/", 1)[0]) or Audience.public
        collector = _Collector(audience, name_set)
        _walk_json(
            json.loads(path.read_text(encoding="utf-8")),
            "$",
            lambda p, v: collector.add(rel, p, "", v),  # noqa: B023
        )
        hits += collector.result()
    return hits


def _scan_csv(con: Any, folder: Path, path: Path, audiences: dict[str, Audience], names: frozenset[str]) -> list[Hit]:
    """A published CSV (RFC 4180, UTF-8, a header line) read by DuckDB as text, every column scanned as a table's;
    a line that does not parse so fails the scan."""
    rel = path.relative_to(folder).as_posix()
    collector = _Collector(audiences.get(rel.split("/", 1)[0], Audience.public), names)
    header = _csv_header(path)
    if header:
        columns = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header)
        relation = (
            f"read_csv({_literal(str(path))}, header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"escape = '\"', columns = {{{columns}}})"
        )
        _scan_columns(con, relation, header, rel, path.stem, collector)
    return collector.result()


def _csv_header(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f), [])


def _scan_workbooks(con: Any, folder: Path, books: list[Path], collector: _Collector) -> list[Hit]:
    """Every sheet of every workbook, its cells read as text, scanned in SQL as a table's columns are. Reading a
    workbook is most of the time: the next two are read on other threads (calamine lets go of the GIL) while one is
    scanned."""
    import fastexcel  # calamine: ten times faster than openpyxl for reading every cell

    def sheets(path: Path) -> list[tuple[str, Any]]:
        reader = fastexcel.read_excel(str(path))
        return [(name, reader.load_sheet_by_name(name, dtypes="string").to_polars()) for name in reader.sheet_names]

    def scan(path: Path, read: Future[list[tuple[str, Any]]]) -> None:
        rel = path.relative_to(folder).as_posix()
        for sheet_name, frame in read.result():
            con.register("_scan_sheet", frame)
            try:
                _scan_columns(con, "_scan_sheet", frame.columns, rel, sheet_name, collector)
            finally:
                con.unregister("_scan_sheet")

    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead: deque[tuple[Path, Future[list[tuple[str, Any]]]]] = deque()
        for path in books:
            ahead.append((path, pool.submit(sheets, path)))
            if len(ahead) > 2:
                scan(*ahead.popleft())
        while ahead:
            scan(*ahead.popleft())
    return collector.result()

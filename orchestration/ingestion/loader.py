"""Load one landed delivery into its raw table in one transaction: good rows in, bad rows to quarantine.

A delivery is either wholly loaded (its rows, its quarantined rows and its delivery row, kept by
zhongtai.bookkeeping, commit together) or not at all, so a process killed at any moment loses nothing and
duplicates nothing: the next run simply loads it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import polars as pl

from catalog.headers import HeaderError, at_path, join_header, json_text, list_paths, trailing_rows
from catalog.registry import Entity, Format, SourceField, SourceSystem
from orchestration.ingestion.landing import Delivery
from zhongtai import bookkeeping
from zhongtai.sql import quote_identifier as _quote
from zhongtai.sql import quote_literal as _literal

SQL_TYPES = {
    "varchar": "varchar",
    "integer": "bigint",
    "bigint": "bigint",
    "decimal": "decimal(18,4)",
    "double": "double",
    "date": "date",
    "timestamp": "timestamptz",
    "boolean": "boolean",
}


class FileFault(Exception):
    """A whole delivery cannot be loaded; `code` is its quarantine reason code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class LoadResult:
    delivery_id: str
    status: str
    rows_delivered: int
    rows_loaded: int
    rows_quarantined: int
    error: str | None = None


def ensure_raw_table(con: duckdb.DuckDBPyConnection, source: SourceSystem, entity: Entity) -> str:
    table = f"raw.{source.raw_table(entity.name)}"
    columns = [f"{f.name} {SQL_TYPES[f.type]}" for f in entity.fields]
    columns += [
        "_delivery_id varchar not null",
        "_line bigint not null",
        "_received_at timestamptz not null",
        "_extra varchar",
    ]
    con.execute(f"create table if not exists {table} ({', '.join(columns)})")
    existing = {r[0] for r in con.execute(f"select column_name from (describe {table})").fetchall()}
    for f in entity.fields:  # a field added to the registry later is added, never a table rebuilt
        if f.name not in existing:
            con.execute(f"alter table {table} add column {f.name} {SQL_TYPES[f.type]}")
    return table


def field_key(f: SourceField) -> str:
    """The staged column a field reads: its nested JSON path, else its header."""
    return f.path or f.header


def read_into_staging(
    con: duckdb.DuckDBPyConnection,
    source: SourceSystem,
    path: Path,
    name: str | None = None,
    entity: Entity | None = None,
) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Read a delivered file into temp table `_in` of text columns plus `_line`; return headers and rejects.

    A JSON delivery also gets one column per nested field path of `entity` (person.xm) found in its records."""
    fmt = source.format
    drop_staging(con)
    rejects: list[tuple[int, str, str]] = []
    try:
        if fmt.kind == "csv":
            first_data_line = fmt.header_row + fmt.header_rows
            con.execute("drop table if exists _rejects; drop table if exists _rejects_scan")
            header = read_csv_header(path, fmt, name)
            # The header is parsed here and the reader told the columns, so DuckDB's sniffer never
            # guesses (and never fails on) a damaged file; damaged lines become rejects instead.
            columns = "{" + ", ".join(f"{_literal(h)}: 'varchar'" for h in header) + "}"
            with readable_csv(path, fmt.encoding) as (readable, encoding):
                con.execute(
                    f"""create temp table _read as select * from read_csv({_literal(str(readable))},
                        encoding={_literal(encoding)}, delim={_literal(fmt.delimiter)},
                        quote={_literal(fmt.quote)}, escape={_literal(fmt.quote)}, header=false,
                        skip={first_data_line - 1}, columns={columns}, auto_detect=false, store_rejects=true,
                        rejects_table='_rejects', rejects_scan='_rejects_scan', null_padding=false)"""
                )
            # DuckDB records one reject per error, and a line can hold several (two surplus cells are two
            # TOO MANY COLUMNS errors): one line is one reject, with every error named.
            found = con.execute(
                "select line, error_type, error_message, csv_line from _rejects order by line, column_idx"
            ).fetchall()
            reject_lines: dict[int, str] = {}
            for line, errors in itertools.groupby(found, key=lambda r: int(r[0])):
                errs = list(errors)
                messages = "; ".join(dict.fromkeys(f"{kind}: {message}" for _, kind, message, _ in errs))
                rejects.append((line, str(errs[0][1]), f"{messages}; line as delivered: {errs[0][3]}"))
                reject_lines[line] = str(errs[0][3])
            # Good rows are numbered in file order; each rejected line before a row shifts it down one.
            # Row ids of a table written inside a transaction start at an offset: count from the first one.
            base = con.execute("select coalesce(min(rowid), 0) from _read").fetchone()[0]  # type: ignore[index]
            shifts = [r[0] - first_data_line - i + base for i, r in enumerate(rejects)]
            shift_sql = "".join(f" + (rowid >= {s})::int" for s in shifts)
            # A view, not a copy: the file's rows are materialised once, in _read. A delivery that needs rows
            # changed (a recovered line, a trailer dropped) gets a table instead (_materialise_in).
            con.execute(
                f"create temp view _in as select *, rowid - {base} + {first_data_line}{shift_sql} as _line from _read"
            )
            rejects = _drop_csv_trailers(con, fmt, rejects, reject_lines)
        elif fmt.kind in ("json", "jsonl"):
            paths = [f.path for f in (entity.fields if entity else []) if f.path]
            frame, rejects = _read_json(path, fmt, name or path.name, paths)
            con.register("_json", frame)
            con.execute("create temp table _in as select * from _json")
            con.unregister("_json")
        elif fmt.kind == "xlsx":
            frame = _read_xlsx(path, fmt, name or path.name)
            con.register("_xlsx", frame)
            con.execute("create temp table _in as select * from _xlsx")
            con.unregister("_xlsx")
        else:  # pragma: no cover - the registry schema forbids other kinds
            raise FileFault("unsupported_format", f"format {fmt.kind!r} is not supported")
    except FileFault:
        raise
    except HeaderError as exc:
        raise FileFault(exc.code, str(exc)) from None
    except UnicodeDecodeError as exc:
        raise FileFault("bad_encoding", f"not readable as {fmt.encoding}: {exc}") from None
    except (duckdb.Error, ValueError, OSError, Exception) as exc:
        text = str(exc).splitlines()[0][:500]
        code = "bad_encoding" if "unicode" in text.lower() or "encoding" in text.lower() else "unreadable_file"
        raise FileFault(code, f"cannot read {name or path.name} as {fmt.kind}: {text}") from None
    headers = [r[0] for r in con.execute("select column_name from (describe _in)").fetchall() if r[0] != "_line"]
    return headers, rejects


STAGING = ("_typed", "_in", "_read", "_rejects", "_rejects_scan")


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables and views of a load (each name is one or the other)."""
    for name in STAGING:
        for kind in ("view", "table"):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"drop {kind} if exists {name}")


def read_csv_header(path: Path, fmt: Format, name: str | None = None) -> list[str]:
    """The header line's cells, decoded in the source's encoding; a damaged header is a file fault."""
    name = name or path.name
    codec = python_codec(fmt.encoding)
    codec = "utf-8-sig" if codec == "utf-8" else codec
    # Bytes not in the encoding are kept (surrogateescape) rather than raised at once: a damaged line further
    # down, read with the header's block, is that line's fault, not the file's; only the header's own are.
    with path.open(encoding=codec, errors="surrogateescape", newline="") as fh:
        rows = csv.reader(fh, delimiter=fmt.delimiter, quotechar=fmt.quote)
        try:
            lines = list(itertools.islice(rows, fmt.header_row - 1, fmt.header_row - 1 + fmt.header_rows))
        except csv.Error as exc:
            raise FileFault("no_header", f"{name}: header on line {fmt.header_row} does not parse: {exc}") from None
    text = "".join(itertools.chain.from_iterable(lines))
    if bad := next((c for c in text if "\udc80" <= c <= "\udcff"), None):
        raise FileFault("bad_encoding", f"{name}: header is not valid {fmt.encoding}: byte 0x{ord(bad) - 0xDC00:02x}")
    if len(lines) < fmt.header_rows:
        raise FileFault("no_header", f"{name}: no header on line {fmt.header_row + len(lines)}")
    header = join_header(lines, name, fmt.header_row)  # first: a header of NUL bytes is no text, whatever splits it
    if len(lines[0]) == 1 and lines[0][0]:
        other = next((d for d in (",", ";", "|", "\t") if d != fmt.delimiter and d in lines[0][0]), None)
        if other:
            raise FileFault(
                "wrong_delimiter", f"{name}: the header is one cell split by {other!r}, not by {fmt.delimiter!r}"
            )
    return header


def _drop_csv_trailers(
    con: duckdb.DuckDBPyConnection, fmt: Format, rejects: list[tuple[int, str, str]], reject_lines: dict[int, str]
) -> list[tuple[int, str, str]]:
    """Total and signature rows under the last record (合计…, 制表人：…) are not records: drop them, whether they
    parsed into the header's columns (in `_in`) or not (a reject)."""
    tail = con.execute("select * from (select * from _in order by _line desc limit 12) order by _line").fetchall()
    floor = tail[0][-1] if tail else 0
    rows: list[tuple[int, list[str | None]]] = [(r[-1], list(r[:-1])) for r in tail]
    still_rejected = {r[0] for r in rejects}
    for line, text in reject_lines.items():
        if line > floor and line in still_rejected:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter, quotechar=fmt.quote)
            try:
                rows.append((line, next(reader, [])))
            except csv.Error:  # a line too broken to split is no trailer: it stays a reject
                rows.append((line, ["?", "?"]))
    rows.sort()
    count = trailing_rows([cells for _, cells in rows])
    dropped = {line for line, _ in rows[len(rows) - count :]} if count else set()
    if dropped:
        _materialise_in(con)
        con.execute(f"delete from _in where _line in ({', '.join(str(n) for n in dropped)})")
    return [r for r in rejects if r[0] not in dropped]


def _documents(raw: bytes, name: str) -> list[tuple[str, str]]:
    """(name, text) of each document of a delivery: the file itself, or the pages of a paged delivery, which
    land as one uncompressed zip of the page files as received, in page order."""
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as bundle:
            parts = [(info.filename, bundle.read(info)) for info in bundle.infolist()]
    else:
        parts = [(name, raw)]
    texts = []
    for part, data in parts:
        try:
            texts.append((part, data.decode("utf-8-sig")))
        except UnicodeDecodeError as exc:
            raise FileFault("bad_encoding", f"{part}: not valid UTF-8 JSON: {exc.reason} at byte {exc.start}") from None
    return texts


def _parse_json(text: str) -> object:
    """A JSON text parsed by orjson, about twice as fast as the standard library on a district's JSON Lines records;
    what orjson refuses and the standard library takes (an integer beyond 64 bits, NaN) is parsed again by the
    latter, whose error is the one reported."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def json_records(text: str, fmt: Format, name: str) -> list[object]:
    """The records of one JSON document: the array at its root, or the list at `record_path` (data.list)."""
    try:
        doc = _parse_json(text)
    except json.JSONDecodeError as exc:
        raise FileFault(
            "bad_json", f"{name}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if fmt.record_path:
        try:
            doc = at_path(doc, fmt.record_path)
        except KeyError as exc:
            raise FileFault("bad_record_path", f"{name}: record_path {fmt.record_path}: {exc.args[0]}") from None
        if not isinstance(doc, list):
            raise FileFault(
                "bad_record_path", f"{name}: record_path {fmt.record_path} holds a {type(doc).__name__}, not a list"
            )
    if not isinstance(doc, list):
        hint = (
            f" (set format.record_path; lists at: {', '.join(list_paths(doc)) or 'none'})"
            if isinstance(doc, dict)
            else ""
        )
        raise FileFault("json_not_array", f"{name}: expected a JSON array of records, got {type(doc).__name__}{hint}")
    return doc


def _read_json(
    path: Path, fmt: Format, name: str, paths: list[str] | None = None
) -> tuple[pl.DataFrame, list[tuple[int, str, str]]]:
    """A JSON array (or the list at its record path) or JSON Lines file as text columns (key order of first
    appearance), one more per nested field path found in the records, plus `_line` (record number).

    JSON is parsed in Python rather than by DuckDB's reader so a cut-off array is a file fault (DuckDB
    accepts `[{...},` silently) and every value arrives as text, never re-typed by a sniffer. The pages of a
    paged delivery are numbered on from one page to the next."""
    rejects: list[tuple[int, str, str]] = []
    items: list[tuple[int, object]] = []
    for part, text in _documents(path.read_bytes(), name):
        offset = len(items) + len(rejects)
        if fmt.kind == "json":
            items += [(offset + n, item) for n, item in enumerate(json_records(text, fmt, part), start=1)]
            continue
        # a line feed ends a record (str.splitlines would also split at U+2028 and U+0085, which JSON allows in strings)
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                items.append((offset + number, _parse_json(line)))
            except json.JSONDecodeError as exc:
                rejects.append(
                    (
                        offset + number,
                        "MALFORMED JSON",
                        f"malformed JSON line: {exc.msg}; line as delivered ({part}): {line[:300]}",
                    )
                )
    keys: dict[str, None] = {}
    records: list[tuple[int, dict]] = []
    for number, item in items:
        if not isinstance(item, dict):
            rejects.append((number, "NOT AN OBJECT", f"record {number} is a {type(item).__name__}, not an object"))
            continue
        keys.update(dict.fromkeys(item))
        records.append((number, item))
    if not keys and not records:
        if rejects:
            return pl.DataFrame({"_line": pl.Series([], dtype=pl.Int64)}), rejects
        raise FileFault("no_rows", f"{name}: no records")
    join_header([list(keys)], name, 1)

    def nested(record: dict, dotted: str) -> str | None:
        try:
            return json_text(at_path(record, dotted))
        except KeyError:
            return None

    data = {
        k: pl.Series(k, [v if type(v) is str else json_text(v) for v in (r.get(k) for _, r in records)], pl.String)
        for k in keys
    }
    for dotted in dict.fromkeys(paths or []):
        if dotted not in data:  # a path no record has is a missing column, as a missing header is
            values = [nested(r, dotted) for _, r in records]
            if any(v is not None for v in values) or any(_has_path(r, dotted) for _, r in records):
                data[dotted] = pl.Series(dotted, values, dtype=pl.String)
    data["_line"] = pl.Series("_line", [n for n, _ in records], dtype=pl.Int64)
    return pl.DataFrame(data), rejects


def _has_path(record: dict, dotted: str) -> bool:
    try:
        at_path(record, dotted)
    except KeyError:
        return False
    return True


def _read_xlsx(path: Path, fmt: Format, name: str) -> pl.DataFrame:
    """The sheet as text columns named by its (possibly multi-row, merged) header, plus `_line` (sheet row)."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    sheet_id: str | int = fmt.sheet if fmt.sheet is not None else 0
    if fmt.sheet is not None and fmt.sheet not in reader.sheet_names:
        raise FileFault("missing_sheet", f"{name}: no sheet named {fmt.sheet!r} (sheets: {reader.sheet_names})")
    try:
        frame = reader.load_sheet(sheet_id, header_row=None, dtypes="string").to_polars()
    except Exception as exc:  # an empty sheet has no range to read
        raise FileFault("no_header", f"{name}: the sheet has no rows: {str(exc).splitlines()[0][:200]}") from None
    top = fmt.header_row - 1
    if frame.height <= top:
        raise FileFault("no_header", f"{name}: the sheet has no header on row {fmt.header_row}")
    head = [list(r) for r in frame.slice(top, fmt.header_rows).iter_rows()]
    cells = join_header(head, name, fmt.header_row)
    first = top + fmt.header_rows
    body = frame.slice(first)
    body = body.rename(dict(zip(body.columns, cells, strict=True)))
    # totals and the signature block under the last record (合计…, 制表人：…) are not records
    body = body.head(body.height - trailing_rows([list(r) for r in body.tail(12).iter_rows()]))
    # a row with no value at all (a formatted but empty line at the bottom) is not a record
    body = body.with_columns(_line=pl.int_range(first + 1, first + 1 + body.height, dtype=pl.Int64))
    return body.filter(~pl.all_horizontal(pl.exclude("_line").is_null()))


def _materialise_in(con: duckdb.DuckDBPyConnection) -> None:
    """Turn the CSV staging view `_in` into a table of its own, so rows can be inserted into or deleted from it."""
    if con.execute("select count(*) from duckdb_views() where view_name = '_in' and temporary").fetchone()[0]:  # type: ignore[index]
        con.execute("create temp table _in_table as select * from _in")
        con.execute("drop view _in")
        con.execute("alter table _in_table rename to _in")


# What DuckDB's CSV reader decodes without the encodings extension, by Python's name for the codec.
BUILTIN_ENCODINGS = {"utf-8": "utf-8", "utf-16": "utf-16", "iso8859-1": "latin-1"}


def python_codec(encoding: str) -> str:
    """Python's name for the codec of `encoding` (the registry admits no other). GBK and GB2312 are read as
    GB18030, their superset: a GBK system's rare characters (生僻字) arrive as GB18030."""
    codec = codecs.lookup(encoding).name
    return "gb18030" if codec in ("gbk", "gb2312") else codec


@contextlib.contextmanager
def readable_csv(path: Path, encoding: str) -> Iterator[tuple[Path, str]]:
    """The file and the encoding DuckDB's CSV reader is to read it in: a file in an encoding DuckDB decodes
    itself as it is; any other (GBK, GB18030, Big5...) as a UTF-8 copy, made in a temporary directory and
    removed on exit.

    DuckDB's encodings extension decodes GB18030 at about 9 MB/s (12 s for a district's 110 MB hukou file, most
    of its load) and rejects its four-byte sequences (the rare characters of names, 生僻字); Python's codec
    transcodes the same file in under a second. Bytes that are not valid in the encoding are carried over as
    they are (surrogateescape), so they are not valid UTF-8 either: DuckDB rejects their lines, with their line
    numbers, as it rejected them in the original: the copy has the original's lines, character for character."""
    codec = python_codec(encoding)
    if codec in BUILTIN_ENCODINGS:
        yield path, BUILTIN_ENCODINGS[codec]
        return
    decoder = codecs.getincrementaldecoder(codec)("surrogateescape")
    with tempfile.TemporaryDirectory(prefix="zhongtai-utf8-") as tmp:
        copy = Path(tmp) / "delivery.csv"
        with path.open("rb") as src, copy.open("wb") as dst:
            while chunk := src.read(1 << 22):
                dst.write(decoder.decode(chunk).encode("utf-8", "surrogateescape"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8", "surrogateescape"))
        yield copy, "utf-8"


# What DuckDB's trim() strips: the Unicode space separators (Zs). A value ending in one of the three that occur in
# Chinese government exports (the space, the no-break space, the ideographic space 　) is trimmed; the rarer
# typographic spaces (U+1680, U+2000-U+200A, U+202F, U+205F) are trimmed at the start but kept at the end.
TRAILING_SPACES = (" ", "\u00a0", "\u3000")


def trimmed_text(col: str) -> str:
    """SQL for a column's text, trimmed, with '' as null. trim() allocates a new string for every value and was
    the largest cost of a load, so it runs only where there is something to trim: a value starting with a
    character up to ' ' or from U+00A0 to U+3000 (two string comparisons, which take in every separator), or
    ending with one of TRAILING_SPACES."""
    x = f"cast({col} as varchar)"
    ends = " or ".join(f"ends_with({x}, {_literal(c)})" for c in TRAILING_SPACES)
    guard = f"{x} < '!' or ({x} >= {_literal(chr(0xA0))} and {x} < {_literal(chr(0x3001))}) or {ends}"
    return f"nullif(case when {guard} then trim({x}) else {x} end, '')"


def _typed_expr(f: SourceField, v: str) -> tuple[str, str | None]:
    """SQL for the typed value of text `v` (already trimmed, null when empty) and for the reason code when the
    text does not fit the type."""
    if f.type == "varchar":
        return v, None
    if f.type in ("integer", "bigint"):
        # a cast alone would round 3.5 to 4: only whole numbers are integers
        return f"case when regexp_full_match({v}, '[+-]?[0-9]+') then try_cast({v} as bigint) end", "bad_integer"
    if f.type in ("decimal", "double"):
        return f"try_cast(replace({v}, ',', '') as {SQL_TYPES[f.type]})", "bad_number"
    if f.type == "boolean":
        return f"try_cast({v} as boolean)", "bad_boolean"
    if f.type == "date":
        if f.date_format:
            return f"cast(try_strptime({v}, {_literal(f.date_format)}) as date)", "bad_date"
        # ISO dates, date-times, and Excel serial day numbers (days since 1899-12-30).
        return (
            f"coalesce(try_cast({v} as date), cast(try_cast({v} as timestamp) as date), "
            f"case when regexp_full_match({v}, '[1-9][0-9]{{4}}(\\.0+)?') "
            f"then date '1899-12-30' + cast(cast({v} as double) as integer) end)",
            "bad_date",
        )
    if f.type == "timestamp":
        return f"try_cast({v} as timestamptz)", "bad_timestamp"
    raise AssertionError(f.type)  # pragma: no cover


def _forget(con: duckdb.DuckDBPyConnection, delivery_id: str, table: str) -> None:
    """Remove every trace of a delivery from raw (its rows, quarantined rows and delivery row)."""
    con.execute(f"delete from {table} where _delivery_id = ?", [delivery_id])
    bookkeeping.forget_delivery(con, delivery_id)


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    source: SourceSystem,
    entity: Entity,
    delivery: Delivery,
    landing_dir: Path,
    *,
    replace: bool = False,
) -> LoadResult:
    """Load one delivery in one transaction. File faults quarantine the file; row faults the row.

    replace=True (replay) first removes what an earlier load of the same delivery left, in the same
    transaction: a replay killed half-way leaves the earlier load as it was."""
    bookkeeping.ensure_ingestion_tables(con)
    if not replace and bookkeeping.is_loaded(con, delivery.delivery_id):
        return LoadResult(delivery.delivery_id, "already_loaded", 0, 0, 0)
    table = ensure_raw_table(con, source, entity)
    try:
        con.execute("begin transaction")
        try:
            if replace:
                _forget(con, delivery.delivery_id, table)
            result = _load_rows(con, source, entity, delivery, landing_dir / delivery.path, table)
            con.execute("commit")
        except FileFault as fault:
            # Nothing of the file is kept in raw: the file itself is quarantined, with its reason.
            con.execute("rollback")
            con.execute("begin transaction")
            if replace:
                _forget(con, delivery.delivery_id, table)
            bookkeeping.record_delivery(
                con,
                delivery,
                delivered=0,
                loaded=0,
                quarantined=0,
                status="quarantined",
                error_code=fault.code,
                error=str(fault),
            )
            con.execute("commit")
            result = LoadResult(delivery.delivery_id, "quarantined", 0, 0, 0, f"{fault.code}: {fault}")
    except BaseException:
        if con.in_transaction if hasattr(con, "in_transaction") else True:
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
        raise
    finally:
        drop_staging(con)
    return result


def _load_rows(
    con: duckdb.DuckDBPyConnection, source: SourceSystem, entity: Entity, delivery: Delivery, path: Path, table: str
) -> LoadResult:
    if not path.exists():
        raise FileFault("missing_file", f"landed file {path} is missing")
    if path.stat().st_size == 0:
        raise FileFault("empty_file", f"{delivery.file_name} is empty")
    headers, rejects = read_into_staging(con, source, path, delivery.file_name, entity)
    if not rejects and con.execute("select count(*) from _in").fetchone()[0] == 0:  # type: ignore[index]
        # an empty snapshot would read as "everything was deleted upstream": it is kept aside, not loaded
        raise FileFault("no_rows", f"{delivery.file_name}: a header and no records")
    by_header = {h.strip().lstrip("\ufeff"): h for h in headers}
    missing_required = [f for f in entity.fields if f.required and field_key(f) not in by_header]
    if missing_required:
        names = ", ".join(f"{field_key(f)} ({f.name})" for f in missing_required)
        raise FileFault("missing_required_column", f"{delivery.file_name}: required column(s) missing: {names}")
    # a nested path's top-level object is known too: its values are read through the path
    known = {field_key(f) for f in entity.fields} | {f.path.split(".")[0] for f in entity.fields if f.path}
    extra = [h for h in by_header if h not in known]
    missing = [field_key(f) for f in entity.fields if field_key(f) not in by_header]
    drift = (
        json.dumps({"extra_columns": extra, "missing_columns": missing}, ensure_ascii=False)
        if extra or missing
        else None
    )

    # Three layers of projection, so each value is trimmed once and cast once: the trimmed text (__zs_), the
    # typed value (__zt_), then the checks, which read both.
    texts, selects, checks = [], [], []
    for f in entity.fields:
        col = _quote(by_header[field_key(f)]) if field_key(f) in by_header else "null"
        raw_text = f"__zs_{f.name}"
        texts.append(f"{trimmed_text(col) if col != 'null' else 'cast(null as varchar)'} as {raw_text}")
        value, bad_code = _typed_expr(f, raw_text)
        selects.append(f"{value} as __zt_{f.name}")
        label = _literal(f"{field_key(f)} ({f.name})")
        if f.required:
            checks.append(
                f"case when {raw_text} is null then {_literal(f.name + '|missing_required|')} || {label} "
                "|| ': required value is empty' end"
            )
        if bad_code:
            expected = f" in format {f.date_format}" if f.date_format else ""
            checks.append(
                f"case when {raw_text} is not null and __zt_{f.name} is null then "
                f"{_literal(f.name + '|' + bad_code + '|')} || {label} || ': ' || {raw_text} "
                f"|| {_literal(' is not a valid ' + f.type + expected)} end"
            )
    extra_sql = (
        "to_json(struct_pack(" + ", ".join(f"{_quote(h)} := {_quote(by_header[h])}" for h in extra) + "))"
        if extra
        else "null"
    )
    error_sql = f"coalesce({', '.join(checks)})" if checks else "null"
    record_sql = (
        "to_json(struct_pack(" + ", ".join(f"{_quote(h)} := cast({_quote(h)} as varchar)" for h in headers) + "))"
    )
    # The row as delivered (JSON) is needed only for quarantined rows: the inner select computes each typed
    # value and the error once, the outer one renders the record only where there is an error.
    typed = ", ".join(f"__zt_{f.name} as {f.name}" for f in entity.fields)
    # A view, not a table: the good rows go straight from the staged text into raw (no copy of every typed row in
    # between); the quarantine reads the view again, computing only the error and the record of failing rows.
    con.execute(
        f"create temp view _typed as select _line, {typed}, __zt_extra as _extra, __zt_error as _error, "
        f"case when __zt_error is not null then {record_sql} end as _record "
        f"from (select *, {error_sql} as __zt_error from (select *, {', '.join(selects)}, {extra_sql} as __zt_extra "
        f"from (select *, {', '.join(texts)} from _in)))"
    )
    names = ", ".join(f.name for f in entity.fields)
    # _in is in line order and DuckDB preserves insertion order (preserve_insertion_order, on by default), so
    # rows land in file order without an `order by _line` that would sort every delivery.
    loaded = con.execute(
        f"insert into {table} ({names}, _delivery_id, _line, _received_at, _extra) "
        f"select {names}, ?, _line, ?::timestamptz, _extra from _typed where _error is null",
        [delivery.delivery_id, delivery.received_at],
    ).fetchone()[0]  # type: ignore[index]
    # Only a delivery with failing rows pays for a second pass over them (most deliveries have none).
    staged = con.execute("select count(*) from _in").fetchone()[0]  # type: ignore[index]
    bad = bookkeeping.quarantine_typed_rows(con, delivery, "_typed") if loaded < staged else 0
    bookkeeping.quarantine_lines(
        con,
        delivery,
        [(line, "malformed_row:" + kind.lower().replace(" ", "_"), message) for line, kind, message in rejects],
    )
    quarantined = bad + len(rejects)
    bookkeeping.record_delivery(
        con,
        delivery,
        delivered=loaded + quarantined,
        loaded=loaded,
        quarantined=quarantined,
        status="loaded",
        drift=drift,
    )
    return LoadResult(delivery.delivery_id, "loaded", loaded + quarantined, loaded, quarantined)

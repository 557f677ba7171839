"""Records queries built from declared fields only: filters, sort, field selection and a signed keyset cursor.

Every name in the SQL comes from the published catalog (never from the request) and every value is a bound
parameter, so nothing a caller sends is interpolated. The cursor is signed with the server's secret and carries the
published version, the dataset and a fingerprint of the filters and sort it was issued for: a forged cursor, or one
from another dataset or query, is refused, and a walk stays on the version it started on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb
import orjson
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer

from apis.deps import Snapshot, get_snapshot, snapshot_at
from apis.errors import ApiError
from catalog.channels import is_sortable
from zhongtai.settings import Settings
from zhongtai.sql import quote_identifier

OPERATORS = ("eq", "in", "gt", "ge", "lt", "le", "prefix")
MAX_IN = 100
MAX_VALUE = 1000
_COMPARE = {"eq": "=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_INT_TYPES = ("tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger", "ubigint")
_NUM_TYPES = ("decimal", "numeric", "double", "float", "real")
_INT = re.compile(r"-?[0-9]{1,38}")


def bad(code: str, en: str, zh: str, param: str | None = None) -> ApiError:
    return ApiError(400, code, en, zh, param=param)


quote = quote_identifier


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    values: tuple[Any, ...]
    raw: str  # canonical text, for the cursor's fingerprint


@dataclass(frozen=True)
class RecordQuery:
    """A parsed, validated records request against one dataset of one published version."""

    dataset: str
    version: str
    types: dict[str, str]
    fields: list[str]  # returned, in declared order unless `fields=` chose an order
    filters: list[Filter]
    order: list[tuple[str, bool]]  # (field, descending); the primary key closes it so the order is total
    key: tuple[str, ...] = ()  # the primary key's fields: never null (the publish checks it), so no `is null` arm
    stored_in_key_order: bool = False  # the serving table holds its rows in key order (apis.deps.key_ordered)

    @property
    def in_storage_order(self) -> bool:
        """Read in the order the rows are stored: no sort needed (DuckDB preserves insertion order)."""
        return self.stored_in_key_order and self.order == [(k, False) for k in self.key]

    @property
    def fingerprint(self) -> str:
        text = "|".join([self.dataset, *(f.raw for f in self.filters), *(f"{n}:{d}" for n, d in self.order)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def coerce(field: str, data_type: str, text: str) -> Any:
    """A request's text as a value of the field's type; 400 naming the field when it is not one."""
    t = data_type.lower()
    if len(text) > MAX_VALUE:
        raise bad("bad_value", f"value for field {field!r} is too long", f"字段 {field} 的取值过长", field)
    try:
        if t.startswith(_INT_TYPES):
            if not _INT.fullmatch(text):
                raise ValueError(text)
            return int(text)
        if t.startswith(_NUM_TYPES):
            number = Decimal(text)
            if not number.is_finite():
                raise ValueError(text)
            return number
        if t.startswith("timestamp"):
            return datetime.fromisoformat(text)
        if t == "date":
            return date.fromisoformat(text)
        if t == "time":
            return time.fromisoformat(text)
        if t == "boolean":
            return {"true": True, "false": False}[text.lower()]
    except (ValueError, KeyError, InvalidOperation):
        raise bad(
            "bad_value",
            f"value {text[:60]!r} is not a valid {data_type} for field {field!r}",
            f"字段 {field} 的取值 {text[:60]!r} 不是合法的 {data_type}",
            field,
        ) from None
    if "\x00" in text:
        raise bad("bad_value", f"value for field {field!r} contains a NUL byte", f"字段 {field} 的取值含空字符", field)
    return text


def plain(value: Any) -> Any:
    """A key value as JSON for the cursor; coerce() reads it back."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def parse_filter(spec: str, types: dict[str, str]) -> Filter:
    """`<field>:<op>:<value>`; `in` takes comma-separated values."""
    parts = spec.split(":", 2)
    if len(parts) != 3:
        raise bad(
            "bad_filter",
            f"filter {spec[:60]!r} is not <field>:<op>:<value>",
            f"过滤条件 {spec[:60]!r} 格式应为 <字段>:<运算符>:<取值>",
            "filter",
        )
    field, op, text = parts
    if field not in types:
        raise bad(
            "unknown_field",
            f"unknown field {field[:60]!r} in filter: only the dataset's declared fields can be filtered",
            f"过滤条件中的字段 {field[:60]!r} 不存在，只能按数据集声明的字段过滤",
            field[:60],
        )
    if op not in OPERATORS:
        raise bad(
            "bad_operator",
            f"unknown operator {op[:20]!r} for field {field!r}: use one of {', '.join(OPERATORS)}",
            f"字段 {field} 的运算符 {op[:20]!r} 不支持，可用：{'、'.join(OPERATORS)}",
            field,
        )
    data_type = types[field]
    if op == "prefix" and not data_type.lower().startswith(("varchar", "text", "string")):
        raise bad(
            "bad_operator",
            f"operator 'prefix' needs a text field; {field!r} is {data_type}",
            f"prefix 运算符只适用于文本字段，{field} 的类型为 {data_type}",
            field,
        )
    texts = text.split(",") if op == "in" else [text]
    if len(texts) > MAX_IN:
        raise bad("bad_value", f"at most {MAX_IN} values in 'in' for {field!r}", f"in 最多 {MAX_IN} 个取值", field)
    values = tuple(coerce(field, data_type, t) for t in texts)
    return Filter(field, op, values, f"{field}:{op}:{text}")


def parse_query(
    entry: dict[str, Any],
    version: str,
    *,
    filters: Sequence[str] = (),
    sort: str | None = None,
    fields: str | None = None,
    stored_in_key_order: bool = False,
) -> RecordQuery:
    declared = [f["name"] for f in entry["fields"]]
    types = {f["name"]: f["data_type"] or "varchar" for f in entry["fields"]}
    pk: list[str] = entry["primary_key"]
    chosen = declared
    if fields is not None:
        chosen = [n.strip() for n in fields.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in types]
        if unknown or not chosen:
            name = unknown[0][:60] if unknown else ""
            raise bad(
                "unknown_field",
                f"unknown field {name!r} in fields: choose among {', '.join(declared)}",
                f"fields 中的字段 {name!r} 不存在，可选：{'、'.join(declared)}",
                "fields",
            )
        chosen = list(dict.fromkeys(chosen))
    order: list[tuple[str, bool]] = []
    for item in (sort or "").split(","):
        item = item.strip()
        if not item:
            continue
        desc = item.startswith("-")
        name = item.lstrip("-+")
        if name not in types:
            raise bad(
                "unknown_field",
                f"unknown field {name[:60]!r} in sort",
                f"排序字段 {name[:60]!r} 不存在",
                "sort",
            )
        if not is_sortable(name, types[name], pk):
            sortable = [n for n in declared if is_sortable(n, types[n], pk)]
            raise bad(
                "not_sortable",
                f"field {name!r} is not sortable: sort by one of {', '.join(sortable)}",
                f"字段 {name} 不可排序，可排序字段：{'、'.join(sortable)}",
                "sort",
            )
        if name not in (n for n, _ in order):
            order.append((name, desc))
    order += [(k, False) for k in pk if k not in (n for n, _ in order)]
    return RecordQuery(
        dataset=entry["id"],
        version=version,
        types=types,
        fields=chosen,
        filters=[parse_filter(f, types) for f in filters],
        order=order,
        key=tuple(pk),
        stored_in_key_order=stored_in_key_order,
    )


# ------------------------------------------------------------------------------------------------ cursor


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="zhongtai-records-cursor")


def encode_cursor(secret: str, query: RecordQuery, values: Sequence[Any]) -> str:
    payload = {"v": query.version, "d": query.dataset, "q": query.fingerprint, "k": [plain(v) for v in values]}
    return _serializer(secret).dumps(payload)


def cursor_version(secret: str, cursor: str) -> tuple[str, dict[str, Any]]:
    """The published version a cursor was issued on (the walk stays there) and its payload; 400 if forged."""
    try:
        payload = _serializer(secret).loads(cursor)
    except BadSignature:
        raise bad(
            "bad_cursor",
            "bad cursor: not one this API issued (forged, altered or truncated)",
            "游标无效：不是本接口签发的（伪造、篡改或不完整）",
            "cursor",
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), str) or not isinstance(payload.get("k"), list):
        raise bad("bad_cursor", "bad cursor: malformed", "游标无效：格式错误", "cursor")
    return payload["v"], payload


def cursor_keys(payload: dict[str, Any], query: RecordQuery) -> list[Any]:
    """The key values to continue after; 400 when the cursor belongs to another dataset or other filters/sort."""
    if payload.get("d") != query.dataset or payload.get("q") != query.fingerprint:
        raise bad(
            "foreign_cursor",
            "bad cursor: it was issued for another dataset, filter or sort; keep them unchanged while paging",
            "游标无效：它属于其他数据集、过滤条件或排序，翻页时请保持这些参数不变",
            "cursor",
        )
    keys = payload["k"]
    if len(keys) != len(query.order):
        raise bad("bad_cursor", "bad cursor: wrong number of key values", "游标无效：键值个数不符", "cursor")
    order = [n for n, _ in query.order]
    return [None if v is None else coerce(n, query.types[n], str(v)) for n, v in zip(order, keys, strict=True)]


# ------------------------------------------------------------------------------------------------ SQL


def _where(query: RecordQuery) -> tuple[list[str], list[Any]]:
    terms: list[str] = []
    params: list[Any] = []
    for f in query.filters:
        col = quote(f.field)
        if f.op == "in":
            terms.append(f"{col} in ({', '.join('?' for _ in f.values)})")
        elif f.op == "prefix":
            terms.append(f"starts_with({col}, ?)")
        else:
            terms.append(f"{col} {_COMPARE[f.op]} ?")
        params.extend(f.values)
    return terms, params


def _after(query: RecordQuery, keys: list[Any]) -> tuple[str, list[Any]]:
    """Rows strictly after the cursor in (field asc/desc, nulls last) order, spelled as an OR of ANDs. A primary-key
    field is never null, so its arm is a plain comparison that zone maps can prune on (an `or … is null` defeats
    them and every page scanned the table)."""
    ors: list[str] = []
    params: list[Any] = []
    for i, (name, desc) in enumerate(query.order):
        if keys[i] is None:
            continue  # nothing comes after a null in nulls-last order but other nulls, handled by later keys
        ands: list[str] = []
        these: list[Any] = []
        for (prev, _), value in zip(query.order[:i], keys[:i], strict=True):
            if value is None:
                ands.append(f"{quote(prev)} is null")
            else:
                ands.append(f"{quote(prev)} = ?")
                these.append(value)
        after = f"{quote(name)} {'<' if desc else '>'} ?"
        ands.append(after if name in query.key else f"({after} or {quote(name)} is null)")
        these.append(keys[i])
        ors.append("(" + " and ".join(ands) + ")")
        params += these
    return ("(" + " or ".join(ors) + ")" if ors else "false"), params


def equals_filter(field: str, texts: Sequence[Any], types: dict[str, str]) -> Filter:
    """`field` equal to one of `texts` (CKAN's `filters`): no comma splitting, so values may hold commas."""
    if field not in types:
        raise bad("unknown_field", f"unknown field {field[:60]!r} in filters", f"过滤字段 {field[:60]!r} 不存在", field)
    values = tuple(coerce(field, types[field], str(t)) for t in texts)
    if not values or len(values) > MAX_IN:
        raise bad("bad_value", f"1 to {MAX_IN} values for {field!r}", f"{field} 须有 1 至 {MAX_IN} 个取值", field)
    return Filter(field, "in", values, f"{field}:in:{values!r}")


def select_sql(
    query: RecordQuery, keys: list[Any] | None, limit: int | None, offset: int = 0
) -> tuple[str, list[Any], list[str]]:
    """The page's SQL, its parameters and the selected column names (the requested fields, then the order's keys)."""
    terms, params = _where(query)
    if keys is not None:
        after, more = _after(query, keys)
        terms.append(after)
        params += more
    names = query.fields + [n for n, _ in query.order if n not in query.fields]
    where = f"where {' and '.join(terms)}" if terms else ""
    sql = f"select {', '.join(quote(n) for n in names)} from {quote(query.dataset)} {where}"
    if not query.in_storage_order:  # a table stored in key order is read as stored: no sort, and a LIMIT stops early
        sql += " order by " + ", ".join(f"{quote(n)} {'desc' if d else 'asc'} nulls last" for n, d in query.order)
    if limit is not None:
        sql += " limit ? offset ?"
        params += [limit, offset]
    return sql, params, names


def count_sql(query: RecordQuery) -> tuple[str, list[Any]]:
    terms, params = _where(query)
    where = f"where {' and '.join(terms)}" if terms else ""
    return f"select count(*) from {quote(query.dataset)} {where}", params


# ------------------------------------------------------------------------------------------------ reading a page

# What DuckDB can still refuse once names and types are checked: a value it cannot compare with its field.
VALUE_ERRORS = (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidInputException)


@contextmanager
def value_errors() -> Iterator[None]:
    """A filter or cursor value DuckDB cannot compare with its field (e.g. out of range) is the caller's 400."""
    try:
        yield
    except VALUE_ERRORS as exc:
        raise ApiError(
            400,
            "bad_value",
            f"a filter or cursor value does not fit its field: {exc}",
            "过滤条件或游标的取值超出字段范围",
        ) from None


def snapshot_for(settings: Settings, secret: str, cursor: str | None) -> tuple[Snapshot, dict[str, Any] | None]:
    """The snapshot a request reads and its cursor's payload: the current one for a first page, the cursor's own
    version for the next ones (410 once that version is gone, so a walk never mixes versions)."""
    if cursor is None:
        return get_snapshot(settings), None
    version, payload = cursor_version(secret, cursor)
    pinned = snapshot_at(settings, version)
    if pinned is None:
        raise ApiError(
            410,
            "version_gone",
            f"the cursor's published version {version} is no longer served: start again from the first page",
            f"游标所属的发布版本 {version} 已不再提供，请从第一页重新开始",
            param="cursor",
        )
    return pinned, payload


def count(con: duckdb.DuckDBPyConnection, query: RecordQuery) -> int:
    """How many rows match the query's filters (inside value_errors())."""
    sql, params = count_sql(query)
    return int(con.execute(sql, params).fetchone()[0])  # type: ignore[index]


@dataclass(frozen=True)
class Page:
    rows: list[tuple[Any, ...]]  # the requested fields, in query.fields order
    next_cursor: str | None

    def records(self, fields: list[str]) -> list[dict[str, Any]]:
        return [dict(zip(fields, row, strict=True)) for row in self.rows]


def read_page(
    con: duckdb.DuckDBPyConnection, query: RecordQuery, keys: list[Any] | None, limit: int, secret: str
) -> Page:
    """One page of `limit` rows after `keys` and the cursor of the next (None on the last page); 400 bad_value when
    DuckDB cannot compare a value. One row more than the page tells whether there is a next one."""
    sql, params, names = select_sql(query, keys, limit + 1)
    with value_errors():
        rows = con.execute(sql, params).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        next_cursor = encode_cursor(secret, query, [rows[-1][names.index(n)] for n, _ in query.order])
    if names != query.fields:
        keep = [names.index(f) for f in query.fields]
        rows = [tuple(row[i] for i in keep) for row in rows]
    return Page(rows, next_cursor)


def _encode_default(value: Any) -> Any:
    """What orjson does not know (Decimal, intervals, ...) as FastAPI's jsonable_encoder gives it."""
    return jsonable_encoder(value)


def json_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """A records page as JSON, encoded by orjson in one C call instead of jsonable_encoder's walk of every value
    (which was most of a page's Python time). Dates and times come out as isoformat() does; Decimal and the rest
    as jsonable_encoder gives them."""
    try:
        content = orjson.dumps(body, default=_encode_default, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits (hugeint)
        content = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, media_type="application/json", headers=headers)

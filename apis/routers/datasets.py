"""Open datasets: the index, one dataset's description, and its records paged by primary key."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

import duckdb
import pyarrow as pa
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel

from apis import exports, records, search
from apis.auth import session_secret
from apis.deps import NoticeDep, SettingsDep, Snapshot, SnapshotDep, key_ordered, open_serving
from apis.errors import ApiError, responses
from apis.quota import rows_served

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])

OPEN_WITHOUT_KEY = "无条件开放"

# The path parameter, with an example so the docs' "try it" and schemathesis' example phase reach real data.
DatasetId = Annotated[
    str, Path(description="数据集标识 dataset id (GET /v1/datasets)", examples=["enterprise_directory"])
]


class FieldOut(BaseModel):
    name: str
    title: str
    description: str
    data_type: str | None


class DatasetOut(BaseModel):
    id: str
    title: str
    description: str
    open_level: str
    security_grade: str
    owner_department: str
    theme: str | None = None
    cadence: str | None = None
    license: str
    primary_key: list[str]
    rows: int | None
    fields: list[FieldOut]
    records_url: str
    export_url: str | None = None


class FacetCount(BaseModel):
    value: str
    count: int


class DatasetIndex(BaseModel):
    version: str
    created_at: str
    stale: bool = False
    stale_reason: str | None = None
    q: str | None = None
    total: int
    facets: dict[str, list[FacetCount]]
    datasets: list[DatasetOut]


def _out(entry: dict[str, Any]) -> DatasetOut:
    export = f"/v1/datasets/{entry['id']}/export.csv" if entry["open_level"] == OPEN_WITHOUT_KEY else None
    return DatasetOut(**entry, records_url=f"/v1/datasets/{entry['id']}/records", export_url=export)


def _dataset(snapshot: Snapshot, dataset_id: str) -> dict[str, Any]:
    try:
        return snapshot.datasets[dataset_id]
    except KeyError:
        raise ApiError(
            404,
            "unknown_dataset",
            f"unknown dataset {dataset_id[:80]!r}: GET /v1/datasets lists the published ones",
            "未找到该数据集，GET /v1/datasets 列出已发布的数据集",
            param="dataset_id",
        ) from None


def _open_only(entry: dict[str, Any]) -> None:
    """403 for a dataset that is not 无条件开放: nothing grants conditional access through these routes yet."""
    if entry["open_level"] != OPEN_WITHOUT_KEY:
        raise ApiError(
            403,
            "needs_application",
            f"dataset {entry['id']!r} is {entry['open_level']}: it needs an approved application and an API key",
            f"数据集 {entry['id']} 为{entry['open_level']}数据，需申请审批（有条件开放数据需申请审批）",
        )


@router.get(
    "",
    summary="数据集目录与检索 Dataset index and search",
    description="当前发布版本中的开放数据集，含中文标题、开放等级和字段说明；"
    "`q` 按中文分词（jieba）检索标题、描述与字段标题，按相关度排序；"
    "`theme`、`department`、`open_level`、`cadence` 筛选，`facets` 给出各取值的数据集数"
    "（主题与更新频率在目录标注前为“未标注”）。`stale` 表示最近一次发布被拒、仍在提供旧版本。"
    "Every published dataset with its Chinese title, open level and fields. `q` searches titles, descriptions and "
    "field titles, segmented with jieba, best match first; `theme`, `department`, `open_level` and `cadence` narrow "
    "it and `facets` counts the datasets found per value. `stale` says a newer publish was refused.",
)
def list_datasets(
    snapshot: SnapshotDep,
    notice: NoticeDep,
    q: Annotated[str | None, Query(max_length=200, description="检索词 search words", examples=["企业 信用"])] = None,
    theme: Annotated[str | None, Query(max_length=100, description="主题 theme")] = None,
    department: Annotated[str | None, Query(max_length=100, description="责任部门 owner department")] = None,
    open_level: Annotated[str | None, Query(max_length=20, description="开放等级 open level")] = None,
    cadence: Annotated[str | None, Query(max_length=20, description="更新频率 update cadence")] = None,
) -> DatasetIndex:
    """Public."""
    chosen = {"theme": theme, "department": department, "open_level": open_level, "cadence": cadence}
    found, facets = search.search(str(snapshot.path), list(snapshot.datasets.values()), q, chosen)
    return DatasetIndex(
        version=snapshot.version,
        created_at=snapshot.created_at,
        stale=notice.stale,
        stale_reason=notice.get("reason") if notice.stale else None,
        q=q,
        total=len(found),
        facets={name: [FacetCount(**c) for c in counts] for name, counts in facets.items()},
        datasets=[_out(d) for d in found],
    )


@router.get(
    "/{dataset_id}",
    summary="数据集说明 One dataset",
    description="一个数据集的说明与字段。A dataset's description and fields; 404 if it is not published.",
    responses=responses(404),
)
def get_dataset(dataset_id: DatasetId, snapshot: SnapshotDep) -> DatasetOut:
    """Public."""
    return _out(_dataset(snapshot, dataset_id))


@router.get(
    "/{dataset_id}/export.csv",
    summary="批量下载（CSV）Bulk export as CSV",
    description="无条件开放数据集的全部记录，一个 UTF-8 CSV 文件（首行为字段名，按主键排序），"
    "与记录接口所给的行列一致；"
    "同目录的 `open/<id>/datapackage.json`（Frictionless 数据包）给出字段中文标题、类型、主键与 sha256。"
    "Every record of an open (无条件开放) dataset as one UTF-8 CSV (header row, primary-key order), the same rows and "
    "columns as `/records`; streamed from the published snapshot. 403 for conditional datasets, 404 if unknown.",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}}, **responses(403, 404)},
)
def export_csv(dataset_id: DatasetId, snapshot: SnapshotDep) -> FileResponse:
    """Public (open datasets only)."""
    entry = _dataset(snapshot, dataset_id)
    _open_only(entry)
    path = snapshot.path / "open" / dataset_id / f"{dataset_id}.csv"
    if not path.is_file():
        raise ApiError(
            404,
            "no_extract",
            f"no CSV extract of {dataset_id!r} in version {snapshot.version}",
            f"版本 {snapshot.version} 中没有 {dataset_id} 的 CSV 文件",
        )
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{dataset_id}-{snapshot.version}.csv")


@router.get(
    "/{dataset_id}/lineage",
    summary="数据血缘 Lineage",
    description="数据集从哪里来：上游 dbt 模型、源系统及其原始表（含中文名称、责任部门，以及快照记录的最新批次号），"
    "以及每个发布字段的来源。`level` 为 `column` 时按字段名或登记簿中的规范属性匹配到源系统的具体列；"
    "为 `dataset` 时只能说明依赖整个数据集的上游。Where a dataset comes from: upstream dbt models, the source systems "
    "and raw tables (Chinese titles, owner departments, the latest delivery id the snapshot recorded) and, per "
    "published field, its upstream. `level: column` matched a source column by name or registry canonical attribute; "
    "`level: dataset` lists the dataset's upstream as a whole (the SQL is not parsed).",
    responses=responses(404),
)
def get_lineage(dataset_id: DatasetId, snapshot: SnapshotDep) -> dict[str, Any]:
    """Public."""
    entry = _dataset(snapshot, dataset_id)
    lineage = entry.get("lineage")
    if lineage is None:
        raise ApiError(
            404,
            "no_lineage",
            f"version {snapshot.version} was published without lineage",
            f"版本 {snapshot.version} 发布时未包含血缘信息",
        )
    return {"version": snapshot.version, **lineage}


FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
BATCH = 2000


def _http_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _not_modified(request: Request, etag: str, created_at: str) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            held = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        modified = datetime.fromisoformat(created_at)
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=UTC)
        return held.tzinfo is not None and modified.replace(microsecond=0) <= held
    return False


def _csv_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Iterator[list[tuple[Any, ...]]]:
    """The result in batches straight from DuckDB (constant memory); closes the connection when done."""
    try:
        cur = con.execute(sql, params)
        while batch := cur.fetchmany(BATCH):
            yield batch
    finally:
        con.close()


def _counted(batches: Iterable[Any], request: Request) -> Iterator[Any]:
    """The batches unchanged, each reported to the usage count as it is served (row tuples or Arrow batches)."""
    for batch in batches:
        rows_served(request, batch.num_rows if isinstance(batch, pa.RecordBatch) else len(batch))
        yield batch


def _write(batches: Iterable[list[tuple[Any, ...]]], keep: list[int], fields: list[str], fmt: str) -> Iterator[str]:
    """Rows as CSV (header first) or JSON Lines, one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "csv":
        writer.writerow(fields)
    for batch in batches:
        if fmt == "csv":
            writer.writerows([_csv_text(row[i]) for i in keep] for row in batch)
        else:
            for row in batch:
                record = jsonable_encoder({f: row[i] for f, i in zip(fields, keep, strict=True)})
                buffer.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _binary(
    con: duckdb.DuckDBPyConnection,
    statement: tuple[str, list[Any]],
    query: records.RecordQuery,
    page: int | None,
    fmt: str,
    entry: dict[str, Any],
    headers: dict[str, str],
    request: Request,
    secret: str,
) -> StreamingResponse:
    """A Parquet or XLSX answer from DuckDB's Arrow batches: all matching rows, or one page with its next cursor."""
    sql, params = statement
    batches: Iterable[Any]
    if page is None:
        size = exports.ARROW_BATCH if fmt == "parquet" else exports.XLSX_BATCH
        reader = con.execute(sql, params).fetch_record_batch(size)
        schema = reader.schema
        batches = (batch.select(query.fields) for batch in reader)
    else:
        table = con.execute(sql, params).fetch_arrow_table()
        if table.num_rows > page:
            last = table.slice(page - 1, 1)
            cursor = records.encode_cursor(secret, query, [last.column(n)[0].as_py() for n, _ in query.order])
            headers["X-Next-Cursor"] = cursor
            headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
        table = table.slice(0, page).select(query.fields)
        schema, batches = table.schema, table.to_batches()
    schema = pa.schema([schema.field(f) for f in query.fields])
    batches = _counted(batches, request)
    version = headers["X-Zhongtai-Version"]
    headers["Content-Disposition"] = f'attachment; filename="{query.dataset}-{version}.{fmt}"'
    if fmt == "parquet":
        stream = exports.parquet_bytes(schema, batches)
    else:
        titles = {f["name"]: f["title"] for f in entry["fields"]}
        rows = (row for batch in batches for row in zip(*(c.to_pylist() for c in batch.columns), strict=True))
        stream = exports.xlsx_bytes(entry["title"], [titles[f] for f in query.fields], rows)
    return StreamingResponse(exports.closing(stream, con.close), media_type=exports.MEDIA[fmt], headers=headers)


class RecordsPage(BaseModel):
    dataset: str
    version: str
    limit: int
    sort: list[str]
    total: int | None = None
    records: list[dict[str, Any]]
    next_cursor: str | None


@router.get(
    "/{dataset_id}/records",
    summary="数据记录（过滤、排序、分页）Records: filter, sort, page",
    description="""\
按声明的字段过滤与排序，按键集游标稳定分页。Records of an open dataset, filtered and sorted on its declared fields,
paged with a keyset cursor.

- `filter=<字段 field>:<运算符 op>:<取值 value>`（可重复，条件之间为“且” repeatable, ANDed）。运算符 operators:
  `eq`, `in`（逗号分隔 comma-separated, ≤100）, `gt`, `ge`, `lt`, `le`（范围 range = `ge` + `le`）, `prefix`（文本 text
  only）。取值按字段类型校验 values are checked against the field's type（日期 dates `YYYY-MM-DD`）。
- `sort=-decision_date,record_id`：可排序字段为主键、日期与数值字段 sortable fields are the primary key, dates and
  numbers; `-` 为降序 descending; 空值在后 nulls last; 主键补足顺序 the primary key completes the order.
- `fields=a,b` 只返回这些字段 returns only these fields; `total=true` 返回符合条件的总数 adds the matching count
  (`X-Total-Count` for CSV/JSON Lines).
- `cursor`：上一页的 `next_cursor`（末页为 null），已签名，翻页时过滤与排序须保持不变；游标固定在首页所读的发布版本上，
  翻页不会混入新版本。
  The previous page's `next_cursor` (null on the last page), signed; keep filters and sort unchanged;
  a walk stays on the published version its first page read (410 once that version is gone).
- `format=json|csv|jsonl`：CSV 与 JSON Lines 流式输出；不给 `limit` 时输出全部符合条件的记录，给出时分页，
  下一页游标在 `X-Next-Cursor` 头。CSV and JSON Lines stream; without `limit` they hold every matching record, with it
  one page and the next cursor in `X-Next-Cursor`.
- `format=parquet|xlsx`：Parquet（zstd 压缩，每批一个行组）与 Excel 工作簿（首行为字段中文标题，
  超过 1,048,575 行续写下一工作表，时间按北京时间），同样流式输出、内存恒定，分页规则同上。
  Parquet (zstd, a row group per batch) and an Excel workbook (Chinese field titles in the first row; beyond
  1,048,575 rows the next sheet; times in Asia/Shanghai), streamed in constant memory, paged as above.
- `ETag` / `Last-Modified`：带 `If-None-Match` / `If-Modified-Since` 再次请求，未变化时返回 304。

只有无条件开放的数据集可免密钥访问。Only 无条件开放 (open) datasets are served without an API key.""",
    response_model=RecordsPage,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/x-ndjson": {},
                **{media: {"schema": {"type": "string", "format": "binary"}} for media in exports.MEDIA.values()},
            }
        },
        **responses(304, 400, 403, 404, 410, 503),
    },
)
def list_records(
    dataset_id: DatasetId,
    request: Request,
    settings: SettingsDep,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="每页条数 rows per page (1–1000; JSON 默认 default 100)")
    ] = None,
    cursor: Annotated[str | None, Query(description="上一页的 next_cursor / the previous page's next_cursor")] = None,
    filter: Annotated[
        list[str] | None,
        Query(
            description="<field>:<op>:<value>, op ∈ eq in gt ge lt le prefix",
            examples=[["status:eq:存续", "established_date:ge:2001-01-01"]],
        ),
    ] = None,
    sort: Annotated[
        str | None,
        Query(description="逗号分隔，`-` 降序 comma-separated, `-` descending", examples=["-established_date"]),
    ] = None,
    fields: Annotated[str | None, Query(description="逗号分隔的字段 comma-separated fields")] = None,
    total: Annotated[bool, Query(description="返回总数 include the matching count")] = False,
    format: Annotated[
        Literal["json", "csv", "jsonl", "parquet", "xlsx"], Query(description="json | csv | jsonl | parquet | xlsx")
    ] = "json",
) -> Any:
    """Public (open datasets only)."""
    secret = session_secret(settings)
    snapshot, payload = records.snapshot_for(settings, secret, cursor)
    entry = _dataset(snapshot, dataset_id)
    _open_only(entry)
    ordered = dataset_id in key_ordered(snapshot)
    query = records.parse_query(
        entry, snapshot.version, filters=filter or (), sort=sort, fields=fields, stored_in_key_order=ordered
    )
    keys = records.cursor_keys(payload, query) if payload is not None else None

    etag = '"' + hashlib.sha256(f"{snapshot.version}?{request.url.query}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Last-Modified": _http_date(snapshot.created_at), "X-Zhongtai-Version": snapshot.version}
    if _not_modified(request, etag, snapshot.created_at):
        return Response(status_code=304, headers=headers)

    page = limit if limit is not None or format != "json" else 100
    con = open_serving(snapshot)
    streaming = False
    try:
        with records.value_errors():
            if total:
                headers["X-Total-Count"] = str(records.count(con, query))
            if format in exports.MEDIA or page is None:
                sql, params, names = records.select_sql(query, keys, None if page is None else page + 1)
                streaming = True  # the stream closes the connection
                if format in exports.MEDIA:
                    return _binary(con, (sql, params), query, page, format, entry, headers, request, secret)
                keep = [names.index(f) for f in query.fields]
                stream = _write(_counted(_fetch(con, sql, params), request), keep, query.fields, format)
                return StreamingResponse(stream, media_type=FORMATS[format], headers=headers)
        found = records.read_page(con, query, keys, page, secret)
    finally:
        if not streaming:
            con.close()
    rows_served(request, len(found.rows))
    if format != "json":
        if found.next_cursor:
            headers["X-Next-Cursor"] = found.next_cursor
            headers["Link"] = f'<{request.url.include_query_params(cursor=found.next_cursor)}>; rel="next"'
        stream = _write([found.rows], list(range(len(query.fields))), query.fields, format)
        return StreamingResponse(stream, media_type=FORMATS[format], headers=headers)
    body = {
        "dataset": dataset_id,
        "version": snapshot.version,
        "limit": page,
        "sort": [("-" if d else "") + n for n, d in query.order],
        "total": int(headers["X-Total-Count"]) if total else None,
        "records": found.records(query.fields),
        "next_cursor": found.next_cursor,
    }
    return records.json_response(body, headers)

"""Open datasets: the index, one dataset's description, and its records paged by primary key."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, HTTPException, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse
from pydantic import BaseModel

from apis.deps import NoticeDep, ServingDep, Snapshot, SnapshotDep
from zhongtai.sql import quote_identifier as _q

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])

OPEN_WITHOUT_KEY = "无条件开放"


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
    license: str
    primary_key: list[str]
    rows: int | None
    fields: list[FieldOut]
    records_url: str
    export_url: str | None = None


class DatasetIndex(BaseModel):
    version: str
    created_at: str
    stale: bool = False
    stale_reason: str | None = None
    datasets: list[DatasetOut]


class RecordsPage(BaseModel):
    dataset: str
    version: str
    limit: int
    records: list[dict[str, Any]]
    next_cursor: str | None


def _out(entry: dict[str, Any]) -> DatasetOut:
    export = f"/v1/datasets/{entry['id']}/export.csv" if entry["open_level"] == OPEN_WITHOUT_KEY else None
    return DatasetOut(**entry, records_url=f"/v1/datasets/{entry['id']}/records", export_url=export)


def _dataset(snapshot: Snapshot, dataset_id: str) -> dict[str, Any]:
    try:
        return snapshot.datasets[dataset_id]
    except KeyError:
        raise HTTPException(
            status_code=404,
            detail=f"unknown dataset {dataset_id!r}: GET /v1/datasets lists the published ones (未找到该数据集)",
        ) from None


@router.get(
    "",
    summary="数据集目录 Dataset index",
    description="当前发布版本中的全部开放数据集，含中文标题、开放等级和字段说明；"
    "`stale` 表示最近一次发布被拒、仍在提供旧版本。"
    "Every published dataset with its Chinese title, open level and fields; `stale` says a newer publish was "
    "refused and this is the previous version.",
)
def list_datasets(snapshot: SnapshotDep, notice: NoticeDep) -> DatasetIndex:
    """Public."""
    return DatasetIndex(
        version=snapshot.version,
        created_at=snapshot.created_at,
        stale=notice.stale,
        stale_reason=notice.get("reason") if notice.stale else None,
        datasets=[_out(d) for d in snapshot.datasets.values()],
    )


@router.get(
    "/{dataset_id}",
    summary="数据集说明 One dataset",
    description="一个数据集的说明与字段。A dataset's description and fields; 404 if it is not published.",
)
def get_dataset(dataset_id: str, snapshot: SnapshotDep) -> DatasetOut:
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
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(dataset_id: str, snapshot: SnapshotDep) -> FileResponse:
    """Public (open datasets only)."""
    entry = _dataset(snapshot, dataset_id)
    if entry["open_level"] != OPEN_WITHOUT_KEY:
        raise HTTPException(
            status_code=403,
            detail=f"dataset {dataset_id!r} is {entry['open_level']}: no bulk export without an approved application "
            "(有条件开放数据需申请审批)",
        )
    path = snapshot.path / "open" / dataset_id / f"{dataset_id}.csv"
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"no CSV extract of {dataset_id!r} in version {snapshot.version}")
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
)
def get_lineage(dataset_id: str, snapshot: SnapshotDep) -> dict[str, Any]:
    """Public."""
    entry = _dataset(snapshot, dataset_id)
    lineage = entry.get("lineage")
    if lineage is None:
        raise HTTPException(status_code=404, detail=f"version {snapshot.version} was published without lineage")
    return {"version": snapshot.version, **lineage}


def encode_cursor(values: list[Any]) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, datetime | date | time):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return v

    raw = json.dumps([plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise HTTPException(status_code=400, detail=f"bad cursor: not one this API issued ({exc})") from None
    if not isinstance(values, list) or len(values) != width:
        raise HTTPException(status_code=400, detail=f"bad cursor: expected {width} key value(s)")
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        raise HTTPException(status_code=400, detail="bad cursor: key values must be strings or numbers")
    return values


@router.get(
    "/{dataset_id}/records",
    summary="数据记录（按主键分页）Records, paged by primary key",
    description="按主键顺序返回记录；将 `next_cursor` 作为 `cursor` 传入以取下一页，末页为 null。"
    "游标在新版本发布后仍然有效（只要该主键仍存在）。仅无条件开放的数据集可免密钥访问。"
    "Records in primary-key order; pass `next_cursor` back as `cursor` for the next page (null on the last). "
    "Cursors stay valid across publishes. Only 无条件开放 (open) datasets are served without an API key.",
)
def list_records(
    dataset_id: str,
    snapshot: SnapshotDep,
    con: ServingDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 rows per page (1–1000)")] = 100,
    cursor: Annotated[str | None, Query(description="上一页的 next_cursor / the previous page's next_cursor")] = None,
) -> RecordsPage:
    """Public; a conditional dataset answers 403 until keys and approved applications exist."""
    entry = _dataset(snapshot, dataset_id)
    if entry["open_level"] != OPEN_WITHOUT_KEY:
        raise HTTPException(
            status_code=403,
            detail=f"dataset {dataset_id!r} is {entry['open_level']}: it needs an approved application and an API key, "
            "which this API does not issue yet (有条件开放数据需申请审批)",
        )
    pk: list[str] = entry["primary_key"]
    types = {f["name"]: f["data_type"] or "varchar" for f in entry["fields"]}
    columns = ", ".join(_q(f["name"]) for f in entry["fields"])
    where, params = "", []
    if cursor is not None:
        values = decode_cursor(cursor, len(pk))
        # (k1, k2, …) > (v1, v2, …) spelled out, so the keys' index can serve it
        ors = []
        for i, key in enumerate(pk):
            terms = [f"{_q(k)} = cast(? as {types[k]})" for k in pk[:i]] + [f"{_q(key)} > cast(? as {types[key]})"]
            ors.append("(" + " and ".join(terms) + ")")
            params.extend(values[: i + 1])
        where = "where " + " or ".join(ors)
    order = ", ".join(_q(k) for k in pk)
    sql = f"select {columns} from {_q(dataset_id)} {where} order by {order} limit {limit + 1}"
    try:
        cur = con.execute(sql, params)
    except duckdb.Error as exc:
        if cursor is None:
            raise
        raise HTTPException(
            status_code=400, detail=f"bad cursor: its key values do not fit the dataset ({exc})"
        ) from None
    names = [d[0] for d in cur.description]  # type: ignore[union-attr]
    rows = cur.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    key_idx = [names.index(k) for k in pk]
    next_cursor = encode_cursor([rows[-1][i] for i in key_idx]) if more and rows else None
    records = jsonable_encoder([dict(zip(names, r, strict=True)) for r in rows])
    return RecordsPage(
        dataset=dataset_id, version=snapshot.version, limit=limit, records=records, next_cursor=next_cursor
    )

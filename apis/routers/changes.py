"""A dataset's change feed between published versions, and its dated full snapshots with their sha256."""

from __future__ import annotations

import json
import pathlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse
from pydantic import BaseModel

from apis import changes
from apis.deps import SettingsDep, SnapshotDep
from apis.errors import ApiError, responses
from apis.routers.datasets import DatasetId, _dataset, _open_only
from zhongtai.versions import VERSION, versions

router = APIRouter(prefix="/v1/datasets", tags=["changes"])


class Change(BaseModel):
    change: str  # added | changed | withdrawn
    key: dict[str, Any]
    record: dict[str, Any] | None  # the new values; null for a withdrawn row (a tombstone)


class ChangesPage(BaseModel):
    dataset: str
    since: str
    version: str
    added: int
    changed: int
    withdrawn: int
    offset: int
    limit: int
    next_offset: int | None
    changes: list[Change]


@router.get(
    "/{dataset_id}/changes",
    summary="变更订阅 Change feed",
    description="""\
自 `since` 所给发布版本以来的净变更，每个主键一条：`added` 新增（附全部字段）、`changed` 变更（附新值）、
`withdrawn` 撤下（只给主键，即墓碑）。变更在发布时计算，跨多个版本时逐版合并。按主键排序，`offset`/`limit` 分页。
区间内改动后又改回（或撤下后原样恢复）的行记为 `changed`，附当前值（重复写入无害）。
`since` 格式不对返回 400；该版本未曾发布或变更记录已不保留返回 410，此时请下载全量快照后重新开始。
Net changes since the published version `since`, one per primary key: `added` (every field), `changed` (the new
values) or `withdrawn` (the key only: a tombstone); computed at publish and folded across versions, in key order.
A row changed and changed back within the span (or withdrawn and restored as it was) is reported as `changed` with
its current values, an upsert that changes nothing.
400 for a malformed `since`; 410 when it was never published here or its changes are no longer kept (resync from
a full snapshot, `/snapshots`).""",
    responses=responses(400, 403, 404, 410),
)
def get_changes(
    dataset_id: DatasetId,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    since: Annotated[
        str,
        Query(
            max_length=40,
            description="上次同步的发布版本 the published version last synced",
            examples=["v20261130T120000Z"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=10_000, description="每页条数 changes per page")] = 1000,
    offset: Annotated[int, Query(ge=0, le=100_000_000, description="跳过的条数 changes to skip")] = 0,
) -> ChangesPage:
    """Public (open datasets only)."""
    entry = _dataset(snapshot, dataset_id)
    _open_only(entry)
    folders = changes.chain(settings.published_dir, snapshot.path, since)
    fields = [f["name"] for f in entry["fields"]]
    pk: list[str] = entry["primary_key"]
    rows, counts = changes.net_changes(folders, dataset_id, pk, fields, limit, offset)
    items = [
        Change(
            change=row["_net"],
            key=jsonable_encoder({k: row[k] for k in pk}),
            record=None if row["_net"] == "withdrawn" else jsonable_encoder({f: row[f] for f in fields}),
        )
        for row in rows
    ]
    total = sum(counts.values())
    return ChangesPage(
        dataset=dataset_id,
        since=since,
        version=snapshot.version,
        **counts,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if offset + limit < total else None,
        changes=items,
    )


class SnapshotFile(BaseModel):
    version: str
    created_at: str
    url: str
    bytes: int
    sha256: str


class SnapshotList(BaseModel):
    dataset: str
    snapshots: list[SnapshotFile]


def _extract(folder: pathlib.Path, dataset_id: str) -> dict[str, Any] | None:
    """The open CSV of a version as its manifest records it (path, bytes, sha256), with the version's date."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    wanted = f"open/{dataset_id}/{dataset_id}.csv"
    for item in manifest.get("files", []):
        if item["path"] == wanted:
            return {"created_at": manifest["created_at"], "bytes": item["bytes"], "sha256": item["sha256"]}
    return None


@router.get(
    "/{dataset_id}/snapshots",
    summary="历史全量快照 Dated full snapshots",
    description="仍保留的各发布版本的全量 CSV，附发布时间、大小与 sha256（取自该版本的 manifest.json），新的在前。"
    "The full CSV of every published version still kept, with its date, size and sha256 (from that version's "
    "manifest.json), newest first.",
    responses=responses(403, 404),
)
def list_snapshots(dataset_id: DatasetId, snapshot: SnapshotDep, settings: SettingsDep) -> SnapshotList:
    """Public (open datasets only)."""
    _open_only(_dataset(snapshot, dataset_id))
    published = settings.published_dir
    found = []
    for name in reversed(versions(published)):
        extract = _extract(published / name, dataset_id)
        if extract is not None:
            url = f"/v1/datasets/{dataset_id}/snapshots/{name}.csv"
            found.append(SnapshotFile(version=name, url=url, **extract))
    return SnapshotList(dataset=dataset_id, snapshots=found)


@router.get(
    "/{dataset_id}/snapshots/{version}.csv",
    summary="下载历史全量快照 Download a dated full snapshot",
    description="某一发布版本的全量 CSV；版本号格式不对 400，该版本不再保留或无此数据集 404。"
    "The full CSV of one published version; 400 for a malformed version, 404 when it is not kept.",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}}, **responses(400, 403, 404)},
)
def get_snapshot_csv(
    dataset_id: DatasetId,
    version: Annotated[str, Path(max_length=40, description="发布版本 published version")],
    snapshot: SnapshotDep,
    settings: SettingsDep,
) -> FileResponse:
    """Public (open datasets only)."""
    _open_only(_dataset(snapshot, dataset_id))
    if not VERSION.fullmatch(version):
        raise ApiError(
            400,
            "bad_version",
            f"{version[:40]!r} is not a published version name (vYYYYMMDDTHHMMSSZ)",
            f"{version[:40]!r} 不是发布版本号（格式 vYYYYMMDDTHHMMSSZ）",
            param="version",
        )
    path = settings.published_dir / version / "open" / dataset_id / f"{dataset_id}.csv"
    if not path.is_file():
        raise ApiError(
            404,
            "no_snapshot_file",
            f"version {version} of {dataset_id!r} is not kept: GET /v1/datasets/{dataset_id}/snapshots lists the kept",
            f"未保留数据集 {dataset_id} 的版本 {version}，可用版本见 /v1/datasets/{dataset_id}/snapshots",
            param="version",
        )
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{dataset_id}-{version}.csv")

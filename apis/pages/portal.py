"""The open-data portal, public: search the catalogue with facets, a dataset's page (preview, fields, downloads,
lineage, an API example, DCAT and Frictionless links) and the challenge's data needs — plain HTML in Chinese."""

from __future__ import annotations

from collections import Counter
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from apis import records, search
from apis.auth import MaybeSignedIn, Principal
from apis.deps import OperationalDb, SettingsDep, Snapshot, get_snapshot, open_serving
from apis.errors import ApiError
from apis.operational import challenge
from apis.operational.models import NEED_STATUS_TITLES, NeedStatus
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/portal", include_in_schema=False)

OPEN = "无条件开放"
PREVIEW_ROWS = 20
FACET_TITLES = {"theme": "主题", "department": "责任部门", "open_level": "开放等级", "cadence": "更新频率"}
LAYER_TITLES = {"marts": "数据集市", "intermediate": "中间层", "staging": "标准化层", "reference": "参考数据"}


def current(settings: Settings) -> Snapshot | None:
    """The snapshot being served, or None before the first publish (the pages then say so instead of failing)."""
    try:
        return get_snapshot(settings)
    except ApiError:
        return None


def _unpublished(request: Request, principal: Principal | None) -> Response:
    return render(
        request,
        "error.html",
        principal=principal,
        status_code=503,
        title="暂无开放数据",
        message="尚未发布数据快照，请稍后再来。",
        home="/portal/",
    )


def _entry(snapshot: Snapshot, dataset_id: str) -> dict[str, Any]:
    entry = snapshot.datasets.get(dataset_id)
    if entry is None:
        raise HTTPException(status_code=404, detail=f"没有此数据集：{dataset_id[:80]}")
    return entry


@router.get("/")
def portal_home(
    request: Request,
    settings: SettingsDep,
    principal: MaybeSignedIn,
    db: OperationalDb,
    q: str = "",
    theme: str = "",
    department: str = "",
    open_level: str = "",
    cadence: str = "",
) -> Response:
    """Public: search the open-data catalogue, narrow it by facets; the open data needs beside it."""
    snapshot = current(settings)
    if snapshot is None:
        return _unpublished(request, principal)
    chosen: dict[str, str | None] = {
        "theme": theme[:100] or None,
        "department": department[:100] or None,
        "open_level": open_level[:20] or None,
        "cadence": cadence[:20] or None,
    }
    found, facets = search.search(str(snapshot.path), list(snapshot.datasets.values()), q[:200] or None, chosen)
    needs = challenge.list_needs(db, status=NeedStatus.open.value)[:5]
    return render(
        request,
        "portal/index.html",
        principal=principal,
        snapshot=snapshot,
        q=q[:200],
        chosen={k: v for k, v in chosen.items() if v},
        found=found,
        facets=facets,
        facet_titles=FACET_TITLES,
        needs=needs,
    )


def preview(snapshot: Snapshot, entry: dict[str, Any]) -> list[list[Any]]:
    """The first rows in primary-key order, the same the records endpoint gives first (open datasets only)."""
    query = records.parse_query(entry, snapshot.version)
    sql, params, names = records.select_sql(query, None, PREVIEW_ROWS)
    keep = [names.index(f) for f in query.fields]
    con = open_serving(snapshot)
    try:
        return [[row[i] for i in keep] for row in con.execute(sql, params).fetchall()]
    finally:
        con.close()


def lineage_view(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The lineage a person reads: source systems, models per layer, and each field's source systems by title."""
    lineage = entry.get("lineage")
    if not lineage:
        return None
    sources = lineage.get("sources", [])
    titles = {(s["source"], s["entity"]): s.get("entity_title") or s.get("title") or s["relation"] for s in sources}
    layers = Counter(m.get("layer", "") for m in lineage.get("models", []))
    fields = {}
    for f in lineage.get("fields", []):
        if f.get("level") == "column":
            fields[f["name"]] = sorted({titles.get((u["source"], u["entity"]), u["source"]) for u in f["upstream"]})
        else:  # matched to no source column: it depends on the dataset's upstream as a whole
            fields[f["name"]] = ["整体加工（见数据血缘）"]
    return {
        "systems": [s for s in sources if s.get("system")],
        "others": [s for s in sources if not s.get("system")],
        "layers": [(LAYER_TITLES.get(layer, layer), n) for layer, n in layers.most_common()],
        "fields": fields,
    }


DatasetId = Annotated[str, Path(max_length=200)]


@router.get("/datasets/{dataset_id}")
def dataset_page(request: Request, dataset_id: DatasetId, settings: SettingsDep, principal: MaybeSignedIn) -> Response:
    """Public: one dataset — facts, preview, fields, downloads, lineage, how to call the API."""
    snapshot = current(settings)
    if snapshot is None:
        return _unpublished(request, principal)
    entry = _entry(snapshot, dataset_id)
    is_open = entry["open_level"] == OPEN
    base = str(request.base_url).rstrip("/")
    datapackage = snapshot.path / "open" / dataset_id / "datapackage.json"
    return render(
        request,
        "portal/dataset.html",
        principal=principal,
        snapshot=snapshot,
        d=entry,
        is_open=is_open,
        rows=preview(snapshot, entry) if is_open else [],
        lineage=lineage_view(entry),
        has_datapackage=datapackage.is_file(),
        curl=f"curl -s '{base}/v1/datasets/{dataset_id}/records?limit=10'"
        + ("" if is_open else " -H 'X-API-Key: <您的接口密钥>'"),
        curl_csv=f"curl -s -o {dataset_id}.csv '{base}/v1/datasets/{dataset_id}/records?format=csv'"
        + ("" if is_open else " -H 'X-API-Key: <您的接口密钥>'"),
    )


@router.get("/datasets/{dataset_id}/datapackage.json")
def datapackage(dataset_id: DatasetId, settings: SettingsDep) -> FileResponse:
    """Public: the dataset's Frictionless data package, as published with the snapshot being served."""
    snapshot = current(settings)
    if snapshot is None:
        raise HTTPException(status_code=404, detail="尚未发布数据快照 (nothing published yet)")
    _entry(snapshot, dataset_id)
    path: FilePath = snapshot.path / "open" / dataset_id / "datapackage.json"
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"{dataset_id} 没有数据包 (no data package)")
    return FileResponse(path, media_type="application/json")


@router.get("/challenge/")
def challenge_list(request: Request, db: OperationalDb, principal: MaybeSignedIn, status: str = "") -> Response:
    """Public: the data needs departments published (揭榜挂帅), by status."""
    wanted = status if status in NEED_STATUS_TITLES else None
    return render(
        request,
        "portal/challenge.html",
        principal=principal,
        needs=challenge.list_needs(db, status=wanted),
        status=wanted,
        titles=NEED_STATUS_TITLES,
    )


@router.get("/challenge/{need_id}")
def need_page(
    request: Request, need_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: OperationalDb, principal: MaybeSignedIn
) -> Response:
    """Public: one data need and how far it has got."""
    need = challenge.get_need(db, need_id)
    if need is None:
        raise HTTPException(status_code=404, detail="没有此需求")
    return render(request, "portal/need.html", principal=principal, need=need, titles=NEED_STATUS_TITLES)

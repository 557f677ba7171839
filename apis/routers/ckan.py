"""CKAN Action API subset (package_list/show/search, organization_list/show, datastore_search) over the published
catalog, in CKAN's envelope, so harvesters and `ckanapi` read zhongtai unchanged."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from apis import records, search
from apis.deps import Snapshot, get_settings, get_snapshot, open_serving
from apis.errors import ApiError, ErrorBody

router = APIRouter(tags=["ckan"])

Action = Literal[
    "package_list", "package_show", "package_search", "organization_list", "organization_show", "datastore_search"
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]
OPEN = "无条件开放"
_CKAN_TYPES = (("int", ("tinyint", "smallint", "integer", "bigint", "hugeint")), ("numeric", ("decimal", "double")))


class CkanAnswer(BaseModel):
    help: str
    success: bool
    result: Any = None
    error: dict[str, Any] | None = None


class CkanFailure(Exception):
    """An action's failure in CKAN's terms: `__type` is what ckanapi turns back into its exceptions."""

    def __init__(self, status: int, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.extra = status, kind, message, extra


def org_name(department: str) -> str:
    """CKAN names are lowercase ASCII; a department's Chinese name gets a stable one."""
    return "dept-" + hashlib.sha256(department.encode()).hexdigest()[:10]


def _org(department: str, snapshot: Snapshot, *, datasets: bool = False) -> dict[str, Any]:
    owned = [d for d in snapshot.datasets.values() if d["owner_department"] == department]
    org: dict[str, Any] = {
        "id": org_name(department),
        "name": org_name(department),
        "title": department,
        "display_name": department,
        "description": f"{department}（数据责任部门 data owner）",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": snapshot.created_at,
        "package_count": len(owned),
    }
    if datasets:
        org["packages"] = [_package(d, snapshot, "") for d in owned]
    return org


def _package(entry: dict[str, Any], snapshot: Snapshot, base: str) -> dict[str, Any]:
    open_ = entry["open_level"] == OPEN
    resource = {
        "id": entry["id"],
        "package_id": entry["id"],
        "name": f"{entry['title']}（CSV）",
        "description": entry["description"],
        "format": "CSV",
        "mimetype": "text/csv",
        "url": f"{base}/v1/datasets/{entry['id']}/export.csv" if open_ else f"{base}/v1/datasets/{entry['id']}",
        "datastore_active": open_,
        "state": "active",
        "position": 0,
        "created": snapshot.created_at,
        "last_modified": snapshot.created_at,
    }
    fields = "、".join(f["title"] for f in entry["fields"])
    return {
        "id": entry["id"],
        "name": entry["id"],
        "title": entry["title"],
        "notes": entry["description"],
        "type": "dataset",
        "state": "active",
        "private": False,
        "version": snapshot.version,
        "license_id": "zhongtai-open" if open_ else "zhongtai-conditional",
        "license_title": entry["license"],
        "owner_org": org_name(entry["owner_department"]),
        "organization": _org(entry["owner_department"], snapshot),
        "metadata_created": snapshot.created_at,
        "metadata_modified": snapshot.created_at,
        "url": f"{base}/v1/datasets/{entry['id']}",
        "num_resources": 1,
        "resources": [resource],
        "num_tags": 1,
        "tags": [{"name": entry["open_level"], "display_name": entry["open_level"], "state": "active"}],
        "extras": [
            {"key": "open_level", "value": entry["open_level"]},
            {"key": "security_grade", "value": entry["security_grade"]},
            {"key": "primary_key", "value": ",".join(entry["primary_key"])},
            {"key": "fields", "value": fields},
            {"key": "rows", "value": str(entry["rows"])},
        ],
    }


def _entry(snapshot: Snapshot, name: Any) -> dict[str, Any]:
    if not isinstance(name, str) or name not in snapshot.datasets:
        raise CkanFailure(404, "Not Found Error", f"Not found: 未找到数据集 dataset {str(name)[:80]!r} not found")
    return snapshot.datasets[name]


def _int(data: dict[str, Any], key: str, default: int, top: int) -> int:
    raw = data.get(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CkanFailure(
            409, "Validation Error", f"{key}: 须为整数 must be an integer", **{key: ["Invalid integer"]}
        ) from None
    if not 0 <= value <= top:
        raise CkanFailure(409, "Validation Error", f"{key}: 须在 0–{top} must be 0–{top}", **{key: ["Out of range"]})
    return value


def package_search(snapshot: Snapshot, data: dict[str, Any], base: str) -> dict[str, Any]:
    q = str(data.get("q") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    fq = str(data.get("fq") or "")
    found, _ = search.search(str(snapshot.path), list(snapshot.datasets.values()), q, {})
    for term in fq.split():
        key, _, value = term.partition(":")
        value = value.strip('"')
        if key in ("organization", "owner_org"):
            found = [d for d in found if org_name(d["owner_department"]) == value]
        elif key in ("name", "id"):
            found = [d for d in found if d["id"] == value]
    start, rows = _int(data, "start", 0, 100_000), _int(data, "rows", 10, 1000)
    return {
        "count": len(found),
        "sort": "name asc",
        "results": [_package(d, snapshot, base) for d in found[start : start + rows]],
        "facets": {},
        "search_facets": {},
    }


def _ckan_type(data_type: str) -> str:
    t = data_type.lower()
    for name, prefixes in _CKAN_TYPES:
        if t.startswith(prefixes):
            return name
    return {"date": "date", "boolean": "bool"}.get(t, "timestamp" if t.startswith("timestamp") else "text")


def datastore_search(snapshot: Snapshot, data: dict[str, Any]) -> dict[str, Any]:
    entry = _entry(snapshot, data.get("resource_id") or data.get("id"))
    if entry["open_level"] != OPEN:
        raise CkanFailure(403, "Authorization Error", f"{entry['id']} 为{entry['open_level']}数据，需申请审批")
    limit, offset = _int(data, "limit", 100, 32000), _int(data, "offset", 0, 10_000_000)
    fields = data.get("fields")
    if isinstance(fields, list):
        fields = ",".join(map(str, fields))
    sort = data.get("sort")
    if sort is not None:
        parts = [p.split() for p in str(sort).split(",") if p.strip()]
        sort = ",".join(("-" if len(p) > 1 and p[1].lower() == "desc" else "") + p[0].strip('"') for p in parts)
    filters = data.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            filters = None
    if not isinstance(filters, dict):
        raise CkanFailure(409, "Validation Error", "filters: 须为对象 must be a JSON object", filters=["Not a dict"])
    if data.get("q"):
        raise CkanFailure(409, "Validation Error", "q: 不支持全文检索 full-text q is not supported", q=["Unsupported"])
    try:
        query = records.parse_query(entry, snapshot.version, sort=sort, fields=fields or None)
        types = query.types
        extra = [records.equals_filter(k, v if isinstance(v, list) else [v], types) for k, v in filters.items()]
        query = dataclasses.replace(query, filters=extra)
    except ApiError as exc:
        raise CkanFailure(
            409, "Validation Error", exc.body.detail, **{exc.body.param or "query": [exc.body.detail]}
        ) from None
    sql, params, names = records.select_sql(query, None, limit, offset)
    count_sql, count_params = records.count_sql(query)
    con = open_serving(snapshot)
    try:
        rows = con.execute(sql, params).fetchall()
        total = con.execute(count_sql, count_params).fetchone()[0]  # type: ignore[index]
    except records.VALUE_ERRORS as exc:
        raise CkanFailure(409, "Validation Error", f"filters: {exc}", filters=["Value out of range"]) from None
    finally:
        con.close()
    keep = [names.index(f) for f in query.fields]
    return {
        "resource_id": entry["id"],
        "fields": [{"id": f, "type": _ckan_type(types[f])} for f in query.fields],
        "records": jsonable_encoder([{f: row[i] for f, i in zip(query.fields, keep, strict=True)} for row in rows]),
        "total": total,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={entry['id']}",
            "next": f"/api/3/action/datastore_search?resource_id={entry['id']}&offset={offset + limit}",
        },
    }


def run_action(action: str, snapshot: Snapshot, data: dict[str, Any], base: str) -> Any:
    if action == "package_list":
        return sorted(snapshot.datasets)
    if action == "package_show":
        return _package(_entry(snapshot, data.get("id") or data.get("name_or_id")), snapshot, base)
    if action == "package_search":
        return package_search(snapshot, data, base)
    departments = sorted({d["owner_department"] for d in snapshot.datasets.values()})
    if action == "organization_list":
        if str(data.get("all_fields", "")).lower() in ("true", "1"):
            return [_org(d, snapshot) for d in departments]
        return [org_name(d) for d in departments]
    if action == "organization_show":
        wanted = data.get("id")
        for department in departments:
            if wanted in (org_name(department), department):
                include = str(data.get("include_datasets", "false")).lower() in ("true", "1")
                return _org(department, snapshot, datasets=include)
        raise CkanFailure(404, "Not Found Error", f"Not found: 未找到组织 organization {str(wanted)[:80]!r} not found")
    return datastore_search(snapshot, data)


def answer(request: Request, action: str, data: dict[str, Any]) -> JSONResponse:
    help_url = f"{str(request.base_url).rstrip('/')}/api/3/action/help_show?name={action}"
    base = str(request.base_url).rstrip("/")
    try:
        if action not in ACTIONS:
            raise CkanFailure(400, "Bad Request", f"Bad request - Action name not known: {action[:80]}")
        snapshot = get_snapshot(get_settings(request))
        result = run_action(action, snapshot, data, base)
    except CkanFailure as exc:
        error = {"__type": exc.kind, "message": exc.message, **exc.extra}
        body = CkanAnswer(help=help_url, success=False, error=error)
        return JSONResponse(body.model_dump(exclude_none=True), status_code=exc.status)
    return JSONResponse(CkanAnswer(help=help_url, success=True, result=result).model_dump(exclude_none=True))


class CkanError(BaseModel):
    """CKAN's error envelope: `success` false and `error.__type` (Not Found Error, Validation Error, …)."""

    help: str
    success: bool = Field(description="false")
    error: dict[str, Any]


DESCRIPTION = (
    "CKAN Action API 的子集，供 CKAN 生态（采集器、ckanapi）直接使用："
    "`package_list`、`package_show`（`id`）、"
    "`package_search`（`q`、`fq=organization:<name>`、`rows`、`start`）、`organization_list`（`all_fields`）、"
    "`organization_show`（`id`、`include_datasets`）、`datastore_search`（`resource_id` = 数据集标识、`filters` JSON、"
    "`fields`、`sort`、`limit`、`offset`）。应答为 CKAN 信封 `{help, success, result}`；出错时 `success` 为 false，"
    "`error.__type` 说明类型。POST JSON 亦可，`/api/action/` 同义。A subset of CKAN's Action API in CKAN's envelope; "
    "POST with a JSON body works too, and `/api/action/` is the same."
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"model": CkanError, "description": "有条件开放数据需申请 Conditional dataset (Authorization Error)"},
    404: {"model": CkanError, "description": "未找到 Not Found Error"},
    409: {"model": CkanError, "description": "参数错误 Validation Error"},
    503: {"model": ErrorBody, "description": "尚未发布数据快照 No published snapshot yet"},
}


def ckan_get(
    request: Request,
    id: Annotated[str | None, Query(description="数据集或组织 dataset or organization")] = None,
    q: Annotated[str | None, Query(description="检索词 search words")] = None,
    fq: Annotated[str | None, Query(description="organization:<name>")] = None,
    rows: Annotated[str | None, Query()] = None,
    start: Annotated[str | None, Query()] = None,
    resource_id: Annotated[str | None, Query()] = None,
    filters: Annotated[str | None, Query(description='JSON, e.g. {"status": "存续"}')] = None,
    fields: Annotated[str | None, Query()] = None,
    sort: Annotated[str | None, Query(description="e.g. `established_date desc`")] = None,
    limit: Annotated[str | None, Query()] = None,
    offset: Annotated[str | None, Query()] = None,
    all_fields: Annotated[str | None, Query()] = None,
    include_datasets: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    """Public (datastore_search serves open datasets only)."""
    data = {k: v for k, v in request.query_params.items() if v != ""}
    return answer(request, _action(request), data)


async def ckan_post(request: Request) -> JSONResponse:
    """Public: the same actions with a JSON body, as ckanapi sends them."""
    try:
        data = await request.json() if await request.body() else {}
    except ValueError:
        data = None
    action = _action(request)
    if not isinstance(data, dict):
        data, action = {}, "(the body is not a JSON object)"
    return await run_in_threadpool(answer, request, action, data)


def _action(request: Request) -> str:
    return str(request.scope["path"]).rsplit("/", 1)[-1]


# One route per action (not a `{action}` parameter), so the OpenAPI description lists each; CKAN's unversioned
# `/api/action/` and POST with a JSON body (what ckanapi sends) answer the same.
for _name in ACTIONS:
    router.add_api_route(
        f"/api/3/action/{_name}",
        ckan_get,
        methods=["GET"],
        name=f"ckan_{_name}",
        operation_id=f"ckan_{_name}",
        summary=f"CKAN {_name}",
        description=DESCRIPTION,
        response_model=CkanAnswer,
        responses=RESPONSES,
    )
    router.add_api_route(f"/api/action/{_name}", ckan_get, methods=["GET"], include_in_schema=False)
    for _prefix in ("/api/3/action/", "/api/action/"):
        router.add_api_route(f"{_prefix}{_name}", ckan_post, methods=["POST"], include_in_schema=False)

"""Conditional (有条件开放) datasets, read with an API key of an enterprise whose application was approved: only the
approved fields, only until the approval's expiry; every read and every refusal goes into the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from apis import records
from apis.auth import ApiKey, KeyHolder, session_secret
from apis.deps import OperationalDb, SettingsDep, key_ordered, open_serving
from apis.errors import ApiError, responses
from apis.operational import applications
from apis.operational.models import DataApplication
from apis.quota import rows_served
from zhongtai import audit
from zhongtai.settings import Settings

router = APIRouter(prefix="/v1/conditional", tags=["datasets"])

REFUSALS = {
    "no_application": (
        "this enterprise has no application for {d}: apply on /enterprise/",
        "本企业未申请数据集 {d}，请在企业页面申请",
    ),
    "application_pending": (
        "the application for {d} awaits the department's decision",
        "数据集 {d} 的申请尚待部门审核",
    ),
    "application_rejected": ("the application for {d} was rejected: {r}", "数据集 {d} 的申请已被驳回：{r}"),
    "application_expired": ("the approval for {d} has expired: apply again", "数据集 {d} 的批准已过期，请重新申请"),
}


class ConditionalPage(BaseModel):
    dataset: str
    version: str
    application_id: int
    expires_at: str
    fields: list[str]
    limit: int
    total: int | None = None
    records: list[dict[str, Any]]
    next_cursor: str | None


def _audit(settings: Settings, key: KeyHolder, action: str, what: dict[str, Any], purpose: str = "access") -> None:
    who = f"{key.uscc}/{key.key_prefix}"
    audit.append(audit.log_path(settings.root), who=who, role="api_key", purpose=purpose, action=action, what=what)


def _grant(db: OperationalDb, settings: Settings, key: KeyHolder, dataset_id: str) -> DataApplication:
    held = applications.standing(db, key.enterprise_id, dataset_id)
    if held.grant is not None:
        return held.grant
    reason = held.latest.reason if held.latest is not None else ""
    en, zh = REFUSALS[held.refusal]
    what = {"dataset": dataset_id, "refusal": held.refusal}
    _audit(settings, key, "conditional_read_refused", what | ({"application": held.latest.id} if held.latest else {}))
    raise ApiError(403, held.refusal, en.format(d=dataset_id, r=reason), zh.format(d=dataset_id, r=reason))


def _names_asked(filters: list[str], sort: str | None, fields: str | None) -> list[tuple[str, str]]:
    asked = [(f.split(":", 1)[0].strip(), "filter") for f in filters]
    asked += [(s.strip().lstrip("-+"), "sort") for s in (sort or "").split(",") if s.strip()]
    asked += [(f.strip(), "fields") for f in (fields or "").split(",") if f.strip()]
    return asked


@router.get(
    "/{dataset_id}/records",
    summary="有条件开放数据的记录 Records of a conditional dataset",
    description="""\
有条件开放数据集的记录，仅限申请获批的企业、获批的字段与有效期。过滤、排序、字段选择与游标同
`/v1/datasets/{dataset_id}/records`（JSON）。Records of a conditional (有条件开放) dataset for an enterprise whose
application was approved: only the approved fields, only until the approval expires. `filter`, `sort`, `fields`,
`total`, `limit` and `cursor` work as on `/v1/datasets/{dataset_id}/records` (JSON only).

- 401：没有密钥或密钥无效 no valid key; 404：未知数据集，或不是有条件开放数据 unknown or not a conditional dataset.
- 403 `no_application`、`application_pending`、`application_rejected`（附理由 with the reason）、`application_expired`；
  `field_not_granted`：请求了未获批的字段 a field outside the approval.
- 每次读取与拒绝都记入审计日志 every read and refusal is audited.""",
    response_model=ConditionalPage,
    responses=responses(400, 403, 404, 410, 503),
)
def conditional_records(
    dataset_id: Annotated[str, Path(description="有条件开放数据集 conditional dataset id", examples=["credit_record"])],
    request: Request,
    key: ApiKey,
    db: OperationalDb,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 rows per page")] = 100,
    cursor: Annotated[str | None, Query(description="上一页的 next_cursor / the previous page's next_cursor")] = None,
    filter: Annotated[list[str] | None, Query(description="<field>:<op>:<value>")] = None,
    sort: Annotated[str | None, Query(description="逗号分隔，`-` 降序 comma-separated, `-` descending")] = None,
    fields: Annotated[str | None, Query(description="逗号分隔的字段 comma-separated fields")] = None,
    total: Annotated[bool, Query(description="返回总数 include the matching count")] = False,
) -> Any:
    """API key, with an approved application of the key's enterprise for this dataset."""
    secret = session_secret(settings)
    snapshot, payload = records.snapshot_for(settings, secret, cursor)
    entry = snapshot.datasets.get(dataset_id)
    if entry is None or entry["open_level"] != applications.CONDITIONAL:
        raise ApiError(
            404,
            "not_conditional",
            f"no conditional dataset {dataset_id[:80]!r}: open ones are read at /v1/datasets/{{id}}/records",
            "未找到该有条件开放数据集；无条件开放数据集请从 /v1/datasets/{id}/records 读取",
            param="dataset_id",
        )
    grant = _grant(db, settings, key, dataset_id)
    granted = set(grant.field_list)
    published = {f["name"] for f in entry["fields"]}
    for name, param in _names_asked(filter or [], sort, fields):
        if name in published and name not in granted:
            what = {"dataset": dataset_id, "application": grant.id, "refusal": "field_not_granted", "field": name}
            _audit(settings, key, "conditional_read_refused", what)
            raise ApiError(
                403,
                "field_not_granted",
                f"field {name!r} is not among the approved fields of application {grant.id}",
                f"字段 {name} 不在第 {grant.id} 号申请获批的字段之内",
                param=param,
            )
    allowed = {**entry, "fields": [f for f in entry["fields"] if f["name"] in granted]}
    ordered = dataset_id in key_ordered(snapshot)
    query = records.parse_query(
        allowed, snapshot.version, filters=filter or (), sort=sort, fields=fields, stored_in_key_order=ordered
    )
    keys = records.cursor_keys(payload, query) if payload is not None else None
    con = open_serving(snapshot)
    try:
        with records.value_errors():
            count = records.count(con, query) if total else None
        found = records.read_page(con, query, keys, limit, secret)
    finally:
        con.close()
    rows = found.rows
    rows_served(request, len(rows))
    what = {
        "dataset": dataset_id,
        "application": grant.id,
        "version": snapshot.version,
        "fields": query.fields,
        "rows": len(rows),
    }
    _audit(settings, key, "conditional_read", what, purpose=grant.purpose[:200])
    body = {
        "dataset": dataset_id,
        "version": snapshot.version,
        "application_id": grant.id,
        "expires_at": grant.expires_at.isoformat(),
        "fields": query.fields,
        "limit": limit,
        "total": count,
        "records": found.records(query.fields),
        "next_cursor": found.next_cursor,
    }
    return records.json_response(body)

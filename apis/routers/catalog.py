"""The catalogue in DCAT-AP 3.0 JSON-LD, as published with the snapshot being served."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from apis.deps import SnapshotDep
from apis.errors import ApiError, responses

router = APIRouter(prefix="/v1", tags=["datasets"])

JSONLD = "application/ld+json"


@router.get(
    "/catalog.jsonld",
    summary="DCAT-AP 数据目录 DCAT-AP catalogue (JSON-LD)",
    description="当前发布版本的数据集目录，DCAT-AP 3.0 JSON-LD（dcat:Catalog / dcat:Dataset / dcat:Distribution），"
    "供政府数据门户与 CKAN 等采集。The catalogue of the published version as DCAT-AP 3.0 JSON-LD, for harvesting "
    "by data portals; it conforms to the DCAT-AP 3.0.0 SHACL shapes.",
    response_class=FileResponse,
    responses={200: {"content": {JSONLD: {}}}, **responses(404)},
)
def catalog_jsonld(snapshot: SnapshotDep) -> FileResponse:
    """Public."""
    path = snapshot.path / "catalog.jsonld"
    if not path.is_file():
        raise ApiError(
            404,
            "no_catalogue",
            f"version {snapshot.version} was published without catalog.jsonld",
            f"版本 {snapshot.version} 发布时未包含 catalog.jsonld",
        )
    return FileResponse(path, media_type=JSONLD)

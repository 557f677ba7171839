"""The open-data API: a thin `create_app()` that wires settings and routers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from apis.routers import catalog, datasets, health
from zhongtai.notice import read_notice
from zhongtai.settings import Settings, get_settings

DESCRIPTION = """\
禅城区公共数据中台开放数据接口：查找数据集、按主键稳定分页读取记录。数据来自最新发布的只读快照。

The open-data API of the district's data middle office: find datasets and read their records with
stable keyset paging. Everything is served from the latest published read-only snapshot; the
warehouse is never opened by the API.

Every response carries `X-Zhongtai-Stale: true|false`: true when the latest publish was refused (a blocking
quality check failed, or the catalog or the personal-data scan refused it) and the previous snapshot is
still being served; `/health` says why and since when.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="中台开放数据接口 zhongtai open-data API",
        description=DESCRIPTION,
        version="1",
        openapi_tags=[
            {"name": "datasets", "description": "开放数据集及其记录 Open datasets and their records"},
            {"name": "health", "description": "服务状态 Service status"},
        ],
    )
    app.state.settings = settings or get_settings()

    @app.middleware("http")
    async def stale_header(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        notice = read_notice(app.state.settings.published_dir)
        response.headers["X-Zhongtai-Stale"] = "true" if notice.get("stale") else "false"
        if notice.get("stale") and notice.get("since"):
            response.headers["X-Zhongtai-Stale-Since"] = str(notice["since"])
        return response

    app.include_router(health.router)
    app.include_router(datasets.router)
    app.include_router(catalog.router)
    return app

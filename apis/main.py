"""The open-data API: a thin `create_app()` that wires settings and routers."""

from __future__ import annotations

from fastapi import FastAPI

from apis.routers import datasets, health
from zhongtai.settings import Settings, get_settings

DESCRIPTION = """\
禅城区公共数据中台开放数据接口：查找数据集、按主键稳定分页读取记录。数据来自最新发布的只读快照。

The open-data API of the district's data middle office: find datasets and read their records with
stable keyset paging. Everything is served from the latest published read-only snapshot; the
warehouse is never opened by the API.
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
    app.include_router(health.router)
    app.include_router(datasets.router)
    return app

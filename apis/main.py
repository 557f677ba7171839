"""The API and the pages: a thin `create_app()` that wires settings, routers, pages, sign-in and offline docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from apis import docs, quota
from apis.auth import LANDING, NotYourRole, SignInRequired, api_key, principal_of, sign_in_url
from apis.deps import get_snapshot
from apis.errors import ApiError, api_error_handler, document
from apis.operational.db import upgrade
from apis.pages import (
    analyst,
    auth,
    cadre,
    cadre_forms,
    department,
    department_applications,
    department_challenge,
    department_corrections,
    department_forms,
    enterprise,
    enterprise_challenge,
    portal,
    register,
    steward,
    steward_forms,
    steward_quality,
    steward_review,
)
from apis.response_headers import ResponseHeaders
from apis.routers import access, catalog, challenge, changes, ckan, conditional, credit, datasets, health
from apis.routers import forms as form_registry
from apis.templating import STATIC_DIR, render
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


API_PREFIXES = ("/v1/", "/api/", "/health", "/openapi.json", "/static/")


def is_page(request: Request) -> bool:
    """A request for a person's page rather than for the API (whose errors stay JSON)."""
    path = request.url.path
    return not path.startswith(API_PREFIXES) and "application/json" not in request.headers.get("accept", "")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        upgrade(settings)  # the operational database is at head before the first request
        yield

    app = FastAPI(
        title="中台开放数据接口 zhongtai open-data API",
        description=DESCRIPTION,
        version="1",
        docs_url=None,  # apis.docs serves them without a CDN
        redoc_url=None,
        openapi_tags=[
            {"name": "datasets", "description": "开放数据集及其记录 Open datasets and their records"},
            {"name": "access", "description": "接口密钥 API keys"},
            {"name": "health", "description": "服务状态 Service status"},
            {"name": "ckan", "description": "CKAN 兼容接口 CKAN-compatible Action API"},
            {"name": "challenge", "description": "揭榜挂帅：部门数据需求 The challenge: departments' data needs"},
            {"name": "forms", "description": "报表登记（填表报数）Report-form registry, for department clerks"},
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(quota.QuotaHeaders)  # RateLimit-* headers and usage counts of the API routes
    app.add_middleware(ResponseHeaders)  # X-Zhongtai-Stale on every answer, the CSRF cookie a page minted

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        if not is_page(request):  # a program calling a signed-in JSON route gets the error shape, not a page
            return await api_error_handler(
                request, ApiError(401, "sign_in_required", "sign in first", "请先登录", headers=None)
            )
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    @app.exception_handler(NotYourRole)
    async def not_your_role(request: Request, exc: NotYourRole) -> Response:
        if not is_page(request):
            return await api_error_handler(
                request, ApiError(403, "not_your_role", "this route serves another role", "此接口不对您的账号角色开放")
            )
        return render(
            request,
            "error.html",
            principal=exc.principal,
            status_code=403,
            title="无权访问",
            message="此页面不对您的账号角色开放。",
            home=LANDING[exc.principal.role],
        )

    app.add_exception_handler(ApiError, api_error_handler)  # before page_errors: an ApiError stays JSON
    docs.mount(app)  # before /static, which would otherwise take /static/docs

    @app.exception_handler(StarletteHTTPException)
    async def page_errors(request: Request, exc: StarletteHTTPException) -> Response:
        # A person gets a page they can read; a program (JSON routes, or asking for JSON) gets the JSON answer.
        if not is_page(request):
            return await http_exception_handler(request, exc)
        principal = principal_of(request, app.state.settings)
        title = {403: "无法提交", 404: "未找到"}.get(exc.status_code, "出错了")
        return render(
            request,
            "error.html",
            principal=principal,
            status_code=exc.status_code,
            title=title,
            message=str(exc.detail),
            home=LANDING[principal.role] if principal else "/",
        )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    api_routers = [
        health.router,
        datasets.router,
        changes.router,
        credit.router,
        catalog.router,
        access.router,
        ckan.router,
        conditional.router,
        challenge.router,
        form_registry.router,
    ]
    document(api_routers, snapshot=get_snapshot, key=api_key, everywhere=[429])
    for router in api_routers:
        app.include_router(router, dependencies=[Depends(quota.enforce_quota)])  # every API route counts
    for pages in (
        auth,
        cadre,
        department,
        department_applications,
        department_challenge,
        department_corrections,
        steward,
        steward_quality,
        steward_review,
        analyst,
        enterprise,
        enterprise_challenge,
        register,
        portal,
    ):
        app.include_router(pages.router)
    for pages in (cadre_forms, department_forms, steward_forms):
        app.include_router(pages.router)
    return app

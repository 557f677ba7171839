"""Every JSON route's OpenAPI entry documents each status its code and dependencies can answer, with the error shape."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from apis.auth import api_key
from apis.deps import get_snapshot
from apis.errors import _calls
from apis.main import create_app
from apis.quota import enforce_quota
from zhongtai.settings import Settings

# Helpers a route calls, and the status each can raise.
RAISED_BY_HELPER = {
    "_dataset(": 404,
    "_open_only(": 403,
    "records.parse_query(": 400,
    "records.cursor_version(": 400,
    "_snapshot(": 503,
    "_grant(": 403,
}


@pytest.fixture(scope="module")
def app_and_schema(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("openapi"))))
    return app, app.openapi()


def json_routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    """Each JSON route as the app serves it: with the dependencies its router was included with (the quota)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            found.append(context)
    return found


def statuses_a_route_can_answer(route: APIRoute) -> set[int]:
    source = inspect.getsource(route.endpoint)
    found = {int(s) for s in re.findall(r"ApiError\(\s*(\d{3})", source)}
    found |= {status for call, status in RAISED_BY_HELPER.items() if call in source}
    calls = set(_calls(route.dependant))
    if get_snapshot in calls or "get_snapshot(" in source:
        found.add(503)
    if api_key in calls:
        found.add(401)
    if any(getattr(call, "role", None) is not None for call in calls):  # no session (401) or another role (403)
        found |= {401, 403}
    if enforce_quota in calls:
        found.add(429)
    if "status_code=304" in source:
        found.add(304)
    return found


def test_every_route_documents_every_status_it_can_answer(app_and_schema: tuple) -> None:
    app, schema = app_and_schema
    routes = json_routes(app)
    assert len(routes) >= 8
    assert all(enforce_quota in set(_calls(route.dependant)) for route in routes), "a JSON route without the quota"
    for route in routes:
        method = sorted(route.methods - {"HEAD"})[0].lower()
        documented = {int(s) for s in schema["paths"][route.path][method]["responses"]}
        missing = statuses_a_route_can_answer(route) - documented
        assert not missing, f"{route.path} can answer {sorted(missing)} but its OpenAPI entry does not say so"


def test_error_answers_use_the_error_shape(app_and_schema: tuple) -> None:
    _app, schema = app_and_schema
    assert set(schema["components"]["schemas"]["ErrorBody"]["required"]) == {"detail"}
    for path, ops in schema["paths"].items():
        answers = {s: a for op in ops.values() for s, a in op["responses"].items()}
        for status, answer in answers.items():
            if int(status) < 400 or status == "422":
                continue
            ref = answer["content"]["application/json"]["schema"]["$ref"]
            # CKAN's routes answer in CKAN's own error envelope, which its clients parse; the snapshot (503) and the
            # quota (429) come before them.
            shape = "/CkanError" if path.startswith("/api/3/action/") and status not in ("503", "429") else "/ErrorBody"
            assert ref.endswith(shape), (path, status)
            if status == "429":
                assert {"Retry-After", "RateLimit-Reset"} <= set(answer["headers"]), path


def test_records_documents_its_bad_inputs(app_and_schema: tuple) -> None:
    _app, schema = app_and_schema
    records = schema["paths"]["/v1/datasets/{dataset_id}/records"]["get"]
    assert {"304", "400", "403", "404", "410", "503"} <= set(records["responses"])
    assert {p["name"] for p in records["parameters"]} >= {"filter", "sort", "fields", "total", "cursor", "format"}

"""Datasette loads this file from `--plugins-dir` (see `apis.datasette`): sign-in and query audit, wired as hooks."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from apis.datasette_audit import auditor, watch
from apis.datasette_sign_in import SIGN_IN, SIGN_OUT, gate, sign_in_page, sign_out_page
from apis.operational.db import upgrade
from zhongtai.settings import Settings

PLUGIN = "zhongtai"


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    settings = Settings()
    upgrade(settings)  # the accounts live there; safe at every start
    datasette._zhongtai_settings = settings
    for database in datasette.databases.values():
        if database.name != "_internal":
            watch(database)
    person_table = (datasette.plugin_config(PLUGIN) or {}).get("person_keys", {})

    def wrap(app: Any) -> Any:
        return gate(settings, app, auditor(datasette, settings, person_table))

    return wrap


@hookimpl
def actor_from_request(datasette: Any, request: Any) -> Any:
    return request.scope.get("zhongtai_actor")


@hookimpl
def register_routes() -> Any:
    return [(rf"^{SIGN_IN}$", sign_in_page), (rf"^{SIGN_OUT}$", sign_out_page)]


@hookimpl
def menu_links(datasette: Any, actor: Any) -> Any:
    if actor:
        return [{"href": datasette.urls.path(SIGN_OUT), "label": "退出登录"}]
    return None

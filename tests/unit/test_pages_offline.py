"""Pages work on an intranet with no internet: no template, stylesheet or docs page points at another host."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from apis.docs import ASSETS
from apis.main import create_app
from apis.templating import STATIC_DIR, TEMPLATES_DIR
from zhongtai.settings import Settings

# A URL with a host: scheme-qualified or protocol-relative, in an attribute, a CSS url() or an @import.
EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["'](?:[a-z]+:)?//|url\(\s*["']?(?:[a-z]+:)?//|@import\s+["']?(?:https?:)?//"""
)


def test_templates_and_stylesheets_reference_no_other_host() -> None:
    files = [*TEMPLATES_DIR.rglob("*.html"), *STATIC_DIR.rglob("*.css")]
    assert len(files) >= 5
    offending = [str(f) for f in files if EXTERNAL.search(f.read_text(encoding="utf-8"))]
    assert not offending


def test_the_docs_page_loads_its_scripts_and_styles_from_the_app(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(data_dir=tmp_path)))  # no lifespan: /docs needs no database
    html = client.get("/docs").text
    assert not EXTERNAL.search(html), html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert {"/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css"} <= set(assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 1000, asset
    assert (ASSETS / "swagger-ui-bundle.js").is_file()
    # The bundle speaks OpenAPI 3.1, which FastAPI writes (Swagger UI 4 cannot render it).
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert "isOAS31" in (ASSETS / "swagger-ui-bundle.js").read_text(encoding="utf-8")

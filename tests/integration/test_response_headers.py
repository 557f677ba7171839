"""The app's own ASGI middleware on the real app: every answer says whether the served snapshot is stale (read again
only when status.json changes), a page that rendered a form hands its CSRF nonce over as a cookie, and API answers
carry the caller's RateLimit-* headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from apis.auth import CSRF_COOKIE
from apis.main import create_app
from zhongtai.notice import clear_stale, mark_stale
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def test_stale_header_csrf_cookie_and_quota_headers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        fresh = client.get("/health")
        assert fresh.headers["X-Zhongtai-Stale"] == "false" and "X-Zhongtai-Stale-Since" not in fresh.headers

        notice = mark_stale(settings.published_dir, "a blocking check failed")
        stale = client.get("/health")
        assert stale.headers["X-Zhongtai-Stale"] == "true"
        assert stale.headers["X-Zhongtai-Stale-Since"] == notice["since"]
        clear_stale(settings.published_dir, "v2")
        assert client.get("/health").headers["X-Zhongtai-Stale"] == "false"

        page = client.get("/register")
        assert page.status_code == 200
        cookie = page.headers["set-cookie"]
        assert cookie.startswith(f"{CSRF_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert page.headers["X-Zhongtai-Stale"] == "false"
        again = client.get("/register")  # the browser holds the nonce now: no new cookie
        assert "set-cookie" not in again.headers

        api = client.get("/v1/datasets")  # nothing published: 503, still counted against the quota
        assert api.status_code == 503 and api.json()["code"] == "no_snapshot"
        assert int(api.headers["RateLimit-Remaining"]) < int(api.headers["RateLimit-Limit"])
        assert api.headers["X-Zhongtai-Stale"] == "false"

"""Quotas through the real app under `uvicorn --workers 2`: both workers count against one number kept in the
operational database, so exactly the quota passes however the requests are spread; RateLimit-* headers on every
answer; 429 with Retry-After and the error shape past it."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import QuotaWindow
from apis.quota import _limit, hit
from tests.support.operational import served_api
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

ANONYMOUS_QUOTA, KEYED_QUOTA = 12, 30


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def uvicorn_workers(port: int) -> list[int]:
    """The worker processes of the uvicorn master listening on `port`: its children started by multiprocessing."""
    argvs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argvs[int(entry.name)] = b" ".join((entry / "cmdline").read_bytes().split(b"\0"))
            except OSError:
                continue
    master = next(pid for pid, argv in argvs.items() if b"uvicorn" in argv and b"--port " + str(port).encode() in argv)
    return [pid for pid, argv in argvs.items() if b"spawn_main" in argv and int(_stat(pid)[1]) == master]


def cpu_ticks(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_two_workers_share_one_quota(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    upgrade(settings)
    with session_scope(settings) as db:
        enterprise = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51QQQQ"), name="配额公司")
        key = accounts.issue_key(db, enterprise).secret
    env = {
        **os.environ,
        "ZHONGTAI_DATA_DIR": str(data),
        "ZHONGTAI_QUOTA_ANONYMOUS": f"{ANONYMOUS_QUOTA}/minute",
        "ZHONGTAI_QUOTA_KEYED": f"{KEYED_QUOTA}/minute",
    }
    with served_api(env, workers=2) as base:
        workers = uvicorn_workers(urlsplit(base).port or 0)
        assert len(workers) == 2, workers
        time.sleep(2)  # both workers have started their apps
        before = {pid: cpu_ticks(pid) for pid in workers}

        def call(headers: dict[str, str]) -> httpx.Response:
            # One connection per request, so the kernel hands requests to either worker.
            with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
                return client.get("/v1/whoami")

        with ThreadPoolExecutor(8) as pool:
            keyed = list(pool.map(call, [{"X-API-Key": key}] * (KEYED_QUOTA + 20)))
            anonymous = list(pool.map(call, [{}] * (ANONYMOUS_QUOTA + 20)))
        spent = {pid: cpu_ticks(pid) - before[pid] for pid in workers}

    # Both workers answered part of the burst: with a counter per process each would let the full quota through.
    assert all(ticks > 0 for ticks in spent.values()), spent
    assert sorted(r.status_code for r in keyed) == [200] * KEYED_QUOTA + [429] * 20
    assert sorted(r.status_code for r in anonymous) == [401] * ANONYMOUS_QUOTA + [429] * 20

    for answers, quota in ((keyed, KEYED_QUOTA), (anonymous, ANONYMOUS_QUOTA)):
        passed = [r for r in answers if r.status_code != 429]
        assert sorted(int(r.headers["RateLimit-Remaining"]) for r in passed) == list(range(quota))
        for r in answers:
            assert r.headers["RateLimit-Limit"] == str(quota)
            assert 0 < int(r.headers["RateLimit-Reset"]) <= 60
        for r in (r for r in answers if r.status_code == 429):
            assert 0 < int(r.headers["Retry-After"]) <= 60 and r.headers["RateLimit-Remaining"] == "0"
            body = r.json()
            assert body["code"] == "over_quota" and "请求过于频繁" in body["message_zh"]
            assert "quota" in body["message_en"]
    # Without a key the refusal says a key gives more.
    assert "API key" in next(r for r in anonymous if r.status_code == 429).json()["message_en"]


def test_a_window_starts_again_once_it_has_ended(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    upgrade(settings)
    item = _limit("3/minute")
    with session_scope(settings) as db:
        counts = [hit(db, "addr:test", item, 1000.0 + i).hits for i in range(5)]
        assert counts == [1, 2, 3, 4, 5]
        after = hit(db, "addr:test", item, 1060.0)  # the window opened at 1000 ends at 1060
        assert (after.hits, after.resets_at, after.remaining) == (1, 1120.0, 2)
        assert hit(db, "addr:other", item, 1061.0).hits == 1  # callers do not share windows
        assert db.get(QuotaWindow, "addr:test").hits == 1  # type: ignore[union-attr]

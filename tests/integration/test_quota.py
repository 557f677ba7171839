"""Quotas through the real app under `uvicorn --workers 2`: both workers count against one number kept in the
operational database, so exactly the quota passes however the requests are spread; RateLimit-* headers on every
answer; 429 with Retry-After and the error shape past it."""

from __future__ import annotations

import os
import time
from collections import Counter
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


def _server_socket(port: int, client_port: int) -> str:
    """The inode of the server's end of the connection from `client_port` to `port` on 127.0.0.1."""
    local, remote = f"0100007F:{port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    raise AssertionError(f"no server socket for the connection from port {client_port}")


def answered_by(response: httpx.Response, port: int, workers: list[int]) -> int:
    """The worker process that holds the server's end of the (still open) connection `response` came over."""
    client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    socket = f"socket:[{_server_socket(port, client_port)}]"
    holders = []
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == socket:
                    holders.append(pid)
            except OSError:  # closed while we looked
                continue
    assert len(holders) == 1, (socket, holders)
    return holders[0]


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
        port = urlsplit(base).port or 0
        workers = uvicorn_workers(port)
        assert len(workers) == 2, workers

        def call(headers: dict[str, str], path: str = "/v1/whoami") -> tuple[httpx.Response, int]:
            # One connection per request, so the kernel hands requests to either worker. The worker that answered
            # is the one holding the server's end of the connection, looked up while it is still open.
            with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
                response = client.get(path)
                return response, answered_by(response, port, workers)

        with ThreadPoolExecutor(8) as pool:
            # Both workers have started their apps: each has answered a static file, which no quota counts.
            warmed: set[int] = set()
            deadline = time.monotonic() + 120
            while warmed != set(workers):
                assert time.monotonic() < deadline, f"only {warmed} of the workers {workers} answered"
                warmed.update(by for _, by in pool.map(call, [{}] * 8, ["/static/zhongtai.css"] * 8))
            keyed, keyed_by = zip(*pool.map(call, [{"X-API-Key": key}] * (KEYED_QUOTA + 20)), strict=True)
            anonymous, anonymous_by = zip(*pool.map(call, [{}] * (ANONYMOUS_QUOTA + 20)), strict=True)

    # Both workers answered part of each burst. With a counter per process, a worker answering n of the burst's
    # quota + 20 requests would let min(n, quota) through, so more than the quota would pass in all.
    assert set(keyed_by) == set(workers), Counter(keyed_by)
    assert set(anonymous_by) == set(workers), Counter(anonymous_by)
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

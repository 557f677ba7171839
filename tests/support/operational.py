"""Shared by the operational tests: a throwaway PostgreSQL cluster, the API served by uvicorn, signing in over HTTP."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.pipeline import free_port
from zhongtai import processes

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make browser`


def postgres_bin() -> Path:
    """Debian's PostgreSQL server binaries (`make postgres` installs them); a test that needs them fails without."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server is not installed: run `make postgres`")
    return found[-1].parent


def _as_postgres(argv: list[str]) -> list[str]:
    # The server refuses to run as root; as root we hand it to Debian's `postgres` user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A new cluster on a free port in a temporary directory, stopped and removed afterwards; yields its URL."""
    pg = postgres_bin()
    # Under /tmp itself, not pytest's per-user tmp (mode 0700, which the postgres user cannot enter).
    root = Path(tempfile.mkdtemp(prefix="zhongtai-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    subprocess.run(
        _as_postgres(
            [str(pg / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F"
    subprocess.run(
        _as_postgres([str(pg / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_postgres_database(cluster_url: str) -> str:
    """An empty database in the cluster, so each test migrates up from nothing."""
    import psycopg

    name = f"t_{os.urandom(6).hex()}"
    with psycopg.connect(cluster_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as con:
        con.execute(f"create database {name}")
    return cluster_url.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def served_api(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """The real app under uvicorn (with `workers` worker processes) on a free port; yields its base URL."""
    port = free_port()
    Path(env["ZHONGTAI_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    command = [str(BIN / "uvicorn"), "apis.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
    server = processes.start(
        "api",
        command + (["--workers", str(workers)] if workers > 1 else []),
        url="",
        host="127.0.0.1",
        port=port,
        env={**env, "ZHONGTAI_API_PORT": str(port)},
        log=Path(env["ZHONGTAI_DATA_DIR"]) / "api.log",
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop([server])


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: httpx.Client, path: str = "/sign-in") -> str:
    """Open a page with a form, as a browser would: the CSRF cookie lands in the client, the token is returned."""
    page = client.get(path, follow_redirects=True)  # signed in, /sign-in leads to a page with the sign-out form
    match = CSRF_INPUT.search(page.text)
    assert match, f"no CSRF field on {path}: {page.status_code} {page.text[:200]}"
    return match.group(1)


def sign_in(base: str, username: str, password: str) -> httpx.Client:
    """A client signed in through the real form (it fails the test if sign-in does not succeed)."""
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    token = form_token(client)
    response = client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text[:300]
    return client


def png_is_blank(path: Path) -> bool:
    """True for a screenshot of one colour: its decoded scanlines hold almost no distinct byte values."""
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += raw[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat))) < 16

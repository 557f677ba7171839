"""Start and stop the long-running servers as child processes, so Ctrl-C stops all of them cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]


def wait_for_port(host: str, port: int, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with code {process.returncode} before listening on {host}:{port}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout:.0f}s")


def start(
    name: str,
    argv: Sequence[str],
    *,
    url: str,
    host: str,
    port: int,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 60.0,
) -> Server:
    """Start a server and wait until it listens. SIGINT/SIGTERM are reset to default in the child, because a
    shell that started us non-interactively may have left them ignored (DESIGN.md §9, Dagster)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        ["env", "--default-signal=INT,TERM", *argv],
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(host, port, timeout, process)
    except BaseException:
        stop([Server(name, url, process)])
        raise
    return Server(name, url, process)


def stop(servers: Sequence[Server], timeout: float = 15.0) -> None:
    for server in servers:
        if server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for server in servers:
        try:
            server.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        yield servers
    finally:
        stop(servers)


def run_supervised(argv: Sequence[str], *, env: dict[str, str] | None = None, grace: float = 15.0) -> int:
    """Run a command in its own process group and wait; on Ctrl-C or SIGTERM stop the whole group.

    Dagster's in-process executor captures interrupts and carries on to the next step, and a dbt child
    would outlive its parent holding the warehouse lock; stopping the group stops all of it. A stop
    mid-write is safe: every warehouse write is one transaction.
    """
    process = subprocess.Popen(list(argv), env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise

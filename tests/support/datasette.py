"""Datasette started for real, on a free port, over a publish of the fixture warehouse."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from apis.datasette import datasette_command
from orchestration.publish import publish
from tests.support.marts import make_warehouse
from tests.support.pipeline import free_port, wait_for_http
from zhongtai.settings import Settings


def published_fixture(data: Path, dbt_manifest: Path) -> Settings:
    """A data directory whose `current` snapshot is a publish of tests/fixtures/marts/warehouse.sql."""
    settings = Settings(data_dir=data)
    make_warehouse(settings)
    publish(settings, dbt_manifest)
    return settings


@contextmanager
def served_datasette(settings: Settings) -> Iterator[httpx.Client]:
    """A client on `apis.datasette.datasette_command` started on a free port; stopped on leaving."""
    port = free_port()
    proc = subprocess.Popen(datasette_command(settings, port=port), stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            wait_for_http(client, "/-/versions.json", proc)
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=10)

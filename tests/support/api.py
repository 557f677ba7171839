"""The open-data API as the HTTP tests use it: started with uvicorn on a data directory, read a page at a time."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx

from orchestration.publish import WRITERS, Writer, publish
from tests.support.marts import make_warehouse
from tests.support.pipeline import free_port, wait_for_http
from tests.support.shared import once
from zhongtai.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


# Tests of other features read many pages from one address: quotas out of their way (tests/integration/test_quota.py
# and test_open_data_access.py test the quotas themselves).
NO_QUOTA = {"ZHONGTAI_QUOTA_ANONYMOUS": "1000000/minute", "ZHONGTAI_QUOTA_KEYED": "1000000/minute"}


def serve(settings: Settings, env: dict[str, str] | None = None) -> Iterator[httpx.Client]:
    """uvicorn serving `settings.data_dir` on a free port, for as long as the generator is open."""
    port = free_port()
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), **NO_QUOTA, **(env or {})}
    command = [sys.executable, "-m", "uvicorn", "apis.main:create_app", "--factory", "--host", "127.0.0.1"]
    proc = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        wait_for_http(client, "/health", proc)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=30)


def warehouse_rows(settings: Settings, sql: str) -> list[tuple]:
    """What the warehouse itself answers, to compare the API's records with."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def page_all(api: httpx.Client, dataset: str, limit: int) -> list[dict]:
    """Every record of a dataset, following next_cursor page by page."""
    records, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = api.get(f"/v1/datasets/{dataset}/records", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        records += body["records"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return records
        assert len(body["records"]) == limit and pages < 10_000


def published_settings(folder: Path, manifest: Path) -> Settings:
    """A data directory under `folder` with the fixture warehouse built and published once from `manifest`."""
    return published_copy(folder / "data", manifest)


# The writers the API reads: rosters and the analyst database add nothing to an API test but minutes.
API_WRITERS = [w for w in WRITERS if w.name in {"serving", "changes", "open_extracts", "catalog"}]


def api_published_settings(folder: Path, manifest: Path) -> Settings:
    """As published_settings, with the API's writers only."""
    return published_copy(folder / "data", manifest, API_WRITERS)


# The fixture warehouse published once per test run and writer set (tests/support/shared.py: the first worker to need
# it publishes it); each module gets a copy of it (a few MB), since a publish takes 10-40 s and a dozen modules need
# one. The copy is the module's own: it may publish again, register accounts or write the audit log without another
# module seeing it. `current` is a relative link, and nothing published names its data directory, so a copied folder
# serves as the original would.
def published_copy(
    data: Path,
    manifest: Path,
    writers: list[Writer] = WRITERS,
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> Settings:
    """`data`: a copy of the fixture warehouse, changed by `prepare` if given, published with `writers`; the warehouse
    and its first publish are made once per run for each manifest, writer set and `prepare` function."""
    key = "\n".join(
        [str(manifest), *(w.name for w in writers), f"{prepare.__module__}.{prepare.__qualname__}" if prepare else ""]
    )

    def make(folder: Path) -> None:
        template = Settings(data_dir=folder / "data")
        make_warehouse(template)
        if prepare:
            with duckdb.connect(str(template.warehouse_path)) as con:
                prepare(con)
        publish(template, manifest, writers)

    template = once(f"published-{hashlib.sha256(key.encode()).hexdigest()[:16]}", make) / "data"
    shutil.copytree(template, data, symlinks=True)
    return Settings(data_dir=data)


def catalogue_texts(manifest: Path) -> dict[str, str]:
    """Each mart's title, description and field titles as one text, read from the parsed manifest: what a catalogue
    search looks in, so a test can say which datasets a word should find without trusting the search itself."""
    nodes: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    return {
        n["alias"]: "\n".join(
            [
                n["config"]["meta"]["title"],
                n["description"],
                *(c["meta"].get("title", "") for c in n["columns"].values()),
            ]
        )
        for n in nodes.values()
        if n["resource_type"] == "model" and n["schema"] == "marts" and n["config"]["materialized"] != "ephemeral"
    }

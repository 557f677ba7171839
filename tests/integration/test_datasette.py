"""Datasette started for real over the published analyst SQLite with its generated metadata."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from apis.datasette import datasette_command
from orchestration.publish import publish
from tests.support.marts import make_warehouse
from tests.support.pipeline import free_port, wait_for_http
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def test_datasette_serves_tables_with_chinese_titles(tmp_path: Path, dbt_manifest: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    make_warehouse(settings)
    publish(settings, dbt_manifest)

    port = free_port()
    proc = subprocess.Popen(datasette_command(settings, port=port), stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_for_http(client, "/-/versions.json", proc)
            rows = client.get("/analyst/credit_record.json", params={"_shape": "array", "_size": 5}).json()
            assert [r["record_no"] for r in rows] == [f"CR000000{i}" for i in range(5)]
            legal = client.get("/analyst/legal_person.json", params={"_size": 1}).json()
            assert "legal_rep_name" not in legal["columns"] and "legal_rep_person_key" in legal["columns"]
            html = client.get("/analyst/credit_record").text
            assert "信用记录" in html and "决定日期" in html
            facets = client.get("/analyst/grid_event.json").json()["facet_results"]
            assert {"village_code", "category", "status"} <= set(facets)
            query = client.get("/analyst/grid_event_by_category.json", params={"_shape": "array"}).json()
            assert sum(r["记录数"] for r in query) == 300
    finally:
        proc.terminate()
        proc.wait(timeout=10)

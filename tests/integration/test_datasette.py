"""Datasette started for real over the published analyst SQLite with its generated metadata."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from apis.datasette import datasette_command
from orchestration.publish import publish
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "marts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_datasette_serves_tables_with_chinese_titles(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute((FIXTURES / "warehouse.sql").read_text(encoding="utf-8"))
    publish(settings, FIXTURES / "manifest.json")

    port = free_port()
    proc = subprocess.Popen(datasette_command(settings, port=port), stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(200):
                try:
                    client.get("/-/versions.json")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
                    time.sleep(0.05)
            rows = client.get("/analyst/credit_record.json", params={"_shape": "array", "_size": 5}).json()
            assert [r["record_id"] for r in rows] == [f"CR000000{i}" for i in range(5)]
            legal = client.get("/analyst/legal_person.json", params={"_size": 1}).json()
            assert "legal_rep_id_number" not in legal["columns"]
            html = client.get("/analyst/credit_record").text
            assert "信用记录" in html and "决定日期" in html
            facets = client.get("/analyst/grid_event.json").json()["facet_results"]
            assert {"village_code", "category", "status"} <= set(facets)
            query = client.get("/analyst/credit_record_by_category.json", params={"_shape": "array"}).json()
            assert sum(r["记录数"] for r in query) == 2500
    finally:
        proc.terminate()
        proc.wait(timeout=10)

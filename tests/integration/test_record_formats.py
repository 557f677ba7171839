"""Parquet and XLSX downloads of records over real HTTP, read back with pyarrow and openpyxl the way a consumer's
tools and a person's Excel would, and compared with what the fixture warehouse holds."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pyarrow.parquet as pq
import pytest

from tests.support.api import api_published_settings, serve, warehouse_rows
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

RECORDS = "/v1/datasets/grid_event/records"
WANT_SQL = "select event_no, category, reported_at, days_to_close from marts.grid_event order by event_no"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return api_published_settings(tmp_path_factory.mktemp("formats"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


def test_parquet_holds_every_record_with_its_types(api: httpx.Client, settings: Settings) -> None:
    want = warehouse_rows(settings, WANT_SQL)
    with api.stream("GET", RECORDS, params={"format": "parquet"}) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"] == "application/vnd.apache.parquet"
        assert r.headers["content-disposition"].endswith('.parquet"')
        body = b"".join(r.iter_bytes())
    table = pq.read_table(io.BytesIO(body))
    names = ("event_no", "category", "reported_at", "days_to_close")
    rows = list(zip(*(table.column(c).to_pylist() for c in names), strict=True))
    assert rows == want and len(rows) == 300
    assert str(table.schema.field("reported_at").type).startswith("timestamp[us, tz=")
    assert str(table.schema.field("days_to_close").type) == "int32"


def test_parquet_pages_with_filters_and_a_cursor(api: httpx.Client, settings: Settings) -> None:
    want = [r[0] for r in warehouse_rows(settings, WANT_SQL) if r[1] == "环境卫生"]
    seen: list[str] = []
    params: dict[str, object] = {"format": "parquet", "limit": 30, "filter": "category:eq:环境卫生"}
    params["fields"] = "event_no"
    while True:
        r = api.get(RECORDS, params=params)
        assert r.status_code == 200, r.text
        table = pq.read_table(io.BytesIO(r.content))
        assert table.column_names == ["event_no"]
        seen += table.column("event_no").to_pylist()
        if "x-next-cursor" not in r.headers:
            break
        params["cursor"] = r.headers["x-next-cursor"]
    assert seen == want and len(want) == 75


def test_xlsx_opens_in_openpyxl_with_chinese_headers(api: httpx.Client, settings: Settings) -> None:
    want = warehouse_rows(settings, WANT_SQL)
    r = api.get(RECORDS, params={"format": "xlsx", "fields": "event_no,category,reported_at,days_to_close"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    sheet = book.worksheets[0]
    # read-only openpyxl leaves trailing empty cells out, as Excel stores them
    rows = [row + (None,) * (4 - len(row)) for row in sheet.iter_rows(values_only=True)]
    fields = {f["name"]: f["title"] for f in api.get("/v1/datasets/grid_event").json()["fields"]}
    assert rows[0] == tuple(fields[f] for f in ("event_no", "category", "reported_at", "days_to_close"))
    shanghai = ZoneInfo("Asia/Shanghai")
    expected = [
        (no, cat, at.astimezone(shanghai).replace(tzinfo=None) if isinstance(at, datetime) else at, days)
        for no, cat, at, days in want
    ]
    assert rows[1:] == expected
    book.close()
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.worksheets[0].freeze_panes == "A2"


def test_binary_formats_keep_the_rules(api: httpx.Client) -> None:
    for fmt in ("parquet", "xlsx"):
        r = api.get("/v1/datasets/credit_record/records", params={"format": fmt})
        assert r.status_code == 403 and r.json()["code"] == "needs_application"
        r = api.get(RECORDS, params={"format": fmt, "filter": "nope:eq:1"})
        assert r.status_code == 400 and r.json()["param"] == "nope"

"""The first pull from the upstream systems (issue 14, item 4), against real HTTP servers and hand-written data:

- the sandbox's one-window API pages by number (as before) and by keyset cursor (`next`);
- the HTTP connector follows the cursor where the registry says so, asks for numbered pages several at a time where
  the registry permits, and writes what arrives to landing in deliveries of complete records, so a pull that fails
  half-way keeps what it landed and the next one carries on without a gap or a repeat;
- the database connector reads blocks of rows and lands them the same way;
- memory does not grow with the size of the pull.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from catalog.registry import SOURCES_DIR, SourceSystem, load_entry
from orchestration.ingestion import connectors
from orchestration.ingestion.connectors import ConnectorError, DeliveryWriter, pull
from orchestration.ingestion.landing import Landing
from sandbox.onewindow_server import create_app, encode_cursor
from tests.support.pipeline import free_port
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

# (applicationNo, updatedAt), written by hand: three rows share 10:00:02 and two share 10:00:05, so a page or a
# delivery boundary can fall inside a group of equal timestamps.
ROWS = [
    ("A0001", "2026-11-01T10:00:01+08:00"),
    ("A0007", "2026-11-01T10:00:02+08:00"),
    ("A0003", "2026-11-01T10:00:02+08:00"),
    ("A0005", "2026-11-01T10:00:02+08:00"),
    ("A0002", "2026-11-01T10:00:03+08:00"),
    ("A0009", "2026-11-01T10:00:04+08:00"),
    ("A0004", "2026-11-01T10:00:05+08:00"),
    ("A0008", "2026-11-01T10:00:05+08:00"),
    ("A0006", "2026-11-01T10:00:06+08:00"),
    ("A0010", "2026-11-01T10:00:07+08:00"),
    ("A0011", "2026-11-01T10:00:08+08:00"),
]
IN_ORDER = [
    "A0001", "A0003", "A0005", "A0007", "A0002", "A0009", "A0004", "A0008", "A0006", "A0010", "A0011",
]  # fmt: skip


def _write_onewindow(settings: Settings, rows: list[tuple[str, str]]) -> None:
    path = settings.upstream / "onewindow" / "onewindow.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute(
        "create table if not exists person_applications (applicationNo text primary key, itemCode text, updatedAt text)"
    )
    con.execute(
        "create index if not exists person_applications_cursor on person_applications (updatedAt, applicationNo)"
    )
    con.executemany("insert into person_applications values (?, 'X01', ?)", rows)
    con.commit()
    con.close()


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server for `app` in a thread, for as long as the block runs."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def onewindow(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings(data_dir=tmp_path / "data")
    _write_onewindow(settings, ROWS)
    with _served(create_app(settings)) as url:
        yield settings.model_copy(update={"onewindow_url": url})


def _source(**connector: Any) -> SourceSystem:
    """The registry's one-window entry, with its connector changed as a test needs."""
    source = load_entry(SOURCES_DIR / "onewindow.yaml")
    return source.model_copy(update={"connector": source.connector.model_copy(update=connector)})


def _landed(landing: Landing, entity: str = "person_applications") -> list[list[dict]]:
    """Each landed delivery's records, in landing order."""
    return [
        [json.loads(line) for line in d.file(landing.dir).read_text(encoding="utf-8").splitlines()]
        for d in landing.deliveries()
        if d.entity == entity
    ]


# ------------------------------------------------------------------------------------------------- the server


def test_server_keyset_cursor_walks_every_row_once_in_order(onewindow: Settings) -> None:
    url = f"{onewindow.onewindow_url}/api/v1/person-applications"
    seen, params = [], {"page_size": 2}
    while True:
        body = httpx.get(url, params=params).json()
        assert "total" not in body or body.get("page") == 1  # the cursor walk counts nothing
        seen += [i["applicationNo"] for i in body["items"]]
        if not body["next"]:
            assert body["has_more"] is False
            break
        params = {"page_size": 2, "cursor": body["next"]}
    assert seen == IN_ORDER
    # with updated_since: strictly after 10:00:02, still through the cursor
    since = {"updated_since": "2026-11-01T10:00:02+08:00", "page_size": 3}
    first = httpx.get(url, params=since).json()
    rest = httpx.get(url, params={**since, "cursor": first["next"]}).json()
    assert [i["applicationNo"] for i in first["items"] + rest["items"]] == IN_ORDER[4:10]


def test_server_page_numbers_stay_and_bad_cursors_are_refused(onewindow: Settings) -> None:
    url = f"{onewindow.onewindow_url}/api/v1/person-applications"
    pages = [httpx.get(url, params={"page": n, "page_size": 4}).json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [11, 11, 11]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [i["applicationNo"] for p in pages for i in p["items"]] == IN_ORDER
    # a cursor from the middle of the numbered walk continues it
    after = httpx.get(url, params={"page_size": 4, "cursor": pages[0]["next"]}).json()
    assert [i["applicationNo"] for i in after["items"]] == IN_ORDER[4:8]

    forged = httpx.get(url, params={"cursor": "not-a-token"})
    assert forged.status_code == 400 and "not a token" in forged.json()["detail"]
    foreign = encode_cursor("credit-records", "2026-11-01T10:00:02+08:00", "A0003")
    assert httpx.get(url, params={"cursor": foreign}).status_code == 400
    both = httpx.get(url, params={"cursor": pages[0]["next"], "page": 2})
    assert both.status_code == 400 and "cannot be combined" in both.json()["detail"]


# ---------------------------------------------------------------------------------------------- the connector


@pytest.mark.parametrize(
    "connector",
    [{"paging": "cursor"}, {"paging": "page"}, {"paging": "page", "concurrency": 3}],
    ids=["cursor", "page", "page-concurrent"],
)
def test_pull_lands_deliveries_of_complete_records(onewindow: Settings, connector: dict[str, Any]) -> None:
    source, landing = _source(page_size=2, delivery_records=2, **connector), Landing(onewindow.landing_dir)
    entity = source.entity("person_applications")
    pulled = pull(source, entity, onewindow, landing)
    deliveries = _landed(landing)
    assert len(pulled.landed) == len(deliveries) > 1
    assert [i["applicationNo"] for d in deliveries for i in d] == IN_ORDER
    # no delivery ends inside a group of equal timestamps, and each one's mark is its last timestamp
    for records, delivery in zip(deliveries, landing.deliveries(), strict=True):
        assert delivery.cursor_to == records[-1]["updatedAt"]
    groups = [{i["updatedAt"] for i in d} for d in deliveries]
    assert all(not (a & b) for a, b in itertools.pairwise(groups))
    assert [len(d) for d in deliveries] == [4, 2, 2, 2, 1]  # 1+3 (the tie), 2, 2 (a tie), 2, the rest
    assert pull(source, entity, onewindow, landing).landed == []  # nothing new upstream: nothing lands


def test_a_pull_that_fails_half_way_keeps_what_it_landed_and_the_next_carries_on(
    onewindow: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, landing = _source(paging="cursor", page_size=2, delivery_records=2), Landing(onewindow.landing_dir)
    entity = source.entity("person_applications")
    real, calls = connectors._get_page, []

    def fails_on_the_fourth(client: httpx.Client, url: str, params: dict) -> dict:
        calls.append(params)
        if len(calls) == 4:
            raise httpx.ConnectError("upstream went away")
        return real(client, url, params)

    monkeypatch.setattr(connectors, "_get_page", fails_on_the_fourth)
    with pytest.raises(ConnectorError, match="upstream went away"):
        pull(source, entity, onewindow, landing)
    first = _landed(landing)
    assert [i["applicationNo"] for d in first for i in d] == IN_ORDER[:4]  # three pages read; one complete group
    assert not list((landing.dir / ".spool").glob("*.tmp"))  # the half-written delivery was not kept
    monkeypatch.setattr(connectors, "_get_page", real)
    _write_onewindow(onewindow, [("A0012", "2026-11-01T10:00:09+08:00")])
    pull(source, entity, onewindow, landing)
    assert [i["applicationNo"] for d in _landed(landing) for i in d] == [*IN_ORDER, "A0012"]


def test_a_killed_pulls_spool_is_removed_and_never_becomes_a_delivery(onewindow: Settings) -> None:
    source, landing = _source(paging="cursor"), Landing(onewindow.landing_dir)
    left = landing.spool(source.id, "person_applications")
    left.write(b'{"half": "a record"', 1)
    left.fh.close()  # as a SIGKILL leaves it
    pull(source, source.entity("person_applications"), onewindow, landing)
    assert not left.path.exists()
    assert [i["applicationNo"] for d in _landed(landing) for i in d] == IN_ORDER


def test_records_out_of_cursor_order_stop_the_pull(tmp_path: Path) -> None:
    landing, source = Landing(tmp_path / "landing"), _source(delivery_records=1)
    writer = DeliveryWriter(source, source.entity("person_applications"), landing)
    writer.add([{"applicationNo": "A1", "updatedAt": "2026-11-01T10:00:02+08:00"}])
    with pytest.raises(ConnectorError, match="out of updatedAt order"):
        writer.add([{"applicationNo": "A2", "updatedAt": "2026-11-01T10:00:01+08:00"}])


def test_concurrent_pages_are_asked_for_at_once_and_landed_in_page_order(tmp_path: Path) -> None:
    """A fake upstream of numbered pages, written by hand, that answers slowly and counts requests in flight."""
    pages = [
        [{"applicationNo": f"B{p}{n}", "updatedAt": f"2026-11-01T10:0{p}:0{n}+08:00"} for n in range(3)]
        for p in range(7)
    ]
    in_flight, peak, lock = [0], [0], threading.Lock()
    app = FastAPI()

    @app.get("/api/v1/person-applications")
    def page(page: int = 1, page_size: int = 3) -> dict[str, Any]:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.2)
        with lock:
            in_flight[0] -= 1
        return {"items": pages[page - 1], "page": page, "total": 21, "has_more": page < 7}

    settings = Settings(data_dir=tmp_path / "data")
    with _served(app) as url:
        settings = settings.model_copy(update={"onewindow_url": url})
        source = _source(paging="page", page_size=3, concurrency=3, delivery_records=5)
        landing = Landing(settings.landing_dir)
        pull(source, source.entity("person_applications"), settings, landing)
    assert peak[0] == 3
    assert [i["applicationNo"] for d in _landed(landing) for i in d] == [i["applicationNo"] for p in pages for i in p]


def test_memory_does_not_grow_with_the_size_of_the_pull(tmp_path: Path) -> None:
    """A fake cursor upstream serving `pages` pages of 200 records, each about 300 bytes as JSON: the old connector
    held every record until the end (an eightfold pull, eightfold memory); now the peak stays about one page."""
    app, size = FastAPI(), {"pages": 0}

    @app.get("/api/v1/person-applications")
    def read(page_size: int = 200, cursor: str | None = None) -> dict[str, Any]:
        start, pages = int(cursor or 0), size["pages"]
        items = [
            {"applicationNo": f"C{n:07d}", "updatedAt": f"2026-11-01T10:00:00+08:00#{n:07d}", "note": "办理" * 100}
            for n in range(start, start + page_size)
        ]
        more = start + page_size < pages * page_size
        return {"items": items, "next": str(start + page_size) if more else None, "has_more": more}

    peaks = {}
    with _served(app) as url:
        for pages in (10, 80):
            settings = Settings(data_dir=tmp_path / f"data{pages}", onewindow_url=url)
            source = _source(paging="cursor", page_size=200, delivery_records=1000)
            entity, size["pages"] = source.entity("person_applications"), pages
            tracemalloc.start()
            pulled = pull(source, entity, settings, Landing(settings.landing_dir))
            peaks[pages] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert len(pulled.landed) == pages * 200 // 1000
    assert peaks[80] < 2 * peaks[10], peaks


# ----------------------------------------------------------------------------------------------- the database


def test_database_pull_reads_blocks_and_lands_deliveries_with_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    db = settings.upstream / "grid" / "grid.sqlite"
    db.parent.mkdir(parents=True)
    con = sqlite3.connect(db)
    con.execute("create table events (id integer primary key, event_no text, category text)")
    con.executemany("insert into events values (?, ?, '治安')", [(n, f"E{n:03d}") for n in (3, 1, 2, 9, 10, 5, 4)])
    con.commit()
    monkeypatch.setattr(connectors, "FETCH_ROWS", 2)  # blocks of two rows, so a delivery spans several blocks
    source = load_entry(SOURCES_DIR / "grid.yaml")
    source = source.model_copy(update={"connector": source.connector.model_copy(update={"delivery_records": 3})})
    entity, landing = source.entity("events"), Landing(settings.landing_dir)
    pull(source, entity, settings, landing)
    deliveries = _landed(landing, "events")
    assert [[r["id"] for r in d] for d in deliveries] == [[1, 2, 3], [4, 5, 9], [10]]
    assert [d.cursor_to for d in landing.deliveries()] == [f"{n:020d}" for n in (3, 9, 10)]
    con.execute("insert into events values (11, 'E011', '消防')")
    con.commit()
    con.close()
    pull(source, entity, settings, landing)
    assert [r["id"] for r in _landed(landing, "events")[-1]] == [11]

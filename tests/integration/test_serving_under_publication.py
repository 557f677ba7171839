"""The load test of serving under publication (issue 10, Build item 11): the API started for real with uvicorn, client
threads reading pages, whole exports and cursor walks without pause while three new versions are published, each
with different records. Expected: zero failed requests, and no response or cursor walk that mixes versions."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import httpx
import pytest

from orchestration.publish import publish
from tests.support.api import API_WRITERS, api_published_settings, serve
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

DATASET = "grid_event"
RECORDS = f"/v1/datasets/{DATASET}/records"


@dataclass
class Walk:
    """One cursor walk from the first page to the last: the version each page named and the keys it read."""

    started: float
    ended: float = 0.0
    versions: set[str] = field(default_factory=set)
    keys: list[str] = field(default_factory=list)
    pages: int = 0


@dataclass
class Observed:
    failures: list[str] = field(default_factory=list)
    walks: list[tuple[str, Walk]] = field(default_factory=list)  # (what was walked, the walk)
    responses: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (what, version, keys)
    switches: list[tuple[float, float]] = field(default_factory=list)  # (last seen old, first seen new)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, what: str, response: httpx.Response | None = None, error: Exception | None = None) -> None:
        detail = f"{response.status_code} {response.text[:200]}" if response is not None else repr(error)
        with self.lock:
            self.failures.append(f"{what}: {detail}")


def event_keys(settings: Settings) -> list[str]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return [r[0] for r in con.execute("select event_no from marts.grid_event order by event_no").fetchall()]


def move_on(settings: Settings, k: int) -> None:
    """The district between two publishes: some events closed out of the set, some new ones, per version."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        low = 20 * k
        con.execute(
            f"delete from marts.grid_event where event_no between 'GE00001{low:02d}' and 'GE00001{low + 9:02d}'"
        )
        con.execute(
            f"insert into marts.grid_event select * replace ('GE{k}' || substr(event_no, 4) as event_no) "
            "from marts.grid_event where event_no < 'GE0000008'"
        )


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return api_published_settings(tmp_path_factory.mktemp("under_publication"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


def walker(
    base: str, seen: Observed, stop: threading.Event, what: str, params: dict[str, str | int], csv_pages: bool = False
) -> Callable[[], None]:
    """A client that walks every page of the dataset, again and again, until stopped."""

    def run() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                walk, cursor = Walk(started=time.monotonic()), None
                while True:
                    try:
                        r = client.get(RECORDS, params=params | ({"cursor": cursor} if cursor else {}))
                    except httpx.HTTPError as exc:
                        seen.fail(what, error=exc)
                        break
                    if r.status_code != 200:
                        seen.fail(what, r)
                        break
                    walk.pages += 1
                    walk.versions.add(r.headers["X-Zhongtai-Version"])
                    if csv_pages:
                        walk.keys += [row["event_no"] for row in csv.DictReader(io.StringIO(r.text))]
                        cursor = r.headers.get("X-Next-Cursor")
                    else:
                        body = r.json()
                        walk.versions.add(body["version"])
                        walk.keys += [record["event_no"] for record in body["records"]]
                        cursor = body["next_cursor"]
                    if cursor is None:
                        walk.ended = time.monotonic()
                        with seen.lock:
                            seen.walks.append((what, walk))
                        break

    return run


def reader(base: str, seen: Observed, stop: threading.Event) -> Callable[[], None]:
    """A client reading whole answers: the index, a first page, the whole CSV export and the streamed JSON Lines."""

    def run() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                for what in ["/health", "/v1/datasets", f"/v1/datasets/{DATASET}", RECORDS, "export", "jsonl"]:
                    path = {"export": f"/v1/datasets/{DATASET}/export.csv", "jsonl": RECORDS}.get(what, what)
                    params = {"format": "jsonl"} if what == "jsonl" else {}
                    try:
                        r = client.get(path, params=params)
                    except httpx.HTTPError as exc:
                        seen.fail(what, error=exc)
                        continue
                    if r.status_code != 200:
                        seen.fail(what, r)
                        continue
                    if what == RECORDS:
                        body = r.json()
                        keys = [x["event_no"] for x in body["records"]]
                        with seen.lock:
                            seen.responses.append((what, body["version"], keys))
                    elif what == "export":
                        # The file's name carries the version it was served from.
                        version = r.headers["content-disposition"].split(f"{DATASET}-", 1)[1].split(".csv")[0]
                        keys = [row["event_no"] for row in csv.DictReader(io.StringIO(r.text))]
                        with seen.lock:
                            seen.responses.append((what, version, keys))
                    elif what == "jsonl":
                        keys = [json.loads(line)["event_no"] for line in r.text.splitlines()]
                        with seen.lock:
                            seen.responses.append((what, r.headers["X-Zhongtai-Version"], keys))

    return run


def switch_watcher(settings: Settings, seen: Observed, stop: threading.Event) -> Callable[[], None]:
    """When `current` moved: the last moment it still pointed at the old version and the first at the new one."""

    def run() -> None:
        last, last_at = os.path.realpath(settings.current_snapshot), time.monotonic()
        while not stop.is_set():
            now_at = time.monotonic()
            real = os.path.realpath(settings.current_snapshot)
            if real != last:
                seen.switches.append((last_at, now_at))
                last = real
            last_at = now_at
            time.sleep(0.002)

    return run


def test_three_publishes_while_clients_read_fail_nothing_and_mix_no_versions(
    api: httpx.Client, settings: Settings, dbt_manifest: Path
) -> None:
    first = api.get("/health").json()["version"]
    expected = {first: event_keys(settings)}
    base = str(api.base_url)
    seen, stop = Observed(), threading.Event()
    clients = [
        walker(base, seen, stop, "json walk by 25", {"limit": 25}),
        walker(base, seen, stop, "json walk by 40, newest first", {"limit": 40, "sort": "-event_no"}),
        walker(base, seen, stop, "filtered walk", {"limit": 10, "filter": "event_no:ge:GE0000100"}),
        walker(base, seen, stop, "csv walk by 50", {"limit": 50, "format": "csv"}, csv_pages=True),
        reader(base, seen, stop),
        reader(base, seen, stop),
    ]
    threads = [threading.Thread(target=c) for c in [*clients, switch_watcher(settings, seen, stop)]]
    for t in threads:
        t.start()
    try:
        time.sleep(1)  # the clients are reading before the first publish starts
        for k in (1, 2, 3):
            move_on(settings, k)
            version = publish(settings, dbt_manifest, API_WRITERS).version
            expected[version] = event_keys(settings)
            time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    assert not seen.failures, f"{len(seen.failures)} failed requests: {seen.failures[:5]}"
    assert len(expected) == 4 and len({tuple(keys) for keys in expected.values()}) == 4  # four different versions
    assert len(seen.switches) == 3

    # Every cursor walk stayed on one version and read exactly that version's records, once each, in order.
    assert len(seen.walks) >= 12
    for what, walk in seen.walks:
        assert len(walk.versions) == 1, f"{what} mixed versions {walk.versions}"
        (version,) = walk.versions
        want = expected[version]
        if what.startswith("filtered"):
            want = [k for k in want if k >= "GE0000100"]
        if "newest first" in what:
            want = sorted(want, reverse=True)
        assert walk.keys == want, f"{what} on {version} read {len(walk.keys)} records, not that version's {len(want)}"
    walked = {v for _, w in seen.walks for v in w.versions}
    assert len(walked) >= 3, f"walks saw only {walked}"
    # Walks were under way at the moment `current` switched, and finished on the version they began on.
    crossing = [w for _, w in seen.walks for old, new in seen.switches if w.started < old and w.ended > new]
    assert len(crossing) >= 3, f"only {len(crossing)} walks spanned a switch"

    # No single response mixed versions: a first page is a prefix of its version, whole answers are all of it.
    assert {what for what, _, _ in seen.responses} == {RECORDS, "export", "jsonl"}
    for what, version, keys in seen.responses:
        want = expected[version]
        assert keys == (want[: len(keys)] if what == RECORDS else want), f"{what} of {version} mixed versions"
    assert len({v for _, v, _ in seen.responses}) >= 3
    pages = sum(w.pages for _, w in seen.walks)
    reads = len(seen.responses)
    print(f"{len(seen.walks)} walks ({pages} pages, {len(crossing)} across a switch), {reads} whole reads")

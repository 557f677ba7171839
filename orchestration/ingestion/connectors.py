"""Connectors: pull what is new from an upstream system and land it. One function per connector kind."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from catalog.headers import at_path
from catalog.registry import Connector, Entity, Format, SourceSystem
from orchestration.ingestion.landing import Delivery, Landing
from zhongtai.settings import Settings


class ConnectorError(RuntimeError):
    """The upstream system could not be reached or answered something unusable."""


@dataclass
class Pulled:
    landed: list[Delivery] = field(default_factory=list)
    already_seen: int = 0


def resolve_location(source: SourceSystem, settings: Settings) -> str:
    return source.connector.location.format(
        upstream=settings.upstream, onewindow_url=settings.onewindow_url, uploads=settings.uploads_dir
    )


def pull(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    kinds: dict[str, Callable[[SourceSystem, Entity, Settings, Landing], Pulled]] = {
        "file_drop": pull_file_drop,
        "http_api": pull_http_api,
        "database": pull_database,
        "upload": pull_uploads,
    }
    return kinds[source.connector.kind](source, entity, settings, landing)


def pull_uploads(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    """Files the API dropped for the pipeline: a drop folder that is not there yet means nobody has sent any."""
    if not Path(resolve_location(source, settings)).is_dir():
        return Pulled()
    return pull_file_drop(source, entity, settings, landing)


def pull_file_drop(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    folder = Path(resolve_location(source, settings))
    result = Pulled()
    if not folder.is_dir():
        raise ConnectorError(f"{source.id}: drop folder {folder} does not exist")
    # Sorted by name: drops carry their date in the name, so older deliveries land first.
    files = sorted(p for p in folder.glob(entity.locator) if p.is_file() and not p.name.startswith("."))
    if source.format.pages is not None:
        for name, bundle in paged_deliveries(files, source.format):
            delivery = landing.land_bytes(source.id, entity.name, bundle, name)
            if delivery is None:
                result.already_seen += 1
            else:
                result.landed.append(delivery)
        return result
    for path in files:
        delivery = landing.land_file(source.id, entity.name, path)
        if delivery is None:
            result.already_seen += 1
        else:
            result.landed.append(delivery)
    return result


def paged_deliveries(files: list[Path], fmt: Format) -> list[tuple[str, bytes]]:
    """Group page files (export_20261130_p1.json, _p2.json) into deliveries: (name, an uncompressed zip of the
    pages as received, in page order). Only complete deliveries are returned — pages 1..n all there and, with
    `page_total`, their records adding up to it — so a delivery still arriving waits and lands once, whole. The
    zip is byte-for-byte the same for the same pages, so pages dropped again are not landed again."""
    assert fmt.pages is not None
    pattern = re.compile(fmt.pages)
    groups: dict[str, dict[int, Path]] = {}
    for path in files:
        found = pattern.search(path.name)
        if found:  # a file without a page number is not part of a paged delivery
            key = path.name[: found.start(1)] + "*" + path.name[found.end(1) :]
            groups.setdefault(key, {})[int(found.group(1))] = path
    bundles = []
    for key, pages in sorted(groups.items()):
        if sorted(pages) != list(range(1, len(pages) + 1)) or not _adds_up(pages, fmt):
            continue
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as bundle:
            for number in sorted(pages):
                info = zipfile.ZipInfo(pages[number].name, date_time=(1980, 1, 1, 0, 0, 0))
                bundle.writestr(info, pages[number].read_bytes())
        bundles.append((f"{key.replace('*', f'1-{len(pages)}')}.zip", buffer.getvalue()))
    return bundles


def _adds_up(pages: dict[int, Path], fmt: Format) -> bool:
    """With page_total: do the pages' records add up to the total each page announces? An unreadable page
    counts as complete: it lands, and the loader quarantines it with its reason."""
    if not fmt.page_total:
        return True
    try:
        docs = [json.loads(p.read_bytes().decode("utf-8-sig")) for p in pages.values()]
        totals = {int(at_path(d, fmt.page_total)) for d in docs}  # type: ignore[call-overload]
        count = sum(len(at_path(d, fmt.record_path)) if fmt.record_path else len(d) for d in docs)  # type: ignore[arg-type]
    except (ValueError, KeyError, TypeError):
        return True
    return len(totals) == 1 and count >= totals.pop()


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in (429, 500, 502, 503, 504)
    return isinstance(exc, httpx.TransportError)


@retry(
    retry=retry_if_exception(_retryable),
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_attempt(6),
    reraise=True,
)
def _get_page(client: httpx.Client, url: str, params: dict[str, str | int]) -> dict:
    response = client.get(url, params=params)
    response.raise_for_status()
    return response.json()


def _items(body: object, url: str, where: str) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise ConnectorError(f"{url}: answer has no 'items' list ({where})")
    return body["items"]


def _pages(client: httpx.Client, url: str, since: str | None, connector: Connector) -> Iterator[list[dict]]:
    """Every page of records updated after `since`, in the upstream's order, as the registry says to ask."""
    base: dict[str, str | int] = {"page_size": connector.page_size}
    if since:
        base["updated_since"] = since
    if connector.paging == "cursor":
        yield from _cursor_pages(client, url, base, connector)
    else:
        yield from _numbered_pages(client, url, base, connector.concurrency)


def _cursor_pages(
    client: httpx.Client, url: str, base: dict[str, str | int], connector: Connector
) -> Iterator[list[dict]]:
    """Keyset paging: follow the token each answer gives for the rows after it, until there is none. The next page
    is asked for as soon as a page's token is known, so it travels while this one is written (two pages at most)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future: Future[dict] | None = pool.submit(_get_page, client, url, dict(base))
        page = 1
        while future is not None:
            body = future.result()
            items = _items(body, url, f"page {page}")
            token = body.get(connector.next_field)
            future = None
            if token and items:
                future = pool.submit(_get_page, client, url, {**base, connector.cursor_param: token})
            yield items
            page += 1


def _numbered_pages(
    client: httpx.Client, url: str, base: dict[str, str | int], concurrency: int
) -> Iterator[list[dict]]:
    """Page numbers. With concurrency > 1 and a `total` in the first answer, the pages after it are asked for
    `concurrency` at a time (never more in memory), and still handed on in page order."""
    first = _get_page(client, url, {**base, "page": 1})
    yield _items(first, url, "page 1")
    if not first.get("has_more"):
        return
    total, size = first.get("total"), int(base["page_size"])
    if concurrency > 1 and isinstance(total, int):
        last = -(-total // size)
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            waiting: deque[tuple[int, Future[dict]]] = deque()
            number = 2
            while number <= last or waiting:
                while number <= last and len(waiting) < concurrency:
                    waiting.append((number, pool.submit(_get_page, client, url, {**base, "page": number})))
                    number += 1
                page, future = waiting.popleft()
                yield _items(future.result(), url, f"page {page}")
        return
    page = 2
    while True:
        body = _get_page(client, url, {**base, "page": page})
        yield _items(body, url, f"page {page}")
        if not body.get("has_more"):
            return
        page += 1


def pull_http_api(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    """Fetch everything updated since the last landed high-water mark, writing pages to landing as they arrive."""
    base = resolve_location(source, settings).rstrip("/")
    url = base + entity.locator
    since = landing.high_water_mark(source.id, entity.name)
    writer = DeliveryWriter(source, entity, landing)
    try:
        with httpx.Client(timeout=30) as client:
            for page in _pages(client, url, since, source.connector):
                writer.add(page)
    except httpx.HTTPError as exc:
        writer.abandon()
        raise ConnectorError(f"{source.id}.{entity.name}: {url}: {exc}") from exc
    except BaseException:
        writer.abandon()
        raise
    return writer.finish()


FETCH_ROWS = 10_000  # rows read from a source database per fetch


def pull_database(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    """Read rows past the high-water mark of an incremental column from the source database, read-only, a block
    of rows per fetch, written to landing as they are read."""
    db = Path(resolve_location(source, settings))
    if not db.exists():
        raise ConnectorError(f"{source.id}: database {db} does not exist")
    cursor = entity.cursor_field
    since = landing.high_water_mark(source.id, entity.name)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    writer = DeliveryWriter(source, entity, landing)
    try:
        table = entity.locator
        if cursor:
            # The mark is stored as text; numeric cursors are compared as numbers.
            where, params = (f"where {cursor} > ?", [int(since)]) if since else ("", [])
            rows = con.execute(f"select * from {table} {where} order by {cursor}", params)
        else:
            rows = con.execute(f"select * from {table}")
        names = [d[0] for d in rows.description]
        while block := rows.fetchmany(FETCH_ROWS):
            writer.add([dict(zip(names, row, strict=True)) for row in block])
    except sqlite3.Error as exc:
        writer.abandon()
        raise ConnectorError(f"{source.id}.{entity.name}: {exc}") from exc
    except BaseException:
        writer.abandon()
        raise
    finally:
        con.close()
    return writer.finish()


def _order(value: object) -> tuple[bool, bool, object]:
    return (value is not None, isinstance(value, str), value)


def _mark(value: object) -> str | None:
    """The high-water mark as stored: integers zero-padded so that the text comparison in the manifest orders them."""
    if value is None:
        return None
    return f"{value:020d}" if isinstance(value, int) else str(value)


class DeliveryWriter:
    """Records written to landing as they arrive, in the upstream's cursor order.

    With a cursor field, a delivery is landed each time `connector.delivery_records` records are complete, with
    the mark it reaches. Complete means every record with that cursor value has arrived: the records sharing the
    last value seen are held back until a record with a greater value comes (or the pull ends), so resuming
    "strictly after the mark" — after a crash, or on the next pull — neither skips nor repeats a record. Without
    a cursor field the read is a snapshot and stays one delivery, however large; it is still written as it
    arrives. Memory holds one page (and the records of one cursor value), whatever the size of the pull."""

    def __init__(self, source: SourceSystem, entity: Entity, landing: Landing) -> None:
        self.source, self.entity, self.landing = source, entity, landing
        self.cursor = entity.cursor_field
        self.per_delivery = source.connector.delivery_records
        self.spool = landing.spool(source.id, entity.name, fresh=True)
        self.held: list[bytes] = []
        self.held_value: object = None
        self.top: object = None  # the greatest cursor value written to the spool
        self.result = Pulled()

    def add(self, items: list[dict]) -> None:
        for item in items:
            line = (json.dumps(item, ensure_ascii=False, default=str) + "\n").encode()
            if not self.cursor:
                self.spool.write(line)
                continue
            value = item.get(self.cursor)
            if self.held and value != self.held_value:
                if _order(value) < _order(self.held_value):
                    raise ConnectorError(
                        f"{self.source.id}.{self.entity.name}: the upstream answered out of {self.cursor} order "
                        f"({value!r} after {self.held_value!r}); a mark would skip records"
                    )
                self._write_held()
                if self.spool.records >= self.per_delivery:
                    self._land()
            self.held.append(line)
            self.held_value = value

    def _write_held(self) -> None:
        if self.held:
            self.spool.write(b"".join(self.held), len(self.held))
            if self.held_value is not None:
                self.top = self.held_value
            self.held = []

    def _land(self) -> None:
        if self.spool.records:
            name = f"{self.entity.name}.jsonl"
            delivery = self.landing.land_spool(
                self.source.id, self.entity.name, self.spool, name, cursor_to=_mark(self.top)
            )
            if delivery is None:
                self.result.already_seen += 1
            else:
                self.result.landed.append(delivery)
            self.spool = self.landing.spool(self.source.id, self.entity.name)

    def finish(self) -> Pulled:
        self._write_held()
        self._land()
        self.spool.discard()
        return self.result

    def abandon(self) -> None:
        """A failed pull keeps the deliveries it completed; the records after them are asked for again next time."""
        self.spool.discard()

"""Connectors: pull what is new from an upstream system and land it. One function per connector kind."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from catalog.headers import at_path
from catalog.registry import Entity, Format, SourceSystem
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


def _pages(client: httpx.Client, url: str, since: str | None, page_size: int) -> Iterator[list[dict]]:
    page = 1
    while True:
        params: dict[str, str | int] = {"page": page, "page_size": page_size}
        if since:
            params["updated_since"] = since
        body = _get_page(client, url, params)
        if not isinstance(body, dict) or "items" not in body:
            raise ConnectorError(f"{url}: answer has no 'items' (page {page})")
        yield body["items"]
        if not body.get("has_more"):
            return
        page += 1


def pull_http_api(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    """Fetch everything updated since the last landed high-water mark, land it as one JSON Lines delivery."""
    base = resolve_location(source, settings).rstrip("/")
    cursor = entity.cursor_field
    since = landing.high_water_mark(source.id, entity.name)
    items: list[dict] = []
    try:
        with httpx.Client(timeout=30) as client:
            for page in _pages(client, base + entity.locator, since, source.connector.page_size):
                items.extend(page)
    except httpx.HTTPError as exc:
        raise ConnectorError(f"{source.id}.{entity.name}: {base + entity.locator}: {exc}") from exc
    return _land_records(source, entity, landing, items, cursor)


def pull_database(source: SourceSystem, entity: Entity, settings: Settings, landing: Landing) -> Pulled:
    """Read rows past the high-water mark of an incremental column from the source database, read-only."""
    db = Path(resolve_location(source, settings))
    if not db.exists():
        raise ConnectorError(f"{source.id}: database {db} does not exist")
    cursor = entity.cursor_field
    since = landing.high_water_mark(source.id, entity.name)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        table = entity.locator
        if cursor:
            # The mark is stored as text; numeric cursors are compared as numbers.
            where, params = (f"where {cursor} > ?", [int(since)]) if since else ("", [])
            rows = con.execute(f"select * from {table} {where} order by {cursor}", params).fetchall()
        else:
            rows = con.execute(f"select * from {table}").fetchall()
    except sqlite3.Error as exc:
        raise ConnectorError(f"{source.id}.{entity.name}: {exc}") from exc
    finally:
        con.close()
    return _land_records(source, entity, landing, [dict(r) for r in rows], cursor)


def _land_records(
    source: SourceSystem, entity: Entity, landing: Landing, items: list[dict], cursor: str | None
) -> Pulled:
    if not items:
        return Pulled()
    mark = None
    if cursor:
        values = [i.get(cursor) for i in items if i.get(cursor) is not None]
        if values:
            top = max(values, key=lambda v: (isinstance(v, str), v))
            # Integer marks are zero-padded so that the text comparison in the manifest orders them.
            mark = f"{top:020d}" if isinstance(top, int) else str(top)
    data = "".join(json.dumps(i, ensure_ascii=False, default=str) + "\n" for i in items).encode()
    delivery = landing.land_bytes(source.id, entity.name, data, f"{entity.name}.jsonl", cursor_to=mark)
    return Pulled(landed=[delivery] if delivery else [], already_seen=0 if delivery else 1)

"""The landing zone: every delivery stored as received, content-addressed, with an append-only manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from zhongtai.files import atomic_copy, atomic_write, sha256_bytes, sha256_file

MANIFEST = "manifest.jsonl"


@dataclass(frozen=True)
class Delivery:
    """One landed delivery. Its id is stable: source, entity and content hash."""

    delivery_id: str
    source_id: str
    entity: str
    received_at: str  # ISO 8601 with time zone
    sha256: str
    bytes: int
    file_name: str  # as the upstream system named it
    path: str  # relative to the landing folder
    cursor_to: str | None = None  # high-water mark the delivery reaches (API / database pulls)

    def file(self, landing_dir: Path) -> Path:
        return landing_dir / self.path


SPOOL = ".spool"


class Spool:
    """A delivery being written into the landing folder as it arrives, hashed as it is written. It becomes a
    delivery only through `Landing.land_spool`; a process killed before that leaves a hidden file that the next
    pull of the same entity removes (`Landing.spool`), never a delivery."""

    def __init__(self, folder: Path, prefix: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        self.path = Path(name)
        self.fh = os.fdopen(fd, "wb")
        self.sha256 = hashlib.sha256()
        self.records = 0

    def write(self, data: bytes, records: int = 1) -> None:
        self.fh.write(data)
        self.sha256.update(data)
        self.records += records

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()

    def discard(self) -> None:
        self.fh.close()
        self.path.unlink(missing_ok=True)


class Landing:
    """Files are written once under <source>/<entity>/<sha256><suffix>; the manifest is only appended to.

    A crash between writing a file and appending its manifest line leaves a file that the next
    attempt rewrites byte for byte, so no delivery is half-landed or landed twice.
    """

    def __init__(self, landing_dir: Path) -> None:
        self.dir = landing_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.dir / MANIFEST
        # The manifest as parsed so far: each line is read once per Landing (one per ingest step), and each look-up
        # reads only what was appended since, by this process or another.
        self._read_to = 0
        self._deliveries: list[Delivery] = []
        self._by_entity: dict[tuple[str, str], dict[str, Delivery]] = {}
        self._marks: dict[tuple[str, str], str] = {}

    def _catch_up(self) -> None:
        try:
            size = self.manifest_path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size < self._read_to:  # replaced by a shorter file (restored from a backup): start again
            self._read_to, self._deliveries, self._by_entity, self._marks = 0, [], {}, {}
        if size == self._read_to:
            return
        with self.manifest_path.open("rb") as fh:
            fh.seek(self._read_to)
            appended = fh.read(size - self._read_to)
        # A torn last line (killed mid-append) is not parsed; its delivery lands again next time.
        whole = appended[: appended.rfind(b"\n") + 1]
        for line in whole.split(b"\n")[:-1]:  # not splitlines: a file name may hold U+2028, which json keeps
            delivery = Delivery(**json.loads(line))
            key = (delivery.source_id, delivery.entity)
            self._deliveries.append(delivery)
            self._by_entity.setdefault(key, {})[delivery.sha256] = delivery
            if delivery.cursor_to is not None:
                self._marks[key] = max(self._marks.get(key, delivery.cursor_to), delivery.cursor_to)
        self._read_to += len(whole)

    def deliveries(self) -> list[Delivery]:
        self._catch_up()
        return list(self._deliveries)

    def seen(self, source_id: str, entity: str) -> dict[str, Delivery]:
        self._catch_up()
        return dict(self._by_entity.get((source_id, entity), {}))

    def high_water_mark(self, source_id: str, entity: str) -> str | None:
        self._catch_up()
        return self._marks.get((source_id, entity))

    def land_file(self, source_id: str, entity: str, src: Path, *, cursor_to: str | None = None) -> Delivery | None:
        """Land a file; None if the same content was landed before for this source entity."""
        suffix = "".join(src.suffixes[-1:]) or ".dat"
        write = partial(atomic_copy, src)
        return self._land(source_id, entity, sha256_file(src), suffix, src.name, write, cursor_to)

    def land_bytes(
        self, source_id: str, entity: str, data: bytes, name: str, *, cursor_to: str | None = None
    ) -> Delivery | None:
        """Land content pulled into memory (an API page, a database extract) under the name it would have had."""
        write = partial(_write_bytes, data)
        return self._land(source_id, entity, sha256_bytes(data), Path(name).suffix, name, write, cursor_to)

    def spool(self, source_id: str, entity: str, *, fresh: bool = False) -> Spool:
        """A new spool for this source entity; fresh=True first removes what a killed pull left of its own."""
        folder = self.dir / SPOOL
        prefix = f"{source_id}.{entity}."
        if fresh and folder.is_dir():
            for stale in folder.glob(f"{prefix}*.tmp"):
                stale.unlink(missing_ok=True)
        return Spool(folder, prefix)

    def land_spool(
        self, source_id: str, entity: str, spool: Spool, name: str, *, cursor_to: str | None = None
    ) -> Delivery | None:
        """Land a written spool (moved into place, not copied); None, and the spool removed, if the same content
        was landed before for this source entity."""
        spool.close()

        def move(target: Path) -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(spool.path, target)

        try:
            return self._land(source_id, entity, spool.sha256.hexdigest(), Path(name).suffix, name, move, cursor_to)
        finally:
            spool.path.unlink(missing_ok=True)

    def _land(
        self,
        source_id: str,
        entity: str,
        digest: str,
        suffix: str,
        name: str,
        write: Callable[[Path], None],
        cursor_to: str | None,
    ) -> Delivery | None:
        self._catch_up()
        if digest in self._by_entity.get((source_id, entity), {}):
            return None
        target_rel = Path(source_id) / entity / f"{digest}{suffix}"
        write(self.dir / target_rel)
        return self._record(source_id, entity, digest, self.dir / target_rel, name, target_rel, cursor_to)

    def _record(
        self, source_id: str, entity: str, digest: str, target: Path, name: str, rel: Path, cursor_to: str | None
    ) -> Delivery:
        received = dt.datetime.now(dt.UTC)
        delivery = Delivery(
            delivery_id=f"{source_id}.{entity}.{received:%Y%m%dT%H%M%S%f}.{digest[:12]}",
            source_id=source_id,
            entity=entity,
            received_at=received.isoformat(),
            sha256=digest,
            bytes=target.stat().st_size,
            file_name=name,
            path=str(rel),
            cursor_to=cursor_to,
        )
        line = json.dumps(asdict(delivery), ensure_ascii=False) + "\n"
        with self.manifest_path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        return delivery


def _write_bytes(data: bytes, target: Path) -> None:
    atomic_write(target, data)

"""Publish: write a new read-only version of every channel's artefacts from the marts, then switch `current`.

The warehouse is opened read-only (the pipeline, its one writer, is idle during publish). Each
version is built in a hidden folder, renamed into place when complete, and `published/current`
is switched with one `os.replace` of a symlink; older versions stay for readers still using them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from catalog.channels import api_catalog, channel_fields, datasette_metadata
from catalog.datapackage import data_package, is_open_extract
from catalog.datasets import CatalogError, Channel, Dataset, load_datasets
from catalog.dcat import dcat_catalog
from catalog.lineage import dataset_lineage
from catalog.masking import CHANNEL_AUDIENCE, Action, check_channels, masked_select
from catalog.registry import load_registry, registry_dirs
from catalog.scanner import ScanError, scan_version
from zhongtai import audit
from zhongtai.duckdb import connect
from zhongtai.notice import clear_stale, mark_stale
from zhongtai.settings import Settings

ROSTER_DATASET = "village_roster"
VILLAGE_DATASET = "village"


@dataclass
class PublishResult:
    version: str
    path: Path
    created_at: str
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # channel → dataset → rows
    rosters: int = 0
    files: int = 0
    suppressed_cells: int = 0
    deliveries: dict[str, str] = field(default_factory=dict)  # source.entity → latest loaded delivery id
    # Names of natural persons, drawn read-only from the warehouse, so the scan can find them where they must not be.
    person_names: list[str] = field(default_factory=list, repr=False)

    def as_metadata(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created_at": self.created_at,
            "rows": json.dumps(self.rows, ensure_ascii=False),
            "rosters": self.rosters,
            "files": self.files,
            "suppressed_cells": self.suppressed_cells,
        }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _new_version(published: Path, now: datetime) -> str:
    base = "v" + now.strftime("%Y%m%dT%H%M%SZ")
    version, n = base, 1
    while (published / version).exists():
        version, n = f"{base}-{n}", n + 1
    return version


def publish(settings: Settings, manifest_path: str | Path) -> PublishResult:
    """Publish a new version, or refuse: the previous one keeps serving and `published/status.json` says why."""
    try:
        result = _publish(settings, manifest_path)
    except Exception as exc:
        mark_stale(settings.published_dir, f"publish refused ({type(exc).__name__}): {exc}")
        raise
    clear_stale(settings.published_dir, result.version)
    audit.append(
        audit.log_path(settings.root),
        who="pipeline",
        role="steward",
        purpose="发布数据快照",
        action="publish",
        what={"version": result.version, "rows": result.rows, "rosters": result.rosters},
    )
    return result


def _publish(settings: Settings, manifest_path: str | Path) -> PublishResult:
    datasets = load_datasets(manifest_path)  # CatalogError names every missing fact
    check_channels(datasets)
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}: run the pipeline before publishing")

    published = settings.published_dir
    published.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    version = _new_version(published, now)
    staging = published / f".{version}.building"
    staging.mkdir()
    result = PublishResult(version=version, path=published / version, created_at=now.isoformat(timespec="seconds"))

    try:
        _write_version(settings, staging, datasets, result, manifest_path)
        # Last line of defence: nothing the audience of an artefact may not see, whatever the catalog says.
        hits = scan_version(
            staging,
            names=result.person_names,
            connect=lambda: connect(":memory:", read_only=False, settings=settings),
        )
        if hits:
            raise ScanError(hits)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    os.replace(staging, result.path)
    switch_current(published, version)
    return result


def _write_version(
    settings: Settings, staging: Path, datasets: list[Dataset], result: PublishResult, manifest_path: str | Path
) -> None:
    types = _write_artefacts(settings, staging, datasets, result)
    catalog = api_catalog(datasets, rows=result.rows["api"], types=types)
    catalog.update(version=result.version, created_at=result.created_at)
    _add_lineage(settings, catalog, datasets, manifest_path, result.deliveries)
    (staging / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False, indent=2), encoding="utf-8")
    jsonld = dcat_catalog(
        datasets,
        base_url=f"http://{settings.host}:{settings.api_port}",
        datasette_url=f"http://{settings.host}:{settings.datasette_port}",
        version=result.version,
        created_at=result.created_at,
    )
    (staging / "catalog.jsonld").write_text(json.dumps(jsonld, ensure_ascii=False, indent=2), encoding="utf-8")
    _write_open_extracts(settings, staging, datasets, types, result)
    (staging / "metadata.json").write_text(
        json.dumps(datasette_metadata(datasets), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "version": result.version,
        "created_at": result.created_at,
        "manifest_path": str(manifest_path),
        "rows": result.rows,
        "files": [
            {"path": p.relative_to(staging).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)} for p in files
        ],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    result.files = len(files) + 1


def _add_lineage(
    settings: Settings,
    catalog: dict[str, Any],
    datasets: list[Dataset],
    manifest_path: str | Path,
    deliveries: dict[str, str],
) -> None:
    """Each API dataset's lineage (models, source systems, per published field) into catalog.json."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    registry = load_registry(*registry_dirs(settings.registry_dirs))
    by_id = {d.id: d for d in datasets}
    for entry in catalog["datasets"]:
        d = by_id[entry["id"]]
        fields = [(o.name, o.source.name) for o in channel_fields(d, Channel.api)]
        entry["lineage"] = dataset_lineage(manifest, registry, d, fields=fields, deliveries=deliveries)


def _latest_deliveries(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = 'wh' and schema_name = 'raw' "
        "and table_name = '_deliveries'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute(
        "select source_id || '.' || entity, arg_max(delivery_id, received_at) from wh.raw._deliveries "
        "where status = 'loaded' group by 1"
    ).fetchall()
    return {k: v for k, v in rows}


def _write_open_extracts(
    settings: Settings, staging: Path, datasets: list[Dataset], types: dict[str, dict[str, str]], result: PublishResult
) -> None:
    """open/<id>/<id>.csv + datapackage.json for each 无条件开放 dataset: exactly the rows the API serves."""
    extracts = [d for d in datasets if is_open_extract(d)]
    if not extracts:
        return
    con = connect(":memory:", read_only=False, settings=settings)
    try:
        con.execute(f"attach '{staging / 'serving.duckdb'}' as serving (read_only)")
        con.execute("set timezone = 'Asia/Shanghai'")
        for d in extracts:
            folder = staging / "open" / d.id
            folder.mkdir(parents=True)
            csv_path = folder / f"{d.id}.csv"
            cols = types[d.id]
            # ISO 8601 timestamps with offset, as Table Schema's datetime expects them.
            select = ", ".join(
                f"strftime({_q(c)}, '%Y-%m-%dT%H:%M:%S%z') as {_q(c)}" if t.upper().startswith("TIMESTAMP") else _q(c)
                for c, t in cols.items()
            )
            con.execute(
                f"copy (select {select} from serving.{_q(d.id)} order by {_order(d)}) "
                f"to '{csv_path}' (header, delimiter ',')"
            )
            package = data_package(
                d,
                types=cols,
                csv_name=csv_path.name,
                csv_bytes=csv_path.stat().st_size,
                csv_sha256=_sha256(csv_path),
                version=result.version,
                created_at=result.created_at,
            )
            text = json.dumps(package, ensure_ascii=False, indent=2)
            (folder / "datapackage.json").write_text(text, encoding="utf-8")
    finally:
        con.close()


def _write_artefacts(
    settings: Settings, staging: Path, datasets: list[Dataset], result: PublishResult
) -> dict[str, dict[str, str]]:
    by_id = {d.id: d for d in datasets}
    con = connect(":memory:", read_only=False, settings=settings, extensions=("sqlite_scanner",))
    try:
        con.execute(f"attach '{settings.warehouse_path}' as wh (read_only)")
        con.execute("set timezone = 'Asia/Shanghai'")
        person = by_id.get("natural_person")
        if person is not None and "name" in {f.name for f in person.fields}:
            names = [
                r[0]
                for r in con.execute(f"select distinct name from {_source(person)} where name is not null").fetchall()
            ]
            result.person_names = names
        result.deliveries = _latest_deliveries(con)
        min_cell = settings.roster_min_cell
        result.rows["api"], types = _write_serving(con, staging, datasets, min_cell)
        result.rows["datasette"] = _write_analyst(con, staging, datasets, min_cell)
        result.suppressed_cells = _count_suppressed(con, datasets, min_cell)
        roster = by_id.get(ROSTER_DATASET)
        if roster is not None and roster.published_to(Channel.roster):
            result.rows["roster"], result.rosters = _write_rosters(con, staging, roster, by_id)
    finally:
        con.close()
    return types


def switch_current(published: Path, version: str) -> None:
    """Point `published/current` at `version` atomically: a new symlink at a temporary name, replaced over it."""
    tmp = published / f".current.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version, target_is_directory=True)  # relative, so the published folder can move
    os.replace(tmp, published / "current")


def _source(d: Dataset) -> str:
    schema, table = d.relation.split(".", 1)
    return f'wh."{schema}"."{table}"'


def suppressed_select(d: Dataset, sql: str, min_cell: int) -> str:
    """Cells of a published aggregate under `min_cell` (but not zero) become empty."""
    if not d.suppress_small_cells:
        return sql
    cells = ", ".join(
        f"case when {_q(c)} > 0 and {_q(c)} < {int(min_cell)} then null else {_q(c)} end as {_q(c)}"
        for c in d.suppress_small_cells
    )
    return f"select * replace ({cells}) from ({sql})"


def _count_suppressed(con: duckdb.DuckDBPyConnection, datasets: list[Dataset], min_cell: int) -> int:
    total = 0
    for d in datasets:
        if d.suppress_small_cells and d.publish:
            cells = d.suppress_small_cells
            terms = " + ".join(f"count(case when {_q(c)} > 0 and {_q(c)} < ? then 1 end)" for c in cells)
            params = [int(min_cell)] * len(d.suppress_small_cells)
            total += con.execute(f"select {terms} from {_source(d)}", params).fetchone()[0]  # type: ignore[index]
    return total


def _write_serving(
    con: duckdb.DuckDBPyConnection, folder: Path, datasets: list[Dataset], min_cell: int
) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    con.execute(f"attach '{folder / 'serving.duckdb'}' as serving")
    rows: dict[str, int] = {}
    types: dict[str, dict[str, str]] = {}
    try:
        for d in datasets:
            if not d.published_to(Channel.api):
                continue
            sql = suppressed_select(d, masked_select(d, CHANNEL_AUDIENCE[Channel.api], source=_source(d)), min_cell)
            con.execute(f'create table serving."{d.id}" as {sql}')
            pk = _order(d)
            # An ART index on the key makes keyset pages a seek, not a scan; it also enforces uniqueness.
            con.execute(f'create unique index "{d.id}_pk" on serving."{d.id}" ({pk})')
            rows[d.id] = con.execute(f'select count(*) from serving."{d.id}"').fetchone()[0]  # type: ignore[index]
            described = con.execute(f'describe serving."{d.id}"').fetchall()
            types[d.id] = {r[0]: r[1] for r in described}
    finally:
        con.execute("detach serving")
    return rows, types


def _write_analyst(
    con: duckdb.DuckDBPyConnection, folder: Path, datasets: list[Dataset], min_cell: int
) -> dict[str, int]:
    path = folder / "analyst.sqlite"
    con.execute(f"attach '{path}' as analyst (type sqlite)")
    rows: dict[str, int] = {}
    try:
        for d in datasets:
            if not d.published_to(Channel.datasette):
                continue
            sql = masked_select(d, CHANNEL_AUDIENCE[Channel.datasette], source=_source(d))
            sql = suppressed_select(d, sql, min_cell)
            # SQLite has no decimal: DuckDB would write text, which sorts wrongly in Datasette.
            decimals = [r[0] for r in con.execute(f"describe {sql}").fetchall() if r[1].startswith("DECIMAL")]
            if decimals:
                casts = ", ".join(f"cast({_q(c)} as double) as {_q(c)}" for c in decimals)
                sql = f"select * replace ({casts}) from ({sql})"
            con.execute(f'create table analyst."{d.id}" as {sql}')
            rows[d.id] = con.execute(f'select count(*) from analyst."{d.id}"').fetchone()[0]  # type: ignore[index]
    finally:
        con.execute("detach analyst")
    with sqlite3.connect(path) as db:
        for d in datasets:
            if d.id in rows:
                pk = _order(d)
                db.execute(f'create unique index "{d.id}_pk" on "{d.id}" ({pk})')
        db.execute("analyze")
    db.close()
    return rows


def _write_rosters(
    con: duckdb.DuckDBPyConnection, folder: Path, roster: Dataset, by_id: dict[str, Dataset]
) -> tuple[dict[str, int], int]:
    """One workbook per village unit; villages with no residents still get one with its headers."""
    outs = channel_fields(roster, Channel.roster)
    if "village_code" not in {o.name for o in outs if o.action is Action.keep}:
        raise CatalogError([f"{roster.id}: the roster needs a kept `village_code` column"])
    out_dir = folder / "rosters"
    out_dir.mkdir()
    village = by_id.get(VILLAGE_DATASET)
    if village is not None:
        codes = [r[0] for r in con.execute(f"select village_code from {_source(village)} order by 1").fetchall()]
    else:
        codes = []
    sql = masked_select(roster, CHANNEL_AUDIENCE[Channel.roster], source=_source(roster))
    cur = con.execute(f'select * from ({sql}) order by "village_code", {_order(roster)}')
    names = [c[0] for c in cur.description]  # type: ignore[union-attr]
    vc = names.index("village_code")
    headers = [o.title for o in outs]
    counts: dict[str, int] = {}
    book: _RosterBook | None = None
    while batch := cur.fetchmany(10_000):
        for row in batch:
            if book is None or book.code != row[vc]:
                if book is not None:
                    counts[book.code] = book.close()
                book = _RosterBook(out_dir, row[vc], roster.title, headers)
            book.write(row)
    if book is not None:
        counts[book.code] = book.close()
    for code in codes:
        if code not in counts:
            counts[code] = _RosterBook(out_dir, code, roster.title, headers).close()
    return {roster.id: sum(counts.values())}, len(counts)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _order(d: Dataset) -> str:
    return ", ".join(_q(k) for k in d.primary_key)


class _RosterBook:
    """A constant-memory workbook: Chinese headers in a frozen first row, dates as dates, text as text."""

    def __init__(self, folder: Path, code: str, title: str, headers: list[str]):
        self.code, self.rows = code, 0
        self.book = xlsxwriter.Workbook(
            str(folder / f"{code}.xlsx"), {"constant_memory": True, "remove_timezone": True}
        )
        self.sheet = self.book.add_worksheet(title[:31])
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        bold = self.book.add_format({"bold": True})
        for i, h in enumerate(headers):
            self.sheet.set_column(i, i, max(12, 2 * len(h) + 2))
        self.sheet.write_row(0, 0, headers, bold)
        self.sheet.freeze_panes(1, 0)

    def write(self, row: tuple[Any, ...]) -> None:
        self.rows += 1
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                self.sheet.write_datetime(self.rows, col, value, self.date_format)
            elif isinstance(value, str):
                self.sheet.write_string(self.rows, col, value)
            else:
                self.sheet.write(self.rows, col, value)

    def close(self) -> int:
        self.book.close()
        return self.rows

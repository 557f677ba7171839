"""The publish frame: a new version folder, every writer into it, the manifest, the personal-data scan, and one
atomic switch of `published/current` — or a refusal that leaves the previous version serving.

The warehouse is opened read-only (the pipeline, its one writer, is idle during publish). Each version is built
in a hidden folder, renamed into place when complete, and `published/current` is switched with one rename of a
symlink; older versions stay for readers still using them, the newest Settings.published_keep of them
(zhongtai/versions.py).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from catalog.datasets import load_datasets
from catalog.masking import check_channels
from catalog.scanner import ScanError, scan_version
from orchestration.publish.context import WAREHOUSE, PublishContext, PublishResult, Writer, source
from orchestration.publish.writers import WRITERS
from zhongtai import audit, bookkeeping, versions
from zhongtai.duckdb import connect
from zhongtai.files import atomic_symlink, move_into_place, sha256_file
from zhongtai.notice import clear_stale, mark_stale
from zhongtai.settings import Settings
from zhongtai.sql import quote_identifier, quote_literal

PERSON_DATASET = "natural_person"


def publish(settings: Settings, manifest_path: str | Path, writers: list[Writer] | None = None) -> PublishResult:
    """Publish a new version, or refuse: the previous one keeps serving and `published/status.json` says why."""
    try:
        result = _publish(settings, Path(manifest_path), WRITERS if writers is None else writers)
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


def new_version(published: Path, now: datetime) -> str:
    base = "v" + now.strftime("%Y%m%dT%H%M%SZ")
    version, n = base, 1
    while (published / version).exists():
        version, n = f"{base}-{n}", n + 1
    return version


def switch_current(published: Path, version: str) -> None:
    """Point `published/current` at `version` atomically (relative, so the published folder can move)."""
    atomic_symlink(version, published / "current")


def _publish(settings: Settings, manifest_path: Path, writers: list[Writer]) -> PublishResult:
    datasets = load_datasets(manifest_path)  # CatalogError names every missing fact
    check_channels(datasets)
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}: run the pipeline before publishing")

    published = settings.published_dir
    published.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    version = new_version(published, now)
    staging = published / f".{version}.building"
    staging.mkdir()
    result = PublishResult(version=version, path=published / version, created_at=now.isoformat(timespec="seconds"))

    try:
        con = connect(":memory:", read_only=False, settings=settings, extensions=("sqlite_scanner",))
        try:
            con.execute(f"attach {quote_literal(str(settings.warehouse_path))} as {WAREHOUSE} (read_only)")
            con.execute("set timezone = 'Asia/Shanghai'")
            context = PublishContext(settings, datasets, manifest_path, con, result)
            _read_facts(context)
            for writer in writers:
                writer.write(context, staging)
        finally:
            con.close()
        _write_manifest(staging, result, manifest_path)
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

    move_into_place(staging, result.path)
    switch_current(published, version)
    result.pruned = versions.prune(published, settings.published_keep)
    return result


def _read_facts(context: PublishContext) -> None:
    """What the frame needs beyond the writers: persons' names for the scan, the deliveries behind the version,
    and how many aggregate cells are suppressed."""
    con, result, min_cell = context.con, context.result, int(context.settings.roster_min_cell)
    person = context.by_id.get(PERSON_DATASET)
    if person is not None and "name" in {f.name for f in person.fields}:
        sql = f"select distinct name from {source(person)} where name is not null"
        result.person_names = [r[0] for r in con.execute(sql).fetchall()]
    result.deliveries = bookkeeping.latest_deliveries(con, WAREHOUSE)
    for d in context.datasets:
        if d.suppress_small_cells and d.publish:
            q = quote_identifier
            terms = " + ".join(f"count(case when {q(c)} > 0 and {q(c)} < ? then 1 end)" for c in d.suppress_small_cells)
            params = [min_cell] * len(d.suppress_small_cells)
            result.suppressed_cells += con.execute(f"select {terms} from {source(d)}", params).fetchone()[0]  # type: ignore[index]


def _write_manifest(staging: Path, result: PublishResult, manifest_path: Path) -> None:
    """manifest.json: every file of the version with its size and SHA-256."""
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "version": result.version,
        "created_at": result.created_at,
        "manifest_path": str(manifest_path),
        "rows": result.rows,
        "files": [
            {"path": p.relative_to(staging).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in files
        ],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    result.files = len(files) + 1

"""Source operations from the registry: a job and schedule per cadence, and a file-drop sensor.

Freshness is a policy on each source asset (orchestration/sources.py), from the entry's freshness_hours."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from catalog.registry import Registry, SourceSystem
from orchestration.ingestion.connectors import resolve_location
from orchestration.resources import WarehouseResource
from orchestration.sources import raw_asset_key
from zhongtai.settings import Settings

CRONS = {"hourly": "5 * * * *", "daily": "30 1 * * *", "weekly": "0 2 * * 1", "monthly": "0 3 1 * *"}
TIMEZONE = "Asia/Shanghai"
FILE_DROP_SENSOR = "source_file_drops"


def _keys(sources: list[SourceSystem]) -> list[dg.AssetKey]:
    return [raw_asset_key(s, e.name) for s in sources for e in s.entities]


def cadence_job_name(cadence: str) -> str:
    return f"sources_{cadence}"


def build_cadence_jobs(registry: Registry) -> list[dg.UnresolvedAssetJobDefinition]:
    """One job per cadence over the sources registered with that schedule (the staging/marts follow the refresh)."""
    jobs = []
    for cadence in CRONS:
        sources = [s for s in registry if s.schedule == cadence]
        if sources:
            jobs.append(
                dg.define_asset_job(
                    cadence_job_name(cadence),
                    selection=dg.AssetSelection.assets(*_keys(sources)),
                    description=f"拉取并加载按{cadence}交付的 {len(sources)} 个源系统",
                )
            )
    return jobs


def build_cadence_schedules(jobs: list[dg.UnresolvedAssetJobDefinition]) -> list[dg.ScheduleDefinition]:
    return [
        dg.ScheduleDefinition(
            name=f"{job.name}_schedule",
            job=job,
            cron_schedule=CRONS[job.name.removeprefix("sources_")],
            execution_timezone=TIMEZONE,
            default_status=dg.DefaultScheduleStatus.STOPPED,
        )
        for job in jobs
    ]


def drop_files(source: SourceSystem, settings: Settings) -> dict[str, str]:
    """Files waiting in a file-drop source's folder that match an entity's locator: path -> size:mtime."""
    folder = Path(resolve_location(source, settings))
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for entity in source.entities:
        for path in folder.glob(entity.locator):
            if path.is_file() and not path.name.startswith("."):
                st = path.stat()
                found[str(path)] = f"{st.st_size}:{st.st_mtime_ns}"
    return found


def new_drops(registry: Registry, settings: Settings, cursor: dict[str, str]) -> tuple[dict[str, list[str]], dict]:
    """(source id -> new or changed files, the new cursor) — the sensor's logic, testable without Dagster."""
    seen: dict[str, str] = {}
    changed: dict[str, list[str]] = {}
    for source in registry:
        if source.connector.kind not in ("file_drop", "upload"):
            continue
        for path, stamp in drop_files(source, settings).items():
            seen[path] = stamp
            if cursor.get(path) != stamp:
                changed.setdefault(source.id, []).append(path)
    return changed, seen


def build_file_drop_sensor(registry: Registry) -> dg.SensorDefinition:
    """Requests a source's assets when a new file appears in its drop folder (or a file there changes)."""
    keys = {s.id: _keys([s]) for s in registry}

    @dg.sensor(
        name=FILE_DROP_SENSOR,
        minimum_interval_seconds=60,
        asset_selection=dg.AssetSelection.assets(*[k for ks in keys.values() for k in ks]),
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="源系统投递目录出现新文件时，拉取并加载该源系统",
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        cursor = json.loads(context.cursor) if context.cursor else {}
        changed, seen = new_drops(registry, warehouse.settings(), cursor)
        for source_id, files in sorted(changed.items()):
            yield dg.RunRequest(
                run_key=f"{source_id}:{max(seen[f] for f in files)}:{len(files)}",
                asset_selection=keys[source_id],
                tags={"source_id": source_id, "files": str(len(files))},
            )
        context.update_cursor(json.dumps(seen))

    return _sensor

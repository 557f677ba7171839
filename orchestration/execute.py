"""Run the whole asset graph in-process against the instance under the data directory, with progress."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from sqlalchemy import Engine, event

from orchestration.publish.asset import PUBLISH_KEY
from zhongtai.settings import REPO_ROOT, Settings


def prepare_instance(settings: Settings) -> dg.DagsterInstance:
    """DAGSTER_HOME is <data>/dagster with the project's dagster.yaml: storage under the data directory."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    _run_history_without_fsync(home)
    return dg.DagsterInstance.get()


_UNSYNCED: set[str] = set()


def _run_history_without_fsync(home: Path) -> None:
    """Dagster's SQLite storage opens a connection for every event it stores and commits it, and SQLite's default
    (synchronous=FULL) makes each commit wait for the disk: a `tiny` run stores about 2,700 events in two files, and a
    commit cost 30 ms with fsync against 1.2 ms without on this machine (1,000 commits, under load). The run history is
    bookkeeping about runs, not the district's data, so its files under `home` are written with synchronous=OFF: a
    killed process still leaves them whole (SQLite's journal is kept); only an OS crash could lose the last events.
    The warehouse, landing and the audit log keep their own durability."""
    root = str(home.resolve())
    if not _UNSYNCED:

        @event.listens_for(Engine, "connect")
        def _unsynced(dbapi_connection: Any, _record: Any) -> None:
            if isinstance(dbapi_connection, sqlite3.Connection):
                file = dbapi_connection.execute("pragma database_list").fetchone()[2]
                if any(file.startswith(prefix) for prefix in _UNSYNCED):
                    dbapi_connection.execute("pragma synchronous=OFF")

    _UNSYNCED.add(root)


@dataclass
class RunReport:
    success: bool
    seconds: float
    materialized: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # failed step → what failed it, as the error said
    failed_checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _EventHandler(logging.Handler):
    def __init__(self, on_event: Callable[[str, str], None]) -> None:
        super().__init__()
        self.on_event = on_event

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None:
            return
        kind = event.event_type_value
        if kind in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
            self.on_event(kind, event.step_key or "")
        if kind == "STEP_FAILURE" and event.event_specific_data is not None:
            self.on_event("STEP_ERROR", f"{event.step_key or ''}\t{error_text(event.event_specific_data.error)}")
        elif kind == "ASSET_MATERIALIZATION":
            self.on_event(kind, event.asset_key.to_user_string() if event.asset_key else "")
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            blocking = data.severity == dg.AssetCheckSeverity.ERROR
            kind = "CHECK_PASSED" if data.passed else "CHECK_FAILED" if blocking else "CHECK_WARNED"
            self.on_event(kind, data.asset_check_key.to_user_string())


def error_text(error: Any) -> str:
    """What failed a step, as its innermost error said it (a retry's or a wrapper's cause is the real error)."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return "no error was reported"
    return str(error.message).strip() or error.cls_name


def run_all(
    settings: Settings,
    *,
    selection: str | None = None,
    on_event: Callable[[str, str], None] | None = None,
) -> RunReport:
    """Materialise every asset (or a selection) once, in-process; the same graph the schedule runs."""
    from orchestration.definitions import REFRESH_JOB, build_definitions

    instance = prepare_instance(settings)
    materialized: list[str] = []
    failed_steps: list[str] = []
    errors: dict[str, str] = {}
    failed_checks: list[str] = []
    warnings: list[str] = []

    def record(kind: str, what: str) -> None:
        if kind == "ASSET_MATERIALIZATION":
            materialized.append(what)
        elif kind == "STEP_FAILURE":
            failed_steps.append(what)
        elif kind == "STEP_ERROR":
            step, text = what.split("\t", 1)
            errors[step] = text
        elif kind == "CHECK_FAILED":
            failed_checks.append(what)
        elif kind == "CHECK_WARNED":
            warnings.append(what)
        if on_event:
            on_event(kind, what)

    @dg.logger
    def progress_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
        log = logging.getLogger("zhongtai.run")
        log.handlers = [_EventHandler(record)]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    defs = build_definitions(settings)
    # Our logger replaces the console one: steps and checks as short lines instead of Dagster's debug log.
    job = defs.resolve_job_def(REFRESH_JOB).with_logger_defs({"progress": progress_logger})
    # a selection naming part of a multi-asset (one department's tables) takes the whole step it belongs to
    chosen = dg.AssetSelection.from_string(selection).required_multi_asset_neighbors() if selection else None
    keys = list(chosen.resolve(defs.resolve_asset_graph())) if chosen else None
    started = time.monotonic()
    result = job.execute_in_process(
        instance=instance, asset_selection=keys, raise_on_error=False, run_config={"loggers": {"progress": {}}}
    )
    report = RunReport(
        result.success, time.monotonic() - started, materialized, failed_steps, errors, failed_checks, warnings
    )
    _notice_when_publish_was_held_back(settings, defs, keys, report)
    return report


def _notice_when_publish_was_held_back(
    settings: Settings, defs: dg.Definitions, keys: list[dg.AssetKey] | None, report: RunReport
) -> None:
    """Publish was due but a blocking check or a failed step kept it from running: the snapshot served is stale.

    (When publish itself refuses, it writes the notice with its own reason; a successful publish clears it.)
    """
    from zhongtai.notice import mark_stale

    if keys is not None and PUBLISH_KEY not in keys:
        return
    if PUBLISH_KEY.to_user_string() in report.materialized or any("published" in s for s in report.failed_steps):
        return
    reasons = [f"failed check {c}" for c in report.failed_checks] + [f"failed step {s}" for s in report.failed_steps]
    mark_stale(
        settings.published_dir,
        "publish held back: " + ("; ".join(reasons) or "it did not run"),
        failed_checks=report.failed_checks,
    )

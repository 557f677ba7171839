"""`zhongtai sandbox advance --days 7`, then `zhongtai run`: the second run loads exactly what the advance delivered.

Two real pipeline runs on a `tiny` district: the first on the generated deliveries (the shared `onboarded_tiny` run,
whose registry has one more system from an extra folder), the second, on a copy of it, after a week of the district's
life. What the second run loaded is read from `raw._deliveries` and compared with the files the advance
wrote (listed before and after it) and the rows it added to the one-window and grid databases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import polars as pl
import pytest

from tests.support.onboarding import Onboarded, registry_env
from tests.support.pipeline import ZHONGTAI, pipeline_env, run_pipeline
from tests.support.readers import query, sandbox_as_of, truth
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def _drops(settings: Settings) -> dict[str, str]:
    """Every file in the drop folders: path under upstream -> sha256."""
    root = settings.upstream
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "drops").rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _sql(db: Path, sql: str) -> object:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_advance_then_run_loads_only_the_new_deliveries_and_publishes_a_new_version(
    onboarded_tiny: Onboarded,
    rerun_copy,  # type: ignore[no-untyped-def]
) -> None:
    first = onboarded_tiny.run
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    copied, _ = rerun_copy(onboarded_tiny.settings, "advanced_tiny")
    settings = Settings(data_dir=copied.root, registry_dirs=onboarded_tiny.settings.registry_dirs)
    data = settings.root
    loaded_before = query(settings, "select delivery_id, source_id, sha256 from raw._deliveries")
    version_before = os.readlink(settings.current_snapshot)
    files_before = _drops(settings)
    ow, grid = settings.upstream / "onewindow" / "onewindow.sqlite", settings.upstream / "grid" / "grid.sqlite"
    ow_mark = _sql(ow, "select max(updatedAt) from person_applications")
    grid_marks = {t: _sql(grid, f"select max(id) from {t}") for t in ("residents", "events")}
    day_before = sandbox_as_of(settings)

    advanced = subprocess.run(
        [ZHONGTAI, "sandbox", "advance", "--days", "7"], env=pipeline_env(data), capture_output=True, text=True
    )
    assert advanced.returncode == 0, advanced.stdout + advanced.stderr
    assert "district advanced to" in advanced.stdout
    assert sandbox_as_of(settings) == day_before + dt.timedelta(days=7)
    record = json.loads((settings.truth_dir / "summary.json").read_text(encoding="utf-8"))["advances"][-1]
    files_after = _drops(settings)
    written = {f["path"]: f["sha256"] for f in record["files"]}
    # the advance reports exactly the files that appeared, and changes none of the files already there
    assert set(files_after) - set(files_before) == set(written)
    assert {p: files_after[p] for p in files_before} == files_before
    assert {p: files_after[p] for p in written} == written
    resent = [f for f in record["files"] if f["how"] == "re-sent"]
    corrected = [f for f in record["files"] if f["how"] == "correction"]
    cut_short = [f for f in record["files"] if f["how"].startswith("cut short")]
    assert len(resent) == 1 and len(corrected) == 1 and len(cut_short) == 1
    resent_original = [f for f in record["files"] if f["sha256"] == resent[0]["sha256"] and f["how"] != "re-sent"]
    assert resent_original, "a re-sent delivery repeats one sent before, byte for byte"

    second = run_pipeline(registry_env(settings))
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    deliveries = query(
        settings,
        "select delivery_id, source_id, entity, sha256, file_name, rows_delivered, status from raw._deliveries",
    )
    new = deliveries.filter(~pl.col("delivery_id").is_in(loaded_before["delivery_id"].implode()))

    # file drops: one delivery per new content of a system, and nothing else
    seen = set(loaded_before.select("source_id", "sha256").iter_rows())
    expected = {(path.split("/")[1], sha) for path, sha in written.items()} - seen
    from_files = new.filter(~pl.col("source_id").is_in(["onewindow", "grid"]))
    assert set(from_files.select("source_id", "sha256").iter_rows()) == expected
    assert from_files.height == len(expected), "each new content is loaded once"
    # the re-sent file was not loaded again, and no content was ever loaded twice
    assert resent[0]["path"].rsplit("/", 1)[1] not in deliveries["file_name"].to_list()
    assert deliveries.group_by("source_id", "entity", "sha256").len()["len"].max() == 1
    # the cut-short extract and its correction both arrived, the correction last
    names = from_files.filter(pl.col("source_id") == "hukou")["file_name"].to_list()
    assert cut_short[0]["path"].rsplit("/", 1)[1] in names and corrected[0]["path"].rsplit("/", 1)[1] in names

    # the databases: the one-window API served every row added or updated after the first run's mark
    ow_rows = _sql(ow, f"select count(*) from person_applications where updatedAt > '{ow_mark}'")
    grid_rows = {t: _sql(grid, f"select max(id) from {t}") - grid_marks[t] for t in grid_marks}
    got = {e: r for _, e, r in new.filter(pl.col("source_id").is_in(["onewindow", "grid"])).select(
        "source_id", "entity", "rows_delivered"
    ).iter_rows()}  # fmt: skip
    assert got["person_applications"] == ow_rows > 0
    assert got["residents"] == grid_rows["residents"] > 0 and got["events"] == grid_rows["events"] > 0
    assert got["enterprise_applications"] == record["rows_added"]["onewindow/enterprise_applications"]
    assert got["credit_records"] == record["rows_added"]["onewindow/credit_records"]

    # a new published version, and `current` points at it
    version_after = os.readlink(settings.current_snapshot)
    assert version_after != version_before and (settings.published_dir / version_after).is_dir()

    # a child born in those days and registered in the hukou before the new date is a natural person now
    births = truth(settings, "life_events").filter(
        (pl.col("kind") == "birth") & (pl.col("registered_on") < sandbox_as_of(settings))
    )
    assert births.height >= 1
    born = truth(settings, "persons").filter(pl.col("person_id").is_in(births["person_id"].implode()))
    known = query(
        settings,
        "select id_number from marts.natural_person where id_number in (select unnest(?))",
        [born["citizen_id"].to_list()],
    )
    assert set(known["id_number"]) == set(born["citizen_id"])


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_same_advances_give_the_same_files_and_a_held_back_delivery_arrives_with_the_next(tmp_path: Path) -> None:
    import shutil

    from stdnum.cn import ric

    import sandbox
    from sandbox.timeline import LATE_SYSTEM

    first = Settings(data_dir=tmp_path / "a")
    sandbox.generate(first, "tiny")
    generated_on = sandbox_as_of(first)
    twin = Settings(data_dir=tmp_path / "b")
    shutil.copytree(first.root, twin.root)
    for settings in (first, twin):
        sandbox.advance(settings, 3)
        sandbox.advance(settings, 5)
    assert _tree(first.sandbox_dir) == _tree(twin.sandbox_dir)

    summary = json.loads((first.truth_dir / "summary.json").read_text(encoding="utf-8"))
    one, two = summary["advances"]
    assert summary["as_of"] == two["to"] == (dt.date.fromisoformat(one["from"]) + dt.timedelta(days=8)).isoformat()
    assert one["held_back"] == {"system": LATE_SYSTEM, "day": one["to"]}
    late = [f for f in two["files"] if f["how"] == "late"]
    assert [(f["system"], f["day"]) for f in late] == [(LATE_SYSTEM, one["to"])]
    assert not any(f["path"] == late[0]["path"] for f in one["files"])

    # the truth moved on with the district: valid, distinct IDs for the newborns; the dead are dead
    persons = truth(first, "persons")
    events = truth(first, "life_events")
    born = persons.filter(pl.col("person_id").is_in(events.filter(pl.col("kind") == "birth")["person_id"].implode()))
    assert born.height == one["life"]["births"] + two["life"]["births"] > 0
    assert all(ric.is_valid(i) for i in born["citizen_id"]) and persons["citizen_id"].n_unique() == persons.height
    dead = events.filter(pl.col("kind") == "death")["person_id"]
    assert not persons.filter(pl.col("person_id").is_in(dead.implode()))["alive"].any()

    # the one-window API serves what the advances added: every case touched since the district was generated,
    # among them a newborn's registration
    from fastapi.testclient import TestClient

    from sandbox.onewindow_server import create_app

    body = (
        TestClient(create_app(first))
        .get(
            "/api/v1/person-applications", params={"updated_since": f"{generated_on}T00:00:00+08:00", "page_size": 1000}
        )
        .json()
    )
    db = first.upstream / "onewindow" / "onewindow.sqlite"
    assert body["total"] == _sql(db, f"select count(*) from person_applications where updatedAt > '{generated_on}'")
    assert body["total"] >= sum(a["rows_added"]["onewindow/person_applications"] for a in (one, two))
    assert "ZR0004" in {i["itemCode"] for i in body["items"]}

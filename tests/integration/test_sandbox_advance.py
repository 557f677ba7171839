"""`zhongtai sandbox advance --days 7`, then `zhongtai run`: the later run loads exactly what arrived since the first.

The shared `later_tiny` run (tests/support/later_tiny): on a copy of the `tiny` district's first run, a new system is
onboarded, the district advances a week and a bad file is dropped; then one run. What it loaded is read from
`raw._deliveries` and compared with the files the advance wrote (listed before and after it), the rows it added to
the one-window and grid databases, and the raw tables' row counts before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import polars as pl
import pytest

from tests.support.later_tiny import BAD_FILE, LaterTiny, sqlite_value
from tests.support.onboarding import SOURCE_ID
from tests.support.readers import query, raw_counts, sandbox_as_of, truth
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def _new_deliveries(later: LaterTiny) -> pl.DataFrame:
    deliveries = query(
        later.settings,
        "select delivery_id, source_id, entity, sha256, file_name, rows_delivered, rows_loaded, rows_quarantined, "
        "status, error_code, error from raw._deliveries",
    )
    return deliveries.filter(~pl.col("delivery_id").is_in(later.before.deliveries["delivery_id"].implode()))


def test_advance_then_run_loads_only_the_new_deliveries_and_publishes_a_new_version(later_tiny: LaterTiny) -> None:
    later, before = later_tiny, later_tiny.before
    settings = later.settings
    assert later.advanced.returncode == 0, later.advanced.stdout + later.advanced.stderr
    assert "district advanced to" in later.advanced.stdout
    assert sandbox_as_of(settings) == before.as_of + dt.timedelta(days=7)
    record, files_before, files_after = later.advance, before.drops, later.drops_advanced
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

    assert later.run.returncode == 0, later.run.stdout[-4000:] + later.run.stderr[-4000:]
    deliveries = query(settings, "select source_id, entity, sha256, file_name from raw._deliveries")
    new = _new_deliveries(later)

    # file drops: one delivery per new content of a system, and nothing else (the onboarded system's first delivery
    # and the bad file are the tests of their own)
    seen = set(before.deliveries.select("source_id", "sha256").iter_rows())
    expected = {(path.split("/")[1], sha) for path, sha in written.items()} - seen
    from_files = new.filter(
        ~pl.col("source_id").is_in(["onewindow", "grid", SOURCE_ID]) & (pl.col("file_name") != BAD_FILE)
    )
    assert set(from_files.select("source_id", "sha256").iter_rows()) == expected
    assert from_files.height == len(expected), "each new content is loaded once"
    # the re-sent file was not loaded again, and no content was ever loaded twice
    assert resent[0]["path"].rsplit("/", 1)[1] not in deliveries["file_name"].to_list()
    assert deliveries.group_by("source_id", "entity", "sha256").len()["len"].max() == 1
    # the cut-short extract and its correction both arrived, the correction last
    names = from_files.filter(pl.col("source_id") == "hukou")["file_name"].to_list()
    assert cut_short[0]["path"].rsplit("/", 1)[1] in names and corrected[0]["path"].rsplit("/", 1)[1] in names

    # the databases: the one-window API served every row added or updated after the first run's mark
    ow, grid = settings.upstream / "onewindow" / "onewindow.sqlite", settings.upstream / "grid" / "grid.sqlite"
    ow_rows = sqlite_value(ow, f"select count(*) from person_applications where updatedAt > '{before.onewindow_mark}'")
    grid_rows = {t: sqlite_value(grid, f"select max(id) from {t}") - before.grid_marks[t] for t in before.grid_marks}
    got = {e: r for _, e, r in new.filter(pl.col("source_id").is_in(["onewindow", "grid"])).select(
        "source_id", "entity", "rows_delivered"
    ).iter_rows()}  # fmt: skip
    assert got["person_applications"] == ow_rows > 0
    assert got["residents"] == grid_rows["residents"] > 0 and got["events"] == grid_rows["events"] > 0
    assert got["enterprise_applications"] == record["rows_added"]["onewindow/enterprise_applications"]
    assert got["credit_records"] == record["rows_added"]["onewindow/credit_records"]

    # a new published version, and `current` points at it
    version_after = os.readlink(settings.current_snapshot)
    assert version_after != before.version and (settings.published_dir / version_after).is_dir()

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


def test_a_bad_file_is_quarantined_and_loses_nothing_else(later_tiny: LaterTiny) -> None:
    """The file cut short in transit is one quarantined delivery; every raw table grew by exactly the rows of its new
    deliveries, so nothing already loaded was loaded again and nothing new was lost."""
    assert later_tiny.run.returncode == 0, later_tiny.run.stdout[-4000:]
    new = _new_deliveries(later_tiny)
    bad = new.filter(pl.col("file_name") == BAD_FILE)
    assert bad.select("status", "error_code", "rows_loaded").rows() == [("quarantined", "unreadable_file", 0)]
    assert BAD_FILE in bad["error"][0]
    grown = {
        f"{s}__{e}": n for s, e, n in new.group_by("source_id", "entity").agg(pl.col("rows_loaded").sum()).iter_rows()
    }
    # each new delivery's rows are all somewhere: in its raw table or in quarantine, as many as it delivered
    for delivery_id, source_id, entity, delivered, loaded, quarantined in new.select(
        "delivery_id", "source_id", "entity", "rows_delivered", "rows_loaded", "rows_quarantined"
    ).iter_rows():
        in_raw = (
            query(
                later_tiny.settings,
                f'select count(*) as n from raw."{source_id}__{entity}" where _delivery_id = ?',
                [delivery_id],
            )["n"][0]
            if loaded
            else 0
        )
        held = query(
            later_tiny.settings, "select count(*) as n from raw._quarantine where delivery_id = ?", [delivery_id]
        )["n"][0]
        assert (in_raw, held, loaded + quarantined) == (loaded, quarantined, delivered), delivery_id
    after = raw_counts(later_tiny.settings)
    assert set(after) == set(later_tiny.before.raw_counts) | {f"{SOURCE_ID}__records"}
    assert after == {t: later_tiny.before.raw_counts.get(t, 0) + grown.get(t, 0) for t in after}


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
    touched = f"select count(*) from person_applications where updatedAt > '{generated_on}'"
    assert body["total"] == sqlite_value(db, touched)
    assert body["total"] >= sum(a["rows_added"]["onewindow/person_applications"] for a in (one, two))
    assert "ZR0004" in {i["itemCode"] for i in body["items"]}

"""Credit repair (信用修复) through the real pipeline: the credit office's register, a review, the record withdrawn.

The checks used by test_credit_repair.py, on the small run and the later run of tests/integration/conftest.py:
a finished run (as of the district's date) → the status mart shows every
application of the register as its truth says → the credit office delivers its register again, approving the repair
of a published penalty and rejecting another → `zhongtai run` → the approved penalty is gone from every published
artefact that carried it, its subject's score rose by exactly the penalty's former contribution, the status mart
says repaired with the approving review, and the rejected application changed nothing.

`deliver_repair` and `check_repair_withdraws_penalty` take only Settings, so any module with a finished run can
deliver a repair before its next run and check the outcome after it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

import sandbox
from tests.support.readers import nonempty, query, sandbox_as_of
from zhongtai.settings import Settings

PENALTY = "行政处罚"


# ------------------------------------------------------------------------------------------------ reading


def published_version(settings: Settings) -> str:
    return settings.current_snapshot.resolve().name


def artefacts_carrying(settings: Settings, record_key: str) -> set[str]:
    """Every table or file of the current published version that has a row with this record_key."""
    current = settings.current_snapshot.resolve()
    found: set[str] = set()
    con = duckdb.connect(str(current / "serving.duckdb"), read_only=True)
    try:
        tables = con.execute(
            "select table_name from duckdb_columns() where column_name = 'record_key' and schema_name = 'main'"
        ).fetchall()
        for (table,) in tables:
            if con.execute(f'select count(*) from "{table}" where record_key = ?', [record_key]).fetchone()[0]:  # type: ignore[index]
                found.add(f"serving.duckdb:{table}")
    finally:
        con.close()
    db = sqlite3.connect(f"file:{current / 'analyst.sqlite'}?mode=ro", uri=True)
    try:
        for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
            columns = {r[1] for r in db.execute(f'pragma table_info("{table}")').fetchall()}
            if (
                "record_key" in columns
                and db.execute(f'select count(*) from "{table}" where record_key = ?', [record_key]).fetchone()[0]
            ):
                found.add(f"analyst.sqlite:{table}")
    finally:
        db.close()
    for path in sorted((current / "open").glob("*/*.csv")):
        frame = pl.read_csv(path, infer_schema=False)
        if "record_key" in frame.columns and record_key in set(frame["record_key"]):
            found.add(f"open/{path.parent.name}/{path.name}")
    return found


def published_record_keys(settings: Settings) -> set[str]:
    con = duckdb.connect(str(settings.current_snapshot.resolve() / "serving.duckdb"), read_only=True)
    try:
        return {r[0] for r in con.execute("select record_key from credit_record").fetchall()}
    finally:
        con.close()


def score(settings: Settings, subject_type: str, subject_key: str) -> tuple[int, str]:
    row = query(
        settings,
        "select score, grade from marts.credit_profile where subject_type = ? and subject_key = ?",
        [subject_type, subject_key],
    )
    assert row.height == 1, (subject_type, subject_key)
    return int(row["score"][0]), str(row["grade"][0])


def status(settings: Settings, record_key: str) -> dict[str, Any]:
    rows = query(settings, "select * from marts.credit_record_status where record_key = ?", [record_key])
    assert rows.height == 1, record_key
    return rows.row(0, named=True)


def grade_of(points: int) -> str:
    return "A" if points >= 105 else "B" if points >= 90 else "C" if points >= 70 else "D"


# ------------------------------------------------------------------------------------------------ the workflow


@dataclass(frozen=True)
class RepairCase:
    """What was delivered, and what the published outputs and the marts said before the next run."""

    approved: dict[str, Any]  # credit_record_status row of the penalty whose repair is approved
    rejected: dict[str, Any]  # … and of the one whose repair is rejected
    approved_application_no: str
    rejected_application_no: str
    reviewed_on: dt.date
    contribution: int  # the approved penalty's points in its subject's score before the repair
    approved_score: int
    rejected_score: int
    carried_by: frozenset[str]  # published artefacts holding the approved penalty
    rejected_carried_by: frozenset[str]
    published_before: frozenset[str]  # record keys in the published credit_record
    version_before: str
    as_of_before: dt.date  # the pipeline's as-of date on the first run


def check_register_reaches_the_status_mart(settings: Settings) -> None:
    """Every application the sandbox judged shows in the status mart with the state its truth gives."""
    truth = pl.read_parquet(settings.truth_dir / "credit_repairs.parquet").filter(pl.col("state").is_not_null())
    assert truth.height > 0
    marts = query(
        settings,
        "select source_id, record_no, record_key, repair_state, repair_application_no, repair_effective_on, "
        "is_repaired, is_published from marts.credit_record_status where repair_state is not null",
    )
    both = truth.join(marts, on=["source_id", "record_no"], how="left")
    assert both["repair_state"].null_count() == 0, "an application names a record the status mart does not hold"
    assert (both["repair_state"] == both["state"]).all(), both.filter(pl.col("repair_state") != pl.col("state"))
    assert (both["repair_application_no"] == both["application_no"]).all()
    approved = nonempty(both.filter(pl.col("state").is_in(["approved", "effective"])), "approved applications")
    assert (approved["repair_effective_on"] == approved["effective_on"]).all()
    assert (both["is_repaired"] == (both["state"] == "effective")).all()
    repaired = set(both.filter("is_repaired")["record_key"])
    assert repaired and not both.filter("is_repaired")["is_published"].any()
    assert not repaired & published_record_keys(settings)
    # an approval before the shortest publication period ended waits for it
    waiting = both.filter(pl.col("state") == "approved")
    assert waiting.height > 0 and waiting["is_published"].all()


def deliver_repair(settings: Settings) -> RepairCase:
    """The credit office approves the repair of one published penalty and rejects another's, in a new delivery.

    Both penalties are in the published outputs of the last run, belong to different resolved subjects, have no
    application yet and can be repaired (their shortest publication period is over). The reviews are dated the
    day before the sandbox's as-of date, so the approval takes effect by the as-of date of the next run.
    """
    reviewed_on = sandbox_as_of(settings) - dt.timedelta(days=1)
    as_of = query(settings, "select max(as_of) as d from marts.credit_record_status")["d"][0]
    assert reviewed_on <= as_of, "the pipeline's as-of date must not be before the sandbox's"
    published = published_record_keys(settings)
    candidates = query(
        settings,
        "select s.*, c.points from marts.credit_record_status s "
        "join marts.credit_score_contribution c on c.record_key = s.record_key "
        "where s.is_published and s.repair_state is null and s.record_type = ? and s.subject_key is not null "
        "and s.repairable_from <= ? order by s.record_key",
        [PENALTY, reviewed_on],
    ).filter(pl.col("record_key").is_in(list(published)))
    assert candidates.height >= 2, "the district has too few published penalties to repair"
    approved = candidates.row(0, named=True)
    rejected = candidates.filter(pl.col("subject_key") != approved["subject_key"]).row(0, named=True)
    approved_score, _ = score(settings, approved["subject_type"], approved["subject_key"])
    rejected_score, _ = score(settings, rejected["subject_type"], rejected["subject_key"])
    carried_by = artefacts_carrying(settings, approved["record_key"])
    rejected_carried_by = artefacts_carrying(settings, rejected["record_key"])
    applied_on = reviewed_on - dt.timedelta(days=5)
    applications = pl.DataFrame(
        {
            "source_id": [approved["source_id"], rejected["source_id"]],
            "record_no": [approved["record_no"], rejected["record_no"]],
            "applied_on": [applied_on, applied_on],
            "review_result": ["准予修复", "不予修复"],
            "reviewed_on": [reviewed_on, reviewed_on],
        }
    )
    # delivered on the sandbox's date, like its first register, whose name this one's sorts after
    _, added = sandbox.deliver_credit_repairs(settings, applications, sandbox_as_of(settings))
    numbers = dict(zip(added["record_no"], added["application_no"], strict=True))
    return RepairCase(
        approved=approved,
        rejected=rejected,
        approved_application_no=numbers[approved["record_no"]],
        rejected_application_no=numbers[rejected["record_no"]],
        reviewed_on=reviewed_on,
        contribution=int(approved["points"]),
        approved_score=approved_score,
        rejected_score=rejected_score,
        carried_by=frozenset(carried_by),
        rejected_carried_by=frozenset(rejected_carried_by),
        published_before=frozenset(published),
        version_before=published_version(settings),
        as_of_before=as_of,
    )


def check_repair_withdraws_penalty(settings: Settings, case: RepairCase) -> None:
    """After the next run: the approved penalty is withdrawn everywhere and its score rises; the rejected one stays."""
    assert published_version(settings) != case.version_before, "the next run published no new version"
    key, other = case.approved["record_key"], case.rejected["record_key"]
    # withdrawn from every published artefact that carried it
    assert {"serving.duckdb:credit_record", "analyst.sqlite:credit_record"} <= case.carried_by
    assert artefacts_carrying(settings, key) == set()
    # the status mart says repaired, with the approving review
    now = status(settings, key)
    effective_on = max(case.reviewed_on, case.approved["repairable_from"])
    assert (now["repair_state"], now["is_repaired"], now["is_published"]) == ("effective", True, False)
    assert now["repair_application_no"] == case.approved_application_no
    assert now["repair_approved_on"] == now["repair_reviewed_on"] == case.reviewed_on
    assert now["repair_effective_on"] == now["published_until"] == effective_on
    # the grade is recomputed: the penalty no longer counts, and the score rose by exactly its contribution
    assert case.contribution < 0
    assert (
        query(settings, "select count(*) n from marts.credit_score_contribution where record_key = ?", [key])["n"][0]
        == 0
    )
    new_score, new_grade = score(settings, case.approved["subject_type"], case.approved["subject_key"])
    assert new_score == case.approved_score - case.contribution
    assert new_grade == grade_of(new_score)
    # a rejected application changes nothing but the state the steward sees
    kept = status(settings, other)
    assert (kept["repair_state"], kept["is_repaired"], kept["is_published"]) == ("rejected", False, True)
    assert kept["repair_application_no"] == case.rejected_application_no
    assert kept["repair_reviewed_on"] == case.reviewed_on and kept["repair_approved_on"] is None
    assert artefacts_carrying(settings, other) == case.rejected_carried_by != set()
    assert score(settings, case.rejected["subject_type"], case.rejected["subject_key"])[0] == case.rejected_score
    # nothing else left the published credit records: both runs are dated by the sandbox, so no window moved
    assert query(settings, "select max(as_of) as d from marts.credit_record_status")["d"][0] == case.as_of_before
    after = published_record_keys(settings)
    assert case.published_before - after == {key} and after <= case.published_before

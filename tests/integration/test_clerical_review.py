"""Clerical review end to end, on the later run: three review cases of the small run's queue decided by a steward in
chromium before it (tests/support/clerical_review.py) — one linked to its best candidate, one's only candidate
rejected, one declared a new person. After the run the golden records reflect each decision, the queue no longer
offers what was decided, the decisions are training labels, and the audit log holds them."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from orchestration.resolution import clerical, person_features
from tests.support.clerical_review import Mention, review_rows
from tests.support.later_run import LaterDelivery
from zhongtai import audit

pytestmark = pytest.mark.integration

RECORD = ("source_id", "entity", "record_id", "role")  # the audit log keeps keys sorted: read them by name


def _where(mention: Mention) -> tuple[str, list[str]]:
    return "source_id = ? and entity = ? and record_id = ? and role = ?", list(mention)


def _golden(con: duckdb.DuckDBPyConnection, mention: Mention) -> list[tuple[str, str]]:
    where, params = _where(mention)
    sql = f"select person_key, match_method from marts.person_source_xref where {where}"
    return con.execute(sql, params).fetchall()


def _count(con: duckdb.DuckDBPyConnection, table: str, mention: Mention) -> int:
    where, params = _where(mention)
    row = con.execute(f"select count(*) from {table} where {where}", params).fetchone()
    return int(row[0]) if row else 0


def test_the_golden_records_reflect_the_three_decisions(later_delivery: LaterDelivery) -> None:
    cases = later_delivery.clerical
    con = duckdb.connect(str(later_delivery.settings.warehouse_path), read_only=True)
    try:
        # linked: the mention is now a record of the chosen person, by the steward's decision
        assert _golden(con, cases.accepted) == [(cases.accepted_key, "clerical")]
        person = con.execute(
            "select count(*) from marts.natural_person where person_key = ?", [cases.accepted_key]
        ).fetchone()
        assert person == (1,)
        assert _count(con, "marts.person_match_review", cases.accepted) == 0
        # rejected: never that person, and not offered with that candidate again
        assert cases.rejected_key not in [key for key, _ in _golden(con, cases.rejected)]
        where, params = _where(cases.rejected)
        offered = con.execute(
            f"select candidate_person_key, second_candidate_person_key from marts.person_match_review where {where}",
            params,
        ).fetchall()
        assert all(cases.rejected_key not in row for row in offered)
        # a new person: none of the known people, out of the queue, kept with the unresolved records
        assert _golden(con, cases.new_person) == []
        assert _count(con, "marts.person_match_review", cases.new_person) == 0
        assert _count(con, "marts.person_records_unresolved", cases.new_person) == 1
    finally:
        con.close()
    queue = review_rows(later_delivery.settings)
    assert not [r for r in queue if r[:4] in (cases.accepted, cases.new_person)]
    assert (*cases.rejected, cases.rejected_key) not in queue
    assert later_delivery.settings.current_snapshot.resolve().name != cases.version


def test_the_decisions_are_training_labels_that_train_reads(later_delivery: LaterDelivery) -> None:
    cases = later_delivery.clerical
    con = duckdb.connect(str(later_delivery.settings.warehouse_path), read_only=True)
    try:
        labels = con.execute(
            "select source_id, entity, record_id, role, decision, is_match, steward from resolution.clerical_labels"
        ).fetchall()
        expected = {
            (*cases.accepted, "link", True, cases.steward),
            (*cases.rejected, "reject", False, cases.steward),
            (*cases.new_person, "new_person", False, cases.steward),
        }
        assert set(labels) == expected
        # what `zhongtai resolution train` learns from: the linked mention carries its person's ID as its label
        features = clerical.labelled(person_features(con), clerical.read_labels(con))
        linked = con.execute("select id_number from resolution.clerical_labels where decision = 'link'").fetchall()
    finally:
        con.close()
    key = "|".join(cases.accepted)
    assert features.filter(pl.col("mention_key") == key)["id_number"].to_list() == [linked[0][0]]
    for mention in (cases.rejected, cases.new_person):
        assert features.filter(pl.col("mention_key") == "|".join(mention))["id_number"].to_list() == [None]


def test_the_audit_log_holds_the_decisions(later_delivery: LaterDelivery) -> None:
    cases = later_delivery.clerical
    path = audit.log_path(later_delivery.settings.root)
    assert audit.verify(path).ok
    decisions = [
        e
        for e in audit.who_looked_at(path, cases.accepted_key)
        + audit.who_looked_at(path, cases.rejected_key)
        + [e for key in cases.new_person_keys for e in audit.who_looked_at(path, key)]
        if e["action"] == "match_decision"
    ]
    found = {
        (tuple(e["what"]["record"][k] for k in RECORD), e["what"]["decision"], e["what"]["candidate_person_key"])
        for e in decisions
        if e["who"] == cases.steward and e["role"] == "steward"
    }
    assert found == {
        (cases.accepted, "link", cases.accepted_key),
        (cases.rejected, "reject", cases.rejected_key),
        (cases.new_person, "new_person", None),
    }
    views = [e for e in audit.who_looked_at(path, cases.accepted_key) if e["action"] == "match_review_view"]
    assert views and views[0]["who"] == cases.steward

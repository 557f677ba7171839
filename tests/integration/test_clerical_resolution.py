"""Stewards' decisions in entity resolution (orchestration/resolution/clerical.py), on the hand-built near tie of
tests/support/ambiguous_mentions.py: without a decision the mention is a review case showing both candidates side by
side with equal evidence; a link, a rejection and a new person each override the model for that mention or pair, and
come out as training labels."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from orchestration.resolution import linkage_input, resolve_persons
from orchestration.resolution.clerical import SHOWN
from orchestration.resolution.decisions import PersonResolution
from tests.support.ambiguous_mentions import LOOSE, TWIN_A, TWIN_B, mentions_warehouse
from zhongtai.keys import pseudonym

pytestmark = pytest.mark.integration

SECRET = "test-secret"
MENTION = "|".join(LOOSE)


def _resolve(*decisions: tuple[str, str | None]) -> PersonResolution:
    frame = pl.DataFrame(
        [
            {
                "mention": MENTION, "decision_id": n, "decision": kind,
                "candidate_person_key": pseudonym(SECRET, "person", who) if who else None, "steward": "steward-1",
                "decided_at": dt.datetime(2026, 11, 30, 12, n, tzinfo=dt.UTC),
            }
            for n, (kind, who) in enumerate(decisions, start=1)
        ],
        schema={"mention": pl.String, "decision_id": pl.Int64, "decision": pl.String,
                "candidate_person_key": pl.String, "steward": pl.String, "decided_at": pl.Datetime(time_zone="UTC")},
    )  # fmt: skip
    return resolve_persons(linkage_input(mentions_warehouse()), decisions=frame, secret=SECRET)


def _row(result: PersonResolution) -> dict[str, object] | None:
    rows = result.links.filter(pl.col("record_id") == LOOSE[2]).to_dicts()
    assert len(rows) <= 1
    return rows[0] if rows else None


def test_the_near_tie_is_a_review_case_with_both_candidates_side_by_side() -> None:
    result = _resolve()
    assert _row(result)["decision"] == "review"  # type: ignore[index]
    cases = result.review_cases.sort("rank")
    assert cases["rank"].to_list() == [1, 2]
    assert set(cases["candidate_id_number"]) == {TWIN_A, TWIN_B}
    assert set(cases["candidate_person_key"]) == {pseudonym(SECRET, "person", t) for t in (TWIN_A, TWIN_B)}
    first, second = cases.to_dicts()
    assert first["match_weight"] == pytest.approx(second["match_weight"])
    for case in (first, second):
        assert case["mention_name"] == case["candidate_name"] == "陈建华"
        assert case["mention_id17"] is None and case["candidate_id17"] == case["candidate_id_number"][:17]
        assert {f"mention_{c}" for c in SHOWN} <= case.keys()
        evidence = {e["comparison"]: e for e in json.loads(case["evidence"])}
        # every name here is 陈建华, so term frequencies take the name's weight away; birth date and address carry it
        assert evidence["name"]["level"] == "Exact match on name"
        assert evidence["birth_date"]["level"] == "Exact match on birth_date" and evidence["birth_date"]["weight"] > 5
        assert evidence["id17"]["level"] == "id17 is NULL" and evidence["id17"]["weight"] == 0
    assert first["evidence"] == second["evidence"]  # the same evidence for both: nothing tells them apart
    assert result.labels.height == 0


def test_a_link_puts_the_mention_with_the_chosen_candidate() -> None:
    result = _resolve(("link", TWIN_B))
    row = _row(result)
    assert row is not None
    assert (row["decision"], row["id_number"], row["match_probability"]) == ("clerical", TWIN_B, 1.0)
    assert result.review_cases.height == 0
    assert result.labels.select("decision", "id_number", "is_match").rows() == [("link", TWIN_B, True)]


def test_a_rejection_removes_only_that_candidate() -> None:
    result = _resolve(("reject", TWIN_A))
    row = _row(result)
    # the other twin is now the only candidate, as likely as before: the model decides on it alone
    assert row is not None and TWIN_A not in (row["id_number"], row["second_id_number"])
    assert row["id_number"] == TWIN_B
    assert TWIN_A not in result.review_cases["candidate_id_number"].to_list()
    assert result.labels.select("decision", "id_number", "is_match").rows() == [("reject", TWIN_A, False)]


def test_a_new_person_is_neither_linked_nor_queued_and_the_latest_decision_wins() -> None:
    result = _resolve(("link", TWIN_A), ("new_person", None))
    assert _row(result) is None
    assert result.review_cases.height == 0
    assert result.labels.select("decision", "id_number", "is_match").rows() == [("new_person", None, False)]


def test_a_key_naming_no_candidate_changes_nothing() -> None:
    result = _resolve(("link", "440604199003070099"))
    assert _row(result)["decision"] == "review"  # type: ignore[index]
    assert result.labels.height == 0

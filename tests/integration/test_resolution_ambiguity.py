"""A person mention whose two best candidates are (nearly) equally likely goes to the review queue, linked to neither.

Built by hand, not drawn from a run (tests/support/ambiguous_mentions.py). The committed model and thresholds decide.
"""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.resolution import Thresholds, decide, linkage_input, load_thresholds, resolve_persons
from tests.support.ambiguous_mentions import TWIN_A, TWIN_B, mentions_warehouse
from zhongtai.identifiers import parse_citizen_id

pytestmark = pytest.mark.integration


def test_two_equally_likely_candidates_go_to_review_not_linked() -> None:
    assert TWIN_A != TWIN_B and all(parse_citizen_id(n).sex == "M" for n in (TWIN_A, TWIN_B))
    result = resolve_persons(linkage_input(mentions_warehouse()))
    [row] = result.links.filter(pl.col("record_id") == "42").to_dicts()
    assert row["decision"] == "review"
    assert {row["id_number"], row["second_id_number"]} == {TWIN_A, TWIN_B}
    assert row["match_probability"] == pytest.approx(row["second_probability"])
    # nothing else was decided for it: one row, and no link
    assert result.links.filter(pl.col("decision") == "linked").height == 0


def _edges(best: float, second: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id_l": ["m", "m"],
            "unique_id_r": ["a0", "a1"],
            "anchor_l": [None, None],
            "anchor_r": ["A", "B"],
            "match_probability": [best, second],
        },
        schema_overrides={"anchor_l": pl.String},
    )


@pytest.mark.parametrize(("best", "second"), [(0.995, 0.99), (0.995, 0.98), (0.9999, 0.9995)])
def test_a_runner_up_nearly_as_likely_as_the_best_sends_the_mention_to_review(best: float, second: float) -> None:
    decided = decide(_edges(best, second), load_thresholds())
    assert decided.select("decision", "id_number", "second_id_number").row(0) == ("review", "A", "B")


def test_a_clear_winner_is_linked_and_the_margin_is_what_decides() -> None:
    thresholds = load_thresholds()
    assert thresholds.margin > 0
    # 0.9999 against 0.6: odds 9999 against 1.5, far more than the margin
    assert decide(_edges(0.9999, 0.6), thresholds)["decision"].to_list() == ["linked"]
    # 0.995 against 0.98 (odds four to one) is linked when no margin is asked for: the margin is the rule under test
    no_margin = Thresholds(link=thresholds.link, review=thresholds.review, margin=0.0)
    assert decide(_edges(0.995, 0.98), no_margin)["decision"].to_list() == ["linked"]

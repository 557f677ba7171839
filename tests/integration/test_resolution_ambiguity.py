"""A person mention whose two best candidates are (nearly) equally likely goes to the review queue, linked to neither.

Built by hand, not drawn from a run: two people with valid IDs who agree on every compared field but the ID digits
(twins registered at one address under one name is rare; two namesakes born the same day in one village is not),
and a mention without an ID that matches both equally well. The committed model and thresholds decide.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from orchestration.resolution import Thresholds, decide, linkage_input, load_thresholds, resolve_persons
from zhongtai.identifiers import make_citizen_id, parse_citizen_id

pytestmark = pytest.mark.integration

MENTIONS = """
create schema intermediate;
create table intermediate.int_person_mentions (
    source_id varchar, entity varchar, record_id varchar, role varchar, id_number varchar, id_number_raw varchar,
    name varchar, sex varchar, birth_date date, phone varchar, village_code varchar, address varchar, house_no varchar
)
"""
# two valid GB 11643 numbers, same area and birth date, different sequence: two different men
TWIN_A, TWIN_B = (make_citizen_id("440604", dt.date(1990, 3, 7), n) for n in (1, 3))
ADDRESS = ("440604001001", "祖庙街道朝阳社区朝阳路12号", "12")


def _rows() -> list[tuple[object, ...]]:
    person = ("陈建华", "M", "1990-03-07", None, *ADDRESS)
    return [
        ("hukou", "residents", "1", "subject", TWIN_A, TWIN_A, *person),
        ("social", "insured", "7", "subject", TWIN_A, TWIN_A, *person),
        ("hukou", "residents", "2", "subject", TWIN_B, TWIN_B, *person),
        ("social", "insured", "8", "subject", TWIN_B, TWIN_B, *person),
        # the clerk left the ID out: name, sex, birth date and address fit both men exactly
        ("health", "visits", "42", "patient", None, None, *person),
    ]


def test_two_equally_likely_candidates_go_to_review_not_linked() -> None:
    assert TWIN_A != TWIN_B and all(parse_citizen_id(n).sex == "M" for n in (TWIN_A, TWIN_B))
    con = duckdb.connect(":memory:")
    con.execute(MENTIONS)
    con.executemany("insert into intermediate.int_person_mentions values (?,?,?,?,?,?,?,?,?,?,?,?,?)", _rows())
    result = resolve_persons(linkage_input(con))
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

"""Credit profile on the `small` district: scores explained by their contributions, publication windows applied."""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.support.readers import query, sandbox_as_of
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def test_contributions_sum_to_the_score(small_run: Settings) -> None:
    profiles = query(small_run, "select subject_type, subject_key, score from marts.credit_profile")
    sums = query(
        small_run,
        "select subject_type, subject_key, sum(points) as points from marts.credit_score_contribution group by all",
    )
    assert profiles.height > 0
    both = profiles.join(sums, on=["subject_type", "subject_key"], how="full", coalesce=True)
    assert both.filter(pl.col("score").is_null() | (pl.col("score") != pl.col("points"))).height == 0
    # every profile has exactly one base rule
    base = query(small_run, "select count(*) from marts.credit_score_contribution where record_key is null").item()
    assert base == profiles.height


def test_legacy_credit_lists_are_included(small_run: Settings) -> None:
    sources = set(query(small_run, "select distinct source_id from marts.credit_record_status")["source_id"])
    assert {"onewindow", "fy_dishonest_persons", "fy_dishonest_enterprises", "sj_penalties"} <= sources
    delivered = json.loads((small_run.truth_dir / "summary.json").read_text())["delivered_rows"]
    counts = dict(
        query(small_run, "select source_id, count(*) from marts.credit_record_status group by all").iter_rows()
    )
    for source in ("fy_dishonest_persons", "fy_dishonest_enterprises", "sj_penalties", "sw_tax_arrears"):
        assert counts[source] == delivered[f"{source}/records"], source


def test_penalties_are_published_for_three_years_only(small_run: Settings) -> None:
    day = sandbox_as_of(small_run)
    status = query(
        small_run,
        "select record_key, decided_on, is_published, is_repaired, published_until "
        "from marts.credit_record_status where record_type = '行政处罚'",
    )
    assert status.height > 0
    expected = status.filter(
        (pl.col("decided_on") <= day) & (pl.col("decided_on").dt.offset_by("36mo") > day) & ~pl.col("is_repaired")
    )
    assert set(status.filter("is_published")["record_key"]) == set(expected["record_key"])
    published = set(
        query(small_run, "select record_key from marts.credit_record where record_type = '行政处罚'")["record_key"]
    )
    assert published == set(expected["record_key"])
    assert status.height > len(published), "the sandbox has penalties older than three years"

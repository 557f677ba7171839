"""Grid governance KPIs (marts.grid_governance_kpi) on the `small` district, against figures computed here.

The sandbox keeps no per-event truth file (its summary counts them); the events it made are those its grid platform
holds, written once and never altered by noise. So the expected figures are computed with polars from the grid
platform's own SQLite database, on the local wall-clock strings it stores (`2026-03-01T07:15:00+08:00`), with the time
limits of the seed — not from the mart's SQL.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from tests.support.readers import nonempty, query, sandbox_as_of
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

LIMITS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "grid_event_time_limits.csv"
KEY = ["report_month", "category", "department", "grid_code", "village_code"]


@pytest.fixture(scope="module")
def settings(small_run: Settings) -> Settings:
    return small_run


def platform_events(settings: Settings) -> pl.DataFrame:
    with sqlite3.connect(f"file:{settings.upstream / 'grid' / 'grid.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "select event_no, category, department, grid_code, village_code, address, reported_at, closed_at "
            "from events"
        ).fetchall()
    columns = ["event_no", "category", "department", "grid_code", "village_code", "address", "reported_at", "closed_at"]
    return pl.DataFrame(rows, schema=columns, orient="row")


def local_day(column: str) -> pl.Expr:
    """The district's calendar day of a stored wall-clock string."""
    return pl.col(column).str.slice(0, 10).str.to_date("%Y-%m-%d")


def expected_kpis(settings: Settings) -> pl.DataFrame:
    as_of = sandbox_as_of(settings)
    limits = pl.read_csv(LIMITS).select("category", "limit_days")
    events = (
        platform_events(settings)
        .join(limits, on="category", how="left")
        .with_columns(reported_on=local_day("reported_at"), closed_on=local_day("closed_at"))
        .with_columns(
            report_month=pl.col("reported_on").dt.truncate("1mo"),
            days=(pl.col("closed_on") - pl.col("reported_on")).dt.total_days(),
            overdue=pl.col("closed_at").is_null()
            & ((pl.lit(as_of) - pl.col("reported_on")).dt.total_days() > pl.col("limit_days")),
        )
        # a repeat: the platform already held an event of the same category at the same address, reported earlier
        .sort("reported_at", "event_no")
        .with_columns(repeat=pl.col("address").is_not_null() & (pl.int_range(pl.len()).over("address", "category") > 0))
    )
    return (
        events.group_by(KEY)
        .agg(
            events_reported=pl.len(),
            events_closed=pl.col("closed_at").is_not_null().sum(),
            median_days_to_close=pl.col("days").median(),
            p90_days_to_close=pl.col("days").quantile(0.9, interpolation="linear"),
            overdue_open_events=pl.col("overdue").sum(),
            repeat_events=pl.col("repeat").sum(),
        )
        .with_columns(closure_rate=pl.col("events_closed") / pl.col("events_reported"))
    )


def test_grid_kpis_equal_figures_computed_from_the_grid_platform(settings: Settings) -> None:
    expected = nonempty(expected_kpis(settings), "grid events on the sandbox's grid platform")
    # the platform holds exactly the events the sandbox says it made
    summary = json.loads((settings.truth_dir / "summary.json").read_text(encoding="utf-8"))
    assert expected["events_reported"].sum() == summary["counts"]["grid_events"]
    actual = nonempty(
        query(
            settings,
            "select report_month, category, department, grid_code, village_code, events_reported, events_closed, "
            "closure_rate, median_days_to_close, p90_days_to_close, overdue_open_events, repeat_events, town_code "
            "from marts.grid_governance_kpi",
        ),
        "marts.grid_governance_kpi",
    )
    assert actual.height == expected.height
    joined = actual.join(expected, on=KEY, how="full", suffix="_expected", coalesce=True)
    missing = joined.filter(pl.col("events_reported").is_null() | pl.col("events_reported_expected").is_null())
    assert missing.height == 0, missing.head(5)
    for column in ("events_reported", "events_closed", "overdue_open_events", "repeat_events"):
        wrong = joined.filter(pl.col(column) != pl.col(f"{column}_expected"))
        assert wrong.height == 0, (column, wrong.head(5))
    for column in ("closure_rate", "median_days_to_close", "p90_days_to_close"):
        wrong = joined.filter(
            (pl.col(column).is_null() != pl.col(f"{column}_expected").is_null())
            | ((pl.col(column) - pl.col(f"{column}_expected")).abs() > 1e-9)
        )
        assert wrong.height == 0, (column, wrong.head(5))
    # the figures are worth checking: events were closed, some late ones are still open, every village has a town
    assert joined["events_closed"].sum() > 0.9 * joined["events_reported"].sum()
    assert joined["overdue_open_events"].sum() > 0
    # households call the grid worker back about the same thing: repeats exist, and most events are not one
    assert 0 < joined["repeat_events"].sum() < 0.5 * joined["events_reported"].sum()
    assert joined["median_days_to_close"].drop_nulls().len() > 0
    assert actual["town_code"].null_count() == 0
    assert expected["report_month"].n_unique() >= 12


def test_every_grid_category_has_a_time_limit(settings: Settings) -> None:
    categories = set(nonempty(platform_events(settings), "grid events")["category"].unique())
    assert categories <= set(pl.read_csv(LIMITS)["category"])

"""No-application services (无感服务) on the `small` district, checked against the sandbox's ground truth.

generate → start the simulated one-window API → `zhongtai run` with ZHONGTAI_AS_OF set to the district's date,
then compare marts.life_events and marts.service_eligibility with the truth. An event is expected when the platform
can resolve the person: the person's mention in the event's source record carries an ID number that is valid (or
convertible) as delivered, by our GB 11643 implementation. Mentions without one may be linked probabilistically;
such events are allowed but must be true. Birthdays are expected for every person with a mention carrying a valid ID
(who therefore is a natural person) whose 60th (men) / 55th (women) or 80th birthday falls in the window and who was
alive on it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.support.readers import delivered_id_is_valid, nonempty, query, sandbox_as_of, truth
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

WINDOW_DAYS = 365  # dbt var life_event_window_days


@pytest.fixture(scope="module")
def settings(small_run: Settings) -> Settings:
    return small_run


def mentions(settings: Settings) -> pl.DataFrame:
    """Every person mention as delivered and loaded, with whether its ID is valid as delivered."""
    return (
        truth(settings, "source_records")
        .filter(pl.col("fault").fill_null("") != "bad_date_row")
        .with_columns(valid=delivered_id_is_valid())
    )


def detected(settings: Settings) -> pl.DataFrame:
    """life_events with the truth's person_id, through the natural person's ID number."""
    events = query(
        settings,
        "select e.event_type, e.role, e.record_id, e.event_date, e.match_method, p.id_number "
        "from marts.life_events e join marts.natural_person p using (person_key)",
    )
    ids = truth(settings, "persons").select("person_id", id_number="citizen_id")
    return events.join(ids, on="id_number", how="left")


def compare(found: set[tuple], expected: set[tuple], possible: set[tuple], what: str) -> None:
    missed = expected - found
    wrong = found - possible
    assert not missed, f"{what}: {len(missed)} missed, e.g. {sorted(missed)[:3]}"
    assert not wrong, f"{what}: {len(wrong)} not in the truth, e.g. {sorted(wrong)[:3]}"


def test_every_event_maps_to_a_true_person(settings: Settings) -> None:
    events = detected(settings)
    assert events.height > 0
    assert events["person_id"].null_count() == 0


def test_marriages_match_the_truth(settings: Settings) -> None:
    events = detected(settings).filter(pl.col("event_type") == "marriage")
    found = set(events.select("record_id", "role", "person_id").iter_rows())
    m = mentions(settings).filter(pl.col("system") == "civil_marriage")
    possible = set(m.select("record_id", "role", "person_id").iter_rows())
    expected = set(m.filter("valid").select("record_id", "role", "person_id").iter_rows())
    # rows the upstream broke on purpose (bad_date_row) are quarantined, so their couples are not expected
    married = truth(settings, "marriages").filter(pl.col("registered_on") <= sandbox_as_of(settings))
    assert len(possible) <= 2 * married.height
    compare(found, expected, possible, "marriage")
    assert events.height == len(found), "a person listed twice for one marriage"


def test_births_match_the_truth(settings: Settings) -> None:
    events = detected(settings).filter(pl.col("event_type") == "birth")
    found = set(events.select("record_id", "role", "person_id").iter_rows())
    m = mentions(settings).filter(pl.col("system") == "wj_birth_certificates")
    possible = set(m.select("record_id", "role", "person_id").iter_rows())
    expected = set(m.filter("valid").select("record_id", "role", "person_id").iter_rows())
    compare(found, expected, possible, "birth")
    assert events.height == len(found)


def test_deaths_match_the_truth(settings: Settings) -> None:
    events = detected(settings).filter(pl.col("event_type") == "death")
    found = set(events.select("person_id").iter_rows())
    m = mentions(settings).filter(pl.col("system").is_in(["mz_deaths", "mz_funerals"]))
    dead = truth(settings, "persons").filter(~pl.col("alive") & (pl.col("death_date") <= sandbox_as_of(settings)))
    possible = set(dead.select("person_id").iter_rows())
    expected = set(m.filter("valid").select("person_id").unique().iter_rows())
    compare(found, expected, possible, "death")
    assert events.height == len(found), "a death listed twice"
    dates = nonempty(events.join(dead.select("person_id", "death_date"), on="person_id"), "deaths")
    assert (dates["event_date"] == dates["death_date"]).all()


@pytest.mark.parametrize("event_type", ["retirement_age", "age_80"])
def test_birthdays_in_the_window_match_the_truth(settings: Settings, event_type: str) -> None:
    day = sandbox_as_of(settings)
    persons = truth(settings, "persons")
    years = pl.when(pl.col("sex") == "男").then(60).otherwise(55) if event_type == "retirement_age" else pl.lit(80)
    birthdays = persons.with_columns(
        birthday=pl.col("birth_date").dt.offset_by(pl.format("{}y", years)),
    ).filter(
        (pl.col("birthday") <= day)
        & (pl.col("birthday") > day - dt.timedelta(days=WINDOW_DAYS))
        & (pl.col("death_date").is_null() | (pl.col("death_date") > pl.col("birthday")))
    )
    known = set(mentions(settings).filter("valid")["person_id"].to_list())
    expected = set(birthdays.filter(pl.col("person_id").is_in(known)).select("person_id").iter_rows())
    possible = set(birthdays.select("person_id").iter_rows())
    events = detected(settings).filter(pl.col("event_type") == event_type)
    found = set(events.select("person_id").iter_rows())
    compare(found, expected, possible, event_type)
    assert events.height == len(found)
    dates = nonempty(events.join(birthdays.select("person_id", "birthday"), on="person_id"), event_type)
    assert (dates["event_date"] == dates["birthday"]).all()


def test_services_list_nobody_twice_and_no_dead_person(settings: Settings) -> None:
    rows = query(settings, "select person_key, service_code, event_ref, event_type from marts.service_eligibility")
    assert rows.height > 0
    assert rows.select("person_key", "service_code", "event_ref").is_duplicated().sum() == 0
    dead = query(settings, "select person_key from marts.life_events where event_type = 'death'")["person_key"]
    offered = rows.filter(pl.col("person_key").is_in(dead.implode()) & (pl.col("event_type") != "death"))
    assert offered.height == 0
    codes = set(rows["service_code"].to_list())
    assert {"MARRIAGE_PREMARITAL_CHECK", "BIRTH_NEWBORN_REGISTRATION", "DEATH_STOP_PENSION"} <= codes

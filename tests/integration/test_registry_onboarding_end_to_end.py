"""A system described only by a YAML file in an extra registry folder reaches the golden records on the next run.

The department export (tests/support/onboarding.py) is a paged-style JSON document with its records under
`data.list`, a nested address and pinyin-initial field names, registered after the tiny district's first run. After
the next real `zhongtai run` (the shared `later_tiny` run, which also brings a week of the district's life), its
people are in marts.natural_person and marts.person_source_xref under the new source id, the three the district
knows linked to the district's people.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.support.later_tiny import LaterTiny
from tests.support.onboarding import NEWCOMER, SOURCE_ID
from tests.support.readers import query
from zhongtai.keys import pseudonym

pytestmark = pytest.mark.integration


def test_the_run_succeeds_with_the_new_system(later_tiny: LaterTiny) -> None:
    assert later_tiny.run.returncode == 0, later_tiny.run.stdout[-4000:] + later_tiny.run.stderr[-4000:]
    loaded = query(later_tiny.settings, f"select count(*) as n from raw.{SOURCE_ID}__records")
    assert loaded["n"][0] == len(later_tiny.rows)


def test_its_people_are_natural_persons_linked_by_the_new_source(later_tiny: LaterTiny) -> None:
    secret = later_tiny.settings.key_secret
    expected = {pseudonym(secret, "person", row["sfzhm"]): row for row in later_tiny.rows}
    xref = query(
        later_tiny.settings,
        "select person_key, record_id, role, match_method from marts.person_source_xref where source_id = ?",
        [SOURCE_ID],
    )
    assert sorted(xref["person_key"].to_list()) == sorted(expected)
    assert set(xref["record_id"]) == {row["bh"] for row in later_tiny.rows}
    assert set(xref["role"]) == {"subject"} and set(xref["match_method"]) == {"deterministic_id"}
    people = query(
        later_tiny.settings,
        f"select person_key, name, birth_date from marts.natural_person where person_key in "
        f"({', '.join('?' * len(expected))})",
        list(expected),
    )
    assert sorted(people["person_key"].to_list()) == sorted(expected)
    newcomer = people.filter(pl.col("person_key") == pseudonym(secret, "person", NEWCOMER["sfzhm"])).row(0, named=True)
    assert newcomer["name"] == NEWCOMER["xm"] and newcomer["birth_date"] == dt.date(1991, 3, 14)


def test_the_district_people_it_names_are_the_ones_other_sources_know(later_tiny: LaterTiny) -> None:
    """The three from the hukou delivery are one person each across the household register and the new system."""
    known = [row["sfzhm"] for row in later_tiny.rows if row["sfzhm"] != NEWCOMER["sfzhm"]]
    keys = [pseudonym(later_tiny.settings.key_secret, "person", number) for number in known]
    sources = query(
        later_tiny.settings,
        f"select person_key, list(distinct source_id order by source_id) as sources from marts.person_source_xref "
        f"where person_key in ({', '.join('?' * len(keys))}) group by person_key",
        keys,
    )
    assert len(sources) == len(keys)
    for per_person in sources["sources"].to_list():
        assert {"hukou", SOURCE_ID} <= set(per_person)

"""The dbt identifier and key macros agree exactly with zhongtai/identifiers.py and zhongtai/keys.py."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.dbt import dbt_env_for
from tests.support.dbt import dbt_project
from tests.support.identifier_cases import citizen_cases, uscc_cases
from zhongtai.identifiers import (
    InvalidIdentifier,
    normalise_uscc,
    parse_citizen_id,
)
from zhongtai.keys import pseudonym

pytestmark = pytest.mark.integration

SECRET = "it's a test secret|with a pipe"  # a quote and a pipe: the macro must escape, not break

# Both ways of calling the macros: on a raw expression, and on a column already cleaned (as staging does).
QUERY = """
with

cleaned as (
    select v, {{ clean_identifier('v') }} as c from cases
),

checked as (
    select
        v,
        {{ normalise_citizen_id('v') }} as id_number,
        {{ citizen_id_reason('c', cleaned=true) }} as id_reason,
        {{ normalise_uscc('c', cleaned=true) }} as uscc,
        {{ uscc_reason('v') }} as uscc_reason
    from cleaned
)

select
    v,
    id_number,
    id_reason,
    {{ citizen_id_birth_date('id_number') }} as birth_date,
    {{ citizen_id_sex('id_number') }} as sex,
    uscc,
    uscc_reason,
    {{ pseudonym_key('person', 'v') }} as person_key,
    {{ pseudonym_key('org', 'v') }} as org_key
from checked
"""


@pytest.fixture(scope="module")
def macro_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The query above compiled by dbt itself (`dbt compile --inline`), to be run on any table `cases`."""
    work = tmp_path_factory.mktemp("dbt-macros")
    env = os.environ | dbt_env_for(work / "compile.duckdb", SECRET)
    command = [
        str(Path(sys.executable).parent / "dbt"), "compile", "--inline", QUERY, "--output", "json", "--quiet",
        "--project-dir", str(dbt_project()), "--profiles-dir", str(dbt_project()),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)["compiled"]


def python_answer(v: str | None) -> tuple[object, ...]:
    """What zhongtai/identifiers.py and zhongtai/keys.py say about one value, in the query's column order."""
    try:
        cid = parse_citizen_id(v)
        citizen: tuple[object, ...] = (cid.number, None, cid.birth_date, cid.sex)
    except InvalidIdentifier as exc:
        citizen = (None, exc.reason.value, None, None)
    try:
        uscc: tuple[object, ...] = (normalise_uscc(v), None)
    except InvalidIdentifier as exc:
        uscc = (None, exc.reason.value)
    keys = (None, None) if v is None else (pseudonym(SECRET, "person", v), pseudonym(SECRET, "org", v))
    return (v, *citizen, *uscc, *keys)


# ------------------------------------------------------------------ a deterministic batch


def test_macros_agree_with_python_on_a_batch(macro_sql: str) -> None:
    rng = random.Random(20261122)
    values = citizen_cases(rng) + uscc_cases(rng)
    assert len(values) > 8000
    con = duckdb.connect()
    con.execute("create table cases (v varchar)")
    con.executemany("insert into cases values (?)", [[v] for v in values])
    got = {row[0]: row for row in con.execute(macro_sql).fetchall()}
    disagreements = [(v, got[v], python_answer(v)) for v in set(values) if got[v] != python_answer(v)]
    assert not disagreements, f"{len(disagreements)} disagreements, e.g. {disagreements[:5]}"
    reasons = {python_answer(v)[2] for v in values} | {python_answer(v)[6] for v in values}
    assert reasons == {None, "missing", "bad_length", "bad_character", "bad_area", "bad_birth_date", "bad_check",
                       "bad_org_code_check"}  # fmt: skip


# ------------------------------------------------------------------ and whatever hypothesis makes up

ALPHABET = "0123456789Xx０１２３４５６７８９ＸｘABCDIOSZaz \t\u3000-中"


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=ALPHABET, max_size=20),
            st.text(alphabet="0123456789", min_size=14, max_size=19),
            st.builds(lambda s: s[:17] + "X", st.text(alphabet="0123456789", min_size=17, max_size=17)),
        ),
        min_size=1,
        max_size=200,
    )
)
def test_macros_agree_with_python_on_anything(macro_sql: str, values: list[str]) -> None:
    con = duckdb.connect()
    con.execute("create table cases as select unnest(?::varchar[]) as v", [values])
    got = {row[0]: row for row in con.execute(macro_sql).fetchall()}
    assert {v: got[v] for v in values} == {v: python_answer(v) for v in values}

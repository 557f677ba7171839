"""The dbt identifier and key macros agree exactly with zhongtai/identifiers.py and zhongtai/keys.py."""

from __future__ import annotations

import datetime as dt
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
from zhongtai.identifiers import (
    ORG_CODE_ALPHABET,
    USCC_ALPHABET,
    InvalidIdentifier,
    make_citizen_id,
    make_uscc,
    normalise_uscc,
    parse_citizen_id,
    uscc_check_char,
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

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
AREAS = ["440604", "110105", "350100", "650102", "810000"]
USCC_ORG_BODY = [c for c in ORG_CODE_ALPHABET if c in USCC_ALPHABET]


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def noisy(rng: random.Random, s: str) -> str:
    """The same identifier as people type it: lower case, full width, spaces and tabs."""
    kind = rng.randrange(5)
    if kind == 0:
        return s.lower()
    if kind == 1:
        return s.translate(FULL_WIDTH)
    if kind == 2:
        i = rng.randrange(len(s) + 1)
        space = rng.choice([" ", "\t", "\u3000", "\xa0"])
        return f" {s[:i]}{space}{s[i:]}\n"
    if kind == 3:
        return s[:6] + " " + s[6:14] + " " + s[14:]
    return s


def citizen_cases(rng: random.Random) -> list[str | None]:
    today = dt.date.today()
    cases: list[str | None] = [None, "", "   ", "\u3000", "11010519491231002X", "110105491231002"]
    for _ in range(700):
        birth = random_date(rng, dt.date(1880, 1, 1), today)
        s = make_citizen_id(rng.choice(AREAS), birth, rng.randrange(1000))
        cases += [s, noisy(rng, s)]
        cases.append(s[:17] + rng.choice([c for c in "0123456789X" if c != s[17]]))  # bad check
        cases.append(s[: rng.randrange(1, 18)])  # cut short
        cases.append(s + rng.choice("0X"))  # too long
        i = rng.randrange(17)
        cases.append(s[:i] + rng.choice("AXY-中") + s[i + 1 :])  # a stray character
        cases.append(rng.choice(["0", "1"]) + s[1:2] + "0000" + s[6:])  # area
        y, m, d = birth.year, rng.choice([0, 2, 13, 4]), rng.choice([0, 29, 30, 31, 32])
        cases.append(s[:6] + f"{y:04d}{m:02d}{d:02d}" + s[14:])  # impossible dates
        cases.append(s[:6] + f"{rng.choice([1879, 1900, 2000, 2100, today.year + 1]):04d}0229" + s[14:])
        old = make_citizen_id(rng.choice(AREAS), random_date(rng, dt.date(1900, 1, 1), dt.date(1999, 12, 31)), 7)
        old15 = old[:6] + old[8:17]
        cases += [old15, noisy(rng, old15), old15[:8] + "1399" + old15[12:], old15[:8] + "0229" + old15[12:]]
    return cases


def uscc_cases(rng: random.Random) -> list[str | None]:
    cases: list[str | None] = ["91350100M000100Y43", "91350100M000100Y4"]
    for _ in range(500):
        body = "".join(rng.choice(USCC_ORG_BODY) for _ in range(8))
        s = make_uscc(rng.choice("123456789ANY"), rng.choice("123459"), rng.choice(AREAS), body)
        cases += [s, noisy(rng, s)]
        cases.append(s[:17] + rng.choice([c for c in USCC_ALPHABET if c != s[17]]))  # bad check
        # the embedded GB 11714 check wrong but the overall check recomputed: only the org check fails
        bad_org = s[:16] + rng.choice([c for c in USCC_ALPHABET if c != s[16]])
        cases.append(bad_org + uscc_check_char(bad_org))
        i = rng.randrange(18)
        cases.append(s[:i] + rng.choice("IOSVZ-") + s[i + 1 :])
        cases.append(s[:2] + "44A604" + s[8:])
        cases.append(s[: rng.randrange(1, 18)])
    return cases


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

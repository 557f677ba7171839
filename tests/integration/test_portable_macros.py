"""The dispatch macros of dbt_project/macros/portable/ give the same answers on DuckDB and on local Spark.

One throwaway dbt project holds a copy of the project's macros, a raw table of awkward inputs (NULL, empty strings,
CJK text, Unicode spaces, leap-day ID numbers, a trailing line break) and two models; dbt builds it on DuckDB (a
subprocess, as a run does) and on Spark (in this process, where dbt-spark's session method finds the SparkSession).
Both engines' rows must be equal, and the dispatch macros must also agree with Python. On the same Spark, every
model of the real project, compiled by dbt-spark, must parse and call only functions Spark has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pytest
import yaml

from orchestration.dbt import dbt_env_for
from tests.support.dbt import dbt_project, throwaway_project
from tests.support.identifier_cases import citizen_cases, uscc_cases
from tests.support.spark import dbt_in_process, local_spark, spark_profile
from zhongtai.identifiers import make_citizen_id

pytestmark = pytest.mark.integration

SECRET = "portable|secret"

# Spaces Python's str.split() knows (the clean_identifier list: Spark's chr() got those past 255 wrong), a CJK
# character, a character outside the Basic Multilingual Plane.
CODE_POINTS = [9, 10, 32, 133, 160, 5760, 8192, 8202, 8232, 8287, 12288, 0x4E2D, 0x1F600]

VALID_ID = make_citizen_id("440604", dt.date(1985, 6, 1), 123)
LEAP_DAY_ID = make_citizen_id("440604", dt.date(2000, 2, 29), 45)


def with_birth_date(number: str, yyyymmdd: str) -> str:
    """An 18-character number with another birth date and a correct check character for it."""
    body = number[:6] + yyyymmdd + number[14:17]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


# Unicode category Zs, the characters DuckDB's trim() takes off
SPACES = "".join(chr(c) for c in [32, 160, 5760, *range(8192, 8203), 8239, 8287, 12288])

INPUTS: list[str | None] = [
    None,
    "",
    " ",
    "\u3000",
    "张\u3000三 ",
    " 李四\u3000",
    "欧阳娜娜",
    "\u00a0王\u00a0小明\u2003",
    "\t男 \n",
    " 女\u3000",
    "\u3000\u00a0",
    "O'Brien \\ back",
    "佛山市禅城区祖庙路13号1404房",
    "祖庙路13号1404房\n",  # Java's `$` matches before this line break, RE2's does not
    "13号房",
    "1404房1404房",
    "12房3房",
    "房",
    "😀 emoji",
    "+86 138-0013-8000",
    "１３８００１３８０００",
    "tel:020 8888\u00a08888",
    VALID_ID,
    VALID_ID.lower() + "\u1680",
    " " + VALID_ID[:6] + "\u2000" + VALID_ID[6:] + "\u3000",
    "".join(chr(ord(c) + 0xFEE0) for c in VALID_ID),
    LEAP_DAY_ID,
    with_birth_date(VALID_ID, "19000229"),  # 1900 was not a leap year
    with_birth_date(VALID_ID, "20230229"),
    with_birth_date(VALID_ID, "20240229"),
    "440604000229123",  # 15 digits: 1900-02-29
    "440604960229123",  # 15 digits: 1996-02-29
    VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1"),
    "91350100M000100Y43",
    "９１３５０１００Ｍ０００１００Ｙ４３",
    "91350100M000100Y4",
]

# and some 8,000 identifiers, valid and broken every way the checks know (the batch the DuckDB-only test uses)
CASES = INPUTS + citizen_cases(random.Random(20261201)) + uscc_cases(random.Random(20261202))


# Instants about the district's midnight (a leap day's among them), and none
INSTANTS: list[dt.datetime | None] = [
    dt.datetime(2024, 2, 28, 15, 59, 59, tzinfo=dt.UTC),
    dt.datetime(2024, 2, 28, 16, 0, 0, tzinfo=dt.UTC),
    dt.datetime(2024, 2, 29, 15, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC),  # New York's clocks go forward at 07:00 UTC
    dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=dt.UTC),
    None,
]
MODELS = (("outputs", "id"), ("characters", "code_point"), ("local_dates", "id"))


def outputs_sql() -> str:
    """One column per macro; the identifier macros on a cleaned column, as the staging models call them."""
    return """
with

cleaned as (
    select id, v, {{ clean_identifier('v') }} as c
    from {{ source('raw', 'cases') }}
),

normalised as (
    select id, v, c, {{ normalise_citizen_id('c', cleaned=true) }} as citizen_id
    from cleaned
)

select
    id,
    v,
    {{ sha256_hex('v') }} as sha256_hex,
    {{ regex_remove_suffix('v', '[0-9]+房') }} as without_room,
    {{ address_building('v') }} as building,
    replace(v, {{ unicode_char(12288) }}, '#') as ideographic_space_marked,
    {{ trim_spaces('v') }} as trimmed,
    {{ clean_text('v') }} as clean_text,
    {{ clean_name('v') }} as clean_name,
    {{ standard_sex('v') }} as sex_code,
    c as clean_identifier,
    {{ clean_phone('v') }} as clean_phone,
    {{ citizen_id_reason('c', cleaned=true) }} as citizen_id_reason,
    citizen_id,
    {{ citizen_id_birth_date('citizen_id') }} as birth_date,
    {{ citizen_id_sex('citizen_id') }} as sex,
    {{ uscc_reason('c', cleaned=true) }} as uscc_reason,
    {{ pseudonym_key('person', 'v') }} as person_key
from normalised
"""


def local_dates_sql() -> str:
    return """
select
    id,
    cast(instant as {{ type_timestamp_tz() }}) as instant,
    {{ local_date('instant', 'Asia/Shanghai') }} as shanghai_date,
    {{ local_date('instant', 'America/New_York') }} as new_york_date,
    {{ epoch_microseconds('instant') }} as epoch_us
from {{ source('raw', 'instants') }}
"""


def characters_sql() -> str:
    return """
{%- for code_point in var('code_points') %}
select {{ code_point }} as code_point, {{ unicode_char(code_point) }} as ch
{% if not loop.last %}union all{% endif %}
{%- endfor %}
"""


def write_project(root: Path) -> Path:
    """The throwaway project: the real macros, a source `raw.cases`, models `outputs` and `characters`."""
    project = throwaway_project(root, "portable_check", {"key_secret": SECRET, "code_points": CODE_POINTS})
    tables = [{"name": "cases"}, {"name": "instants"}]
    sources = {"version": 2, "sources": [{"name": "raw", "schema": "raw", "tables": tables}]}
    (project / "models" / "sources.yml").write_text(yaml.safe_dump(sources))
    (project / "models" / "outputs.sql").write_text(outputs_sql())
    (project / "models" / "characters.sql").write_text(characters_sql())
    (project / "models" / "local_dates.sql").write_text(local_dates_sql())
    return project


def dbt_args(command: str, project: Path, profiles: Path, work: Path) -> list[str]:
    return [
        command, "--project-dir", str(project), "--profiles-dir", str(profiles),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("portable_project"))


@pytest.fixture(scope="module")
def duckdb_answers(project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    work = tmp_path_factory.mktemp("portable_duckdb")
    warehouse = work / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw; create table raw.cases (id bigint, v varchar)")
        con.register("cases_in", pa.table({"id": range(len(CASES)), "v": pa.array(CASES, pa.string())}))
        con.execute("insert into raw.cases select id, v from cases_in")
        con.execute("create table raw.instants (id bigint, instant timestamp with time zone)")
        con.executemany("insert into raw.instants values (?, ?)", list(enumerate(INSTANTS)))
    (work / "profiles.yml").write_text(yaml.safe_dump({"portable_check": {"target": "duckdb", "outputs": {
        "duckdb": {"type": "duckdb", "path": str(warehouse), "schema": "portable", "threads": 1},
    }}}))  # fmt: skip
    command = [str(Path(sys.executable).with_name("dbt")), *dbt_args("run", project, work, work)]
    env = os.environ | dbt_env_for(warehouse, SECRET)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    answers = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for model, key in MODELS:
            cursor = con.execute(f"select * from portable.{model} order by {key}")
            answers[model] = [dict(zip([d[0] for d in cursor.description], r, strict=True)) for r in cursor.fetchall()]
    return answers


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The module's one local Spark."""
    with local_spark(tmp_path_factory.mktemp("portable_spark")) as session:
        yield session


@pytest.fixture(scope="module")
def spark_answers(
    project: Path, spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    work = tmp_path_factory.mktemp("portable_spark_dbt")
    (work / "profiles.yml").write_text(yaml.safe_dump(spark_profile("portable_check", "portable")))
    spark.sql("create database if not exists raw")
    for table, values, schema in (("cases", CASES, "v string"), ("instants", INSTANTS, "instant timestamp")):
        spark.createDataFrame(list(enumerate(values)), f"id bigint, {schema}").write.saveAsTable(f"raw.{table}")
    dbt_in_process(dbt_args("run", project, work, work))
    return {
        model: [row.asDict() for row in spark.table(f"portable.{model}").orderBy(key).collect()]
        for model, key in MODELS
    }


def test_the_outputs_are_what_they_mean(duckdb_answers) -> None:  # type: ignore[no-untyped-def]
    """Equal is not enough: both engines could be wrong together. Python says what each macro should give."""
    for row in duckdb_answers["outputs"]:
        v = row["v"]
        if v is None:
            not_null = {k: x for k, x in row.items() if x is not None and k != "id"}
            assert not_null == {"clean_identifier": "", "citizen_id_reason": "missing", "uscc_reason": "missing"}
            continue
        assert row["sha256_hex"] == hashlib.sha256(v.encode()).hexdigest()
        assert row["without_room"] == row["building"] == re.sub(r"[0-9]+房\Z", "", v, count=1)
        assert row["ideographic_space_marked"] == v.replace("\u3000", "#")
        assert row["trimmed"] == v.strip(SPACES)
    assert [(r["code_point"], r["ch"]) for r in duckdb_answers["characters"]] == [(c, chr(c)) for c in CODE_POINTS]
    zones = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
    assert [(r["shanghai_date"], r["new_york_date"]) for r in duckdb_answers["local_dates"]] == [
        (None, None) if at is None else tuple(at.astimezone(zone).date() for zone in zones) for at in INSTANTS
    ]
    assert [r["epoch_us"] for r in duckdb_answers["local_dates"]] == [
        None if at is None else (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        for at in INSTANTS
    ]
    by_value = {r["v"]: r for r in duckdb_answers["outputs"]}
    assert by_value[LEAP_DAY_ID]["birth_date"] == dt.date(2000, 2, 29)
    assert by_value[with_birth_date(VALID_ID, "19000229")]["citizen_id_reason"] == "bad_birth_date"
    assert by_value[with_birth_date(VALID_ID, "20230229")]["citizen_id_reason"] == "bad_birth_date"
    assert by_value["440604960229123"]["birth_date"] == dt.date(1996, 2, 29)
    assert by_value[" " + VALID_ID[:6] + "\u2000" + VALID_ID[6:] + "\u3000"]["citizen_id"] == VALID_ID
    assert by_value[VALID_ID.lower() + "\u1680"]["citizen_id"] == VALID_ID
    assert by_value["祖庙路13号1404房\n"]["building"] == "祖庙路13号1404房\n"
    assert by_value["张\u3000三 "]["clean_name"] == "张三"


def test_every_output_is_the_same_on_both_engines(duckdb_answers, spark_answers) -> None:  # type: ignore[no-untyped-def]
    assert len(duckdb_answers["outputs"]) == len(CASES) > 8000
    differing = [
        (duck["v"], column, duck[column], spark[column])
        for duck, spark in zip(duckdb_answers["outputs"], spark_answers["outputs"], strict=True)
        for column in duck
        if duck[column] != spark[column]
    ]
    assert not differing, "DuckDB and Spark differ (value, column, duckdb, spark):\n" + "\n".join(map(repr, differing))
    assert duckdb_answers["characters"] == spark_answers["characters"]
    assert instants(duckdb_answers) == instants(spark_answers)


def instants(answers: dict[str, list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """The local_dates rows with each instant as seconds since the epoch: DuckDB hands Python an aware datetime in
    its session's time zone, pyspark a naive one in Python's."""
    return [
        (r["id"], r["instant"] and r["instant"].timestamp(), r["shanghai_date"], r["new_york_date"], r["epoch_us"])
        for r in answers["local_dates"]
    ]


# words before "(" in SQL that are not function calls
NOT_FUNCTIONS = {"in", "as", "over", "and", "or", "not", "exists", "on", "from", "values", "when", "then", "else",
                 "using", "with", "by", "filter", "group", "is", "all", "where", "select", "union", "into",
                 "join"}  # fmt: skip


def test_every_model_of_the_project_parses_on_spark(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The whole project as a run assembles it, compiled by dbt-spark: Spark's parser reads every model and data test,
    and knows every function they call (what it would only find out when building them)."""
    work = tmp_path_factory.mktemp("spark_compile")
    (work / "profiles.yml").write_text(yaml.safe_dump(spark_profile("zhongtai", "compile_check")))
    dbt_in_process([*dbt_args("compile", dbt_project(), work, work), "--select", "path:models"])
    compiled = sorted((work / "target" / "compiled").rglob("*.sql"))
    assert len(compiled) > 300
    parser = spark._jsparkSession.sessionState().sqlParser()
    rejected, calls = {}, {}
    for path in compiled:
        sql = path.read_text()
        try:
            parser.parsePlan(sql)
        except Exception as exc:  # py4j hands over Spark's ParseException
            rejected[path.name] = " | ".join(line for line in str(exc).splitlines() if line.strip())[:400]
        code = re.sub(r"--[^\n]*|'(?:[^']|'')*'", "", sql)
        for name in re.findall(r"\b([a-z_][a-z0-9_]*)\s*\(", code, flags=re.IGNORECASE):
            calls.setdefault(name.lower(), path.name)
    assert not rejected, f"Spark's parser rejects: {rejected}"
    unknown = {name: where for name, where in calls.items() if name not in NOT_FUNCTIONS}
    unknown = {name: where for name, where in unknown.items() if not spark.catalog.functionExists(name)}
    assert not unknown, f"functions Spark does not know (name: a file calling it): {unknown}"

"""Entity resolution of the `tiny` run on DuckDB and on local Spark gives the same person and organisation links.

The run's intermediate mention tables go to Spark as Parquet (orchestration/engines/spark.py); the deterministic
pre-pass (each mention's features, the split into anchored profiles and loose mentions, the candidates sharing a
blocking key, the organisations' code-body and name rules) runs on each engine from the same SQL, Splink scores the
candidates on each engine's backend (DuckDBAPI, SparkAPI) with the same trained model, and the decisions are compared.
The few expressions the engines spell or count differently (orchestration/engines/portable.py) are also compared
directly, on values picked to tell the spellings apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import polars as pl
import pytest

from orchestration.engines import portable
from orchestration.engines.engine import DuckDBEngine, Engine, SparkEngine
from orchestration.engines.spark import SourceTable, export_parquet, register_tables, splink_conf
from orchestration.resolution import linkage_input, resolve_orgs, resolve_persons
from tests.support.pipeline import FirstRun
from tests.support.spark import local_spark

pytestmark = [pytest.mark.integration]

KEY = ["source_id", "entity", "record_id", "role"]
PERSON_LINK = [*KEY, "decision", "id_number", "second_id_number"]
ORG_LINK = [*KEY, "uscc", "match_method"]
MENTIONS = [SourceTable("intermediate", "int_person_mentions"), SourceTable("intermediate", "int_org_mentions")]


@pytest.fixture(scope="module")
def spark(tiny_run: FirstRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkEngine]:
    """Local Spark with Splink's jar, holding the tiny run's intermediate mention tables under their own names."""
    assert tiny_run.run.returncode == 0, tiny_run.run.stdout[-3000:] + tiny_run.run.stderr[-3000:]
    work = tmp_path_factory.mktemp("spark_resolution")
    conf = {**splink_conf(), "spark.ui.showConsoleProgress": "false"}
    with local_spark(work, conf) as session:
        register_tables(session, export_parquet(tiny_run.settings.warehouse_path, MENTIONS, work / "parquet"))
        engine = SparkEngine(session, work / "checkpoints")
        engine.splink_api()  # registers Splink's UDFs (jaro_winkler …) on the session for test_the_portable_expressions
        yield engine


def resolve(engine: Engine, secret: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What the resolution step decides on `engine`: the person links (linked or for review) and the org links."""
    persons = resolve_persons(linkage_input(engine), secret=secret, engine=engine).links
    return persons, resolve_orgs(engine)


def differences(name: str, duck: pl.DataFrame, spark: pl.DataFrame, columns: list[str]) -> str:
    """'' when both engines decided the same rows; else the rows only one of them has (at most 20 each)."""
    left, right = duck.select(columns).unique(), spark.select(columns).unique()
    only_duck = left.join(right, on=columns, how="anti", nulls_equal=True).sort(columns)
    only_spark = right.join(left, on=columns, how="anti", nulls_equal=True).sort(columns)
    if only_duck.is_empty() and only_spark.is_empty() and duck.height == spark.height:
        return ""
    with pl.Config(tbl_rows=20, tbl_cols=-1, fmt_str_lengths=40, tbl_width_chars=200):
        return (
            f"{name}: {duck.height} rows on DuckDB, {spark.height} on Spark\n"
            f"only on DuckDB ({only_duck.height}):\n{only_duck.head(20)}\n"
            f"only on Spark ({only_spark.height}):\n{only_spark.head(20)}\n"
        )


def test_the_same_people_and_organisations_are_linked_on_both_engines(tiny_run: FirstRun, spark: SparkEngine) -> None:
    secret = tiny_run.settings.key_secret
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        duck_persons, duck_orgs = resolve(DuckDBEngine(con), secret)
    spark_persons, spark_orgs = resolve(spark, secret)
    # the tiny district has something to resolve both ways, or equal sets would prove nothing
    assert duck_persons.filter(pl.col("decision") == "linked").height >= 5
    assert duck_orgs["match_method"].n_unique() == 2
    found = differences("person links", duck_persons, spark_persons, PERSON_LINK) + differences(
        "organisation links", duck_orgs, spark_orgs, ORG_LINK
    )
    assert not found, found
    # the same evidence weighs the same: Splink's probabilities agree to rounding
    both = duck_persons.join(spark_persons, on=PERSON_LINK, suffix="_spark", nulls_equal=True)
    assert (both["match_probability"] - both["match_probability_spark"]).abs().max() < 1e-9  # type: ignore[operator]


TRICKY = [
    "320102199001011234",
    "\u3000３２０１０２１９９００２３０１２３ｘ\u00a0",  # ideographic and no-break spaces, full-width digits, 30 Feb
    " 32010219900101123 ",  # 17 digits, no check character
    "320102199001011234\n",  # Java's `$` would match before the line break
    "3201021990010112345",  # one digit too many
    "9131000MA1K2L3M4N",  # a credit code's 17 characters
    "张伟",
    "章伟",
    "北京市朝阳区建国路1号",
    "",
]


def portable_values(engine: Engine) -> list[dict[str, Any]]:
    """Each expression of orchestration/engines/portable.py on TRICKY (levenshtein over each value's bytes and the
    next value's)."""
    d = engine.dialect
    s, t = portable.utf8_bytes("s", d), portable.utf8_bytes("t", d)
    engine.register("_tricky", pl.DataFrame({"n": range(len(TRICKY)), "s": TRICKY, "t": TRICKY[1:] + TRICKY[:1]}))
    try:
        rows = engine.query(
            f"select n, {portable.trim_spaces('s', d)} as trimmed, "
            f"{portable.full_match(portable.trim_spaces('s', d), '[0-9]{17}[0-9X]?', d)} as id_like, "
            f"cast({portable.date_from_digits('substr(s, 7, 8)', d)} as string) as birth, "
            f"cast(levenshtein({s}, {t}) as bigint) as byte_distance "
            "from _tricky order by n"
        )
    finally:
        engine.unregister("_tricky")
    return rows.to_dicts()


def test_the_portable_expressions_agree(spark: SparkEngine) -> None:
    with duckdb.connect() as con:
        duck = portable_values(DuckDBEngine(con))
    assert duck == portable_values(spark)


def measures_sql(engine: Engine) -> str:
    """The person model's two string measures over bytes (portable.jaro_winkler, levenshtein of portable.utf8_bytes)
    on the pairs of the district's own values that they decide: addresses within a village, names of one surname and
    length."""
    d = engine.dialect
    jw = portable.jaro_winkler("l", "r", d)
    lev = f"levenshtein({portable.utf8_bytes('l', d)}, {portable.utf8_bytes('r', d)})"
    return f"""
with mentions as (select village_code, address, name from intermediate.int_person_mentions),
addresses as (select distinct village_code, address from mentions where address is not null),
names as (select distinct name from mentions where name is not null),
address_pairs as (
    select x.address as l, y.address as r from addresses as x join addresses as y
        on x.village_code = y.village_code and x.address < y.address
),
name_pairs as (
    select x.name as l, y.name as r from names as x join names as y
        on left(x.name, 1) = left(y.name, 1) and length(x.name) = length(y.name) and x.name < y.name
)
select 'address' as pair, l, r, round({jw}, 12) as measure from address_pairs
union all
select 'name' as pair, l, r, cast({lev} as double) as measure from name_pairs
"""


def test_the_string_measures_agree_on_the_districts_values(tiny_run: FirstRun, spark: SparkEngine) -> None:
    """Splink's own jaro_winkler UDF on Spark gave 1,604 of the 3,239 address pairs another value than DuckDB's (its
    prefix weight shrinks with the length), 5 across the level's 0.9; portable.jaro_winkler is rapidfuzz's on both."""
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        duck = DuckDBEngine(con).query(measures_sql(DuckDBEngine(con)))
    on_spark = spark.query(measures_sql(spark))
    assert duck.height > 1000
    assert duck["pair"].n_unique() == 2
    found = differences("string measures", duck, on_spark, ["pair", "l", "r", "measure"])
    assert not found, found

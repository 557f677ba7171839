"""Entity resolution of the `tiny` run on DuckDB and on local Spark gives the same person and organisation links.

The run's intermediate mention tables go to Spark as Parquet (orchestration/engines/spark.py). Compared, each on
both engines: the deterministic pre-pass (each mention's features, the split into ID-anchored profiles and loose
mentions, the candidates sharing a blocking key) row for row; every candidate pair Splink scores with the same
trained model (DuckDBAPI, SparkAPI), each comparison's level and the probability; the decisions (person links and
review cases, the organisations' code-body and name links); the few expressions the engines spell differently
(orchestration/engines/portable.py) on values picked to tell the spellings apart; and the two string measures on
every pair of the district's addresses and names they decide. At `tiny` the links alone would not notice a
comparison that means something else on Spark on pairs that decide nothing; the other tests do.
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
from orchestration.resolution import LinkageInput, linkage_input, load_person_model, resolve_orgs, resolve_persons
from orchestration.resolution.model import predict_edges
from tests.support.pipeline import FirstRun
from tests.support.spark import local_spark

pytestmark = [pytest.mark.integration, pytest.mark.spark_build]

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
        yield SparkEngine(session, work / "checkpoints")


@pytest.fixture(scope="module")
def linkages(tiny_run: FirstRun, spark: SparkEngine) -> dict[str, LinkageInput]:
    """The deterministic pre-pass on each engine: what Splink is given to compare."""
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        duck = linkage_input(con)
    return {"duckdb": duck, "spark": linkage_input(spark)}


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


def test_the_pre_pass_gives_splink_the_same_input(linkages: dict[str, LinkageInput]) -> None:
    """Features, ID-anchored profiles, loose mentions and the candidates sharing a blocking key, row for row."""
    duck, spark = linkages["duckdb"], linkages["spark"]
    assert duck.loose.height >= 50 and duck.records.height > duck.loose.height
    found = (
        differences("Splink's records", duck.records, spark.records, duck.records.columns)
        + differences("loose mentions", duck.loose, spark.loose, duck.loose.columns)
        + differences("name frequencies", duck.name_tf, spark.name_tf, duck.name_tf.columns)
    )
    assert not found, found
    assert (duck.prior, duck.profiles) == (spark.prior, spark.profiles)


def test_every_candidate_pair_is_scored_the_same(linkages: dict[str, LinkageInput], spark: SparkEngine) -> None:
    """Every pair the blocking rules make (no probability floor), with each comparison's level and the probability."""
    model = load_person_model()
    duck = predict_edges(linkages["duckdb"], model, floor=0.0)
    on_spark = predict_edges(linkages["spark"], model, floor=0.0, engine=spark)
    levels = [c for c in duck.columns if c.startswith("gamma_")]
    assert len(levels) == len(model["comparisons"]) and duck.height > 100

    def pairs(edges: pl.DataFrame) -> pl.DataFrame:
        return edges.select("unique_id_l", "unique_id_r", *[pl.col(c).cast(pl.Int64) for c in levels])

    found = differences("scored pairs", pairs(duck), pairs(on_spark), pairs(duck).columns)
    assert not found, found
    both = duck.join(on_spark, on=["unique_id_l", "unique_id_r"], suffix="_spark")
    assert (both["match_probability"] - both["match_probability_spark"]).abs().max() < 1e-9  # type: ignore[operator]


def test_the_same_people_and_organisations_are_linked_on_both_engines(
    tiny_run: FirstRun, linkages: dict[str, LinkageInput], spark: SparkEngine
) -> None:
    secret = tiny_run.settings.key_secret
    with duckdb.connect(str(tiny_run.settings.warehouse_path), read_only=True) as con:
        duck_persons = resolve_persons(linkages["duckdb"], secret=secret).links
        duck_orgs = resolve_orgs(con)
    spark_persons = resolve_persons(linkages["spark"], secret=secret, engine=spark).links
    spark_orgs = resolve_orgs(spark)
    # the tiny district has something to resolve both ways, or equal sets would prove nothing
    assert duck_persons.filter(pl.col("decision") == "linked").height >= 5
    assert duck_orgs["match_method"].n_unique() == 2
    found = differences("person links", duck_persons, spark_persons, PERSON_LINK) + differences(
        "organisation links", duck_orgs, spark_orgs, ORG_LINK
    )
    assert not found, found
    both = duck_persons.join(spark_persons, on=PERSON_LINK, suffix="_spark", nulls_equal=True)
    assert (both["match_probability"] - both["match_probability_spark"]).abs().max() < 1e-9  # type: ignore[operator]


TRICKY = [
    "320102199001011234",
    "320102199012251234",  # 25 December: day and month tell apart
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

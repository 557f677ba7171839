"""Resolution features: each person mention's comparison columns (normalised name, pinyin, ID digits) and the
Splink input — the mentions without a valid ID and the golden profiles that share a blocking key with one."""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import polars as pl

from orchestration.engines.engine import DuckDBEngine, Engine, as_engine
from orchestration.engines.portable import Dialect, date_from_digits, full_match, trim_spaces

# Pairs Splink compares: only those agreeing on one of these (l and r are the two sides).
BLOCKING_RULES = [
    "l.id17 = r.id17",
    "l.phone = r.phone",
    "l.name = r.name and l.birth_date = r.birth_date",
    "l.village_code = r.village_code and l.surname = r.surname and l.birth_year = r.birth_year",
    "l.name_pinyin = r.name_pinyin and l.village_code = r.village_code",
]


@lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def normalise_name(name: str | None) -> str | None:
    """Half-width, simplified, no spaces or middle dots: the form two clerks would both type."""
    if name is None:
        return None
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "·•.")
    return _t2s().convert(text) or None


def name_pinyin(name: str | None) -> str | None:
    """Toneless pinyin: 张伟 and 章伟 (a clerk's homophone slip) agree here."""
    if not name:
        return None
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name))


def person_features_sql(table: str, dialect: Dialect = "duckdb") -> str:
    """The `features` CTE over a person-mention table (and `_person_names`), in SQL both engines read alike; the
    expressions they spell differently come from engines/portable.py."""
    raw_id = f"upper(translate({trim_spaces('id_number_raw', dialect)}, '０１２３４５６７８９ｘＸ', '0123456789XX'))"
    return f"""
with base as (
    select
        source_id, entity, record_id, role,
        id_number,
        {raw_id} as raw_id,
        name, sex, birth_date, phone, village_code, address, house_no
    from {table}
),
with_id17 as (
    select
        *,
        -- 17 digits survive a wrong check character: they still carry area, birth date and sequence
        case
            when id_number is not null then left(id_number, 17)
            when {full_match("raw_id", "[0-9]{17}[0-9X]?", dialect)} then left(raw_id, 17)
        end as id17
    from base
),
features as (
    select
        source_id, entity, record_id, role, id_number, id17,
        names.normal as name,
        names.pinyin as name_pinyin,
        left(names.normal, 1) as surname,
        coalesce(sex, case when id17 is not null then
            case when cast(substr(id17, 17, 1) as integer) % 2 = 1 then 'M' else 'F' end end) as sex,
        coalesce(birth_date, {date_from_digits("substr(id17, 7, 8)", dialect)}) as birth_day,
        cast(year(birth_day) as string) as birth_year,
        cast(birth_day as string) as birth_date,
        phone, village_code, address, house_no,
        concat_ws('|', source_id, entity, record_id, role) as mention_key
    from with_id17
    left join _person_names as names
        on names.raw = with_id17.name
)
"""


def _register_names(engine: Engine, table: str) -> None:
    """Each distinct name once through Python (simplified, folded, pinyin), as `_person_names(raw, normal, pinyin)`."""
    names = engine.query(f"select distinct name from {table} where name is not null")["name"].to_list()
    normal = [normalise_name(n) for n in names]
    mapping = pl.DataFrame(
        {"raw": names, "normal": normal, "pinyin": [name_pinyin(n) for n in normal]},
        schema={"raw": pl.String, "normal": pl.String, "pinyin": pl.String},
    )
    engine.register("_person_names", mapping)


def _features_sql(table: str, select: str, dialect: Dialect = "duckdb") -> str:
    return person_features_sql(table, dialect) + select


def person_features(con: duckdb.DuckDBPyConnection, table: str = "intermediate.int_person_mentions") -> pl.DataFrame:
    """Every mention with the comparison columns the model expects (for training on a sample district, on DuckDB)."""
    engine = DuckDBEngine(con)
    _register_names(engine, table)
    try:
        return con.sql(_features_sql(table, "select * exclude (birth_day) from features")).pl()
    finally:
        con.unregister("_person_names")


COMPARED = ["id17", "name", "name_pinyin", "surname", "sex", "birth_date", "birth_year", "phone", "village_code",
            "address", "house_no"]  # fmt: skip


@dataclass(frozen=True)
class LinkageInput:
    """What Splink compares: every mention without a valid ID ("loose") and those golden persons' distinct profiles
    that share a blocking key with one of them — never the whole district, so memory follows the loose mentions."""

    records: pl.DataFrame  # COMPARED + unique_id + anchor (the valid ID; null for a loose mention)
    loose: pl.DataFrame  # mention_key, source_id, entity, record_id, role of every loose mention
    name_tf: pl.DataFrame  # name, tf_name: over all golden profiles and loose mentions, as Splink would count
    prior: float  # probability that two random records (profiles or loose mentions) are one person
    profiles: int  # golden profiles in the whole district (records holds the candidates among them)


def _blocking_key_match(rule: str) -> str:
    """A blocking rule as a semi-join from a golden profile p to the loose mentions l."""
    on = rule.replace("r.", "p.")
    return f"exists (select 1 from _loose as l where {on})"


def linkage_input(where: Any, table: str = "intermediate.int_person_mentions") -> LinkageInput:
    """Build the Splink input inside the engine that holds the mentions (`where`: the DuckDB warehouse's connection,
    a SparkSession or an Engine): the district's mentions are scanned there and only candidates come out."""
    engine = as_engine(where)
    dialect = engine.dialect
    _register_names(engine, table)
    try:
        loose = engine.query(
            _features_sql(table, f"select mention_key, source_id, entity, record_id, role, {', '.join(COMPARED)} "
                                 "from features where id_number is null order by mention_key", dialect)
        )  # fmt: skip
        engine.register("_loose", loose.select(COMPARED))
        profiles = (
            f"select distinct id_number as anchor, {', '.join(COMPARED)} from features where id_number is not null"
        )
        candidates = engine.query(
            _features_sql(table, f", profiles as ({profiles}) select * from profiles as p where "
                                 + " or ".join(_blocking_key_match(rule) for rule in BLOCKING_RULES), dialect)
        )  # fmt: skip
        # name frequencies and profile counts over the whole district, in one pass over its distinct profiles
        stats = engine.query(
            _features_sql(table, f", profiles as ({profiles}) select anchor, name, count(*) as n from profiles "
                                 "group by grouping sets ((anchor), (name))", dialect)
        )  # fmt: skip
    finally:
        engine.unregister("_person_names")
        with contextlib.suppress(Exception):
            engine.unregister("_loose")
    per_anchor = stats.filter(pl.col("anchor").is_not_null())["n"]
    total = int(per_anchor.sum()) + loose.height
    true_pairs = int((per_anchor * (per_anchor - 1) // 2).sum()) + loose.height  # a loose mention has ~one partner
    names = (
        pl.concat(
            [
                stats.filter(pl.col("anchor").is_null() & pl.col("name").is_not_null()).select("name", "n"),
                loose.filter(pl.col("name").is_not_null()).group_by("name").agg(n=pl.len().cast(pl.Int64)),
            ]
        )
        .group_by("name")
        .agg(pl.col("n").sum())
    )
    name_tf = names.select("name", tf_name=pl.col("n") / pl.col("n").sum()).sort("name")
    anchored = (
        candidates.sort("anchor", *COMPARED, nulls_last=True)
        .with_row_index("n")
        .select(*COMPARED, unique_id=pl.format("a{}", pl.col("n")), anchor="anchor")
    )
    records = pl.concat(
        [anchored, loose.select(*COMPARED, unique_id="mention_key", anchor=pl.lit(None, dtype=pl.String))]
    )
    return LinkageInput(
        records=records,
        loose=loose.select("mention_key", "source_id", "entity", "record_id", "role"),
        name_tf=name_tf,
        prior=max(true_pairs / (total * (total - 1) / 2), 1e-12) if total > 1 else 1e-12,
        profiles=int(per_anchor.sum()),
    )

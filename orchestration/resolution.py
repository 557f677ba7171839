"""Entity resolution for mentions without a valid identifier: Splink for people, name rules for organisations.

Deterministic matching on the valid citizen ID / credit code stays in dbt. This module only decides, for each
mention whose identifier is missing or broken, which golden record it belongs to — or that a person must look at
it — and writes that decision to `resolution.person_links` / `resolution.org_links`, which dbt reads as sources.

The person model (m/u parameters, comparisons, blocking rules) is trained once, reproducibly, by
`python -m orchestration.resolution train` and kept in `orchestration/resolution_model/person_model.json`
beside the thresholds (`thresholds.yaml`); the pipeline only applies it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl
import yaml

from orchestration.sources import WAREHOUSE_POOL
from zhongtai.duckdb import connect
from zhongtai.settings import Settings

MODEL_DIR = Path(__file__).resolve().parent / "resolution_model"
PERSON_MODEL = MODEL_DIR / "person_model.json"
THRESHOLDS = MODEL_DIR / "thresholds.yaml"
TRAINING_SEED = 20141101

PERSON_LINKS_KEY = dg.AssetKey(["resolution", "person_links"])
ORG_LINKS_KEY = dg.AssetKey(["resolution", "org_links"])

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


# --------------------------------------------------------------------------------------------------------------------
# features


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


PERSON_FEATURES_SQL = """
with base as (
    select
        source_id, entity, record_id, role,
        id_number,
        upper(translate(trim(id_number_raw), '０１２３４５６７８９ｘＸ', '0123456789XX')) as raw_id,
        name, sex, birth_date, phone, village_code, address, house_no
    from {table}
),
with_id17 as (
    select
        *,
        -- 17 digits survive a wrong check character: they still carry area, birth date and sequence
        case
            when id_number is not null then left(id_number, 17)
            when regexp_full_match(raw_id, '[0-9]{{17}}[0-9X]?') then left(raw_id, 17)
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
        coalesce(birth_date, try_strptime(substr(id17, 7, 8), '%Y%m%d')::date) as birth_day,
        cast(year(birth_day) as varchar) as birth_year,
        cast(birth_day as varchar) as birth_date,
        phone, village_code, address, house_no,
        concat_ws('|', source_id, entity, record_id, role) as mention_key
    from with_id17
    left join _person_names as names
        on names.raw = with_id17.name
)
"""


def _register_names(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Each distinct name once through Python (simplified, folded, pinyin), as `_person_names(raw, normal, pinyin)`."""
    names = con.sql(f"select distinct name from {table} where name is not null").pl()["name"].to_list()
    normal = [normalise_name(n) for n in names]
    mapping = pl.DataFrame(
        {"raw": names, "normal": normal, "pinyin": [name_pinyin(n) for n in normal]},
        schema={"raw": pl.String, "normal": pl.String, "pinyin": pl.String},
    )
    con.register("_person_names", mapping.to_arrow())


def _features_sql(table: str, select: str) -> str:
    return PERSON_FEATURES_SQL.format(table=table) + select


def person_features(con: duckdb.DuckDBPyConnection, table: str = "intermediate.int_person_mentions") -> pl.DataFrame:
    """Every mention with the comparison columns the model expects (for training on a sample district)."""
    _register_names(con, table)
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


def linkage_input(con: duckdb.DuckDBPyConnection, table: str = "intermediate.int_person_mentions") -> LinkageInput:
    """Build the Splink input inside DuckDB: the district's mentions are scanned there and only candidates come out."""
    _register_names(con, table)
    try:
        loose = con.sql(
            _features_sql(table, f"select mention_key, source_id, entity, record_id, role, {', '.join(COMPARED)} "
                                 "from features where id_number is null order by mention_key")
        ).pl()  # fmt: skip
        con.register("_loose", loose.select(COMPARED).to_arrow())
        profiles = (
            f"select distinct id_number as anchor, {', '.join(COMPARED)} from features where id_number is not null"
        )
        candidates = con.sql(
            _features_sql(table, f", profiles as ({profiles}) select * from profiles as p where "
                                 + " or ".join(_blocking_key_match(rule) for rule in BLOCKING_RULES))
        ).pl()  # fmt: skip
        # name frequencies and profile counts over the whole district, in one pass over its distinct profiles
        stats = con.sql(
            _features_sql(table, f", profiles as ({profiles}) select anchor, name, count(*) as n from profiles "
                                 "group by grouping sets ((anchor), (name))")
        ).pl()  # fmt: skip
    finally:
        con.unregister("_person_names")
        with contextlib.suppress(Exception):
            con.unregister("_loose")
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


# --------------------------------------------------------------------------------------------------------------------
# the model


def _only_across(rule: str) -> str:
    # two golden profiles are already resolved by their ID: pair only where one side lacks it
    return f"({rule}) and (l.anchor is null or r.anchor is null)"


BLOCKING_RULES = [
    "l.id17 = r.id17",
    "l.phone = r.phone",
    "l.name = r.name and l.birth_date = r.birth_date",
    "l.village_code = r.village_code and l.surname = r.surname and l.birth_year = r.birth_year",
    "l.name_pinyin = r.name_pinyin and l.village_code = r.village_code",
]


def person_settings() -> Any:
    """The comparisons: ID digits, name (exact / pinyin / one character off), birth date, sex, phone, place."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_pinyin").configure(label_for_charts="pinyin equal"),
            # DuckDB's levenshtein counts UTF-8 bytes: one Chinese character is up to three of them
            cll.CustomLevel(
                "length(name_l) = length(name_r) and left(name_l, 1) = left(name_r, 1) "
                "and levenshtein(name_l, name_r) <= 3",
                label_for_charts="one character differs",
            ),
            cll.ElseLevel(),
        ],
    )
    id17 = cl.CustomComparison(
        output_column_name="id17",
        comparison_levels=[
            cll.NullLevel("id17"),
            cll.ExactMatchLevel("id17"),
            cll.LevenshteinLevel("id17", 1),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.LevenshteinLevel("birth_date", 1),
            cll.ExactMatchLevel("birth_year"),
            cll.ElseLevel(),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address"),
            cll.ExactMatchLevel("address"),
            cll.JaroWinklerLevel("address", 0.9),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            id17,
            name,
            birth,
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("village_code"),
            address,
            cl.ExactMatch("house_no"),
        ],
        blocking_rules_to_generate_predictions=[_only_across(r) for r in BLOCKING_RULES],
        additional_columns_to_retain=["anchor"],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _splink_db(memory_limit: str | None = None) -> Any:
    from splink.backends.duckdb import DuckDBAPI

    con = splink_connection(memory_limit)
    return con, DuckDBAPI(connection=con)


def splink_connection(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for Splink: four threads, and with a memory limit a private spill folder."""
    con = duckdb.connect(":memory:")
    con.execute("set threads to 4")
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
        # an in-memory database spills to ./.tmp unless told otherwise
        con.execute(f"set temp_directory = '{Path(tempfile.gettempdir()) / f'zhongtai-splink-{os.getpid()}'}'")
    return con


def train_person_model(features: pl.DataFrame, *, seed: int = TRAINING_SEED) -> dict[str, Any]:
    """m from pairs of mentions sharing a valid ID (excellent labels), u from seeded random pairs; reproducible."""
    from splink import Linker

    anchored = features.filter(pl.col("id_number").is_not_null())
    # a fixed, hash-free sample: every fourth person in ID order keeps training time flat as the district grows
    ids = anchored.select(pl.col("id_number").unique().sort()).to_series()
    sample_ids = ids.gather_every(max(1, ids.len() // 20_000))
    training = (
        anchored.filter(pl.col("id_number").is_in(sample_ids.implode()))
        .select(*COMPARED, unique_id=pl.col("mention_key"), anchor=pl.col("id_number"))
        .sort("unique_id")
    )
    # the ID digits are what the label is made of: leave them out of the m estimate and set them below
    training_for_m = training.with_columns(id17=pl.lit(None, dtype=pl.String))
    _con, db = _splink_db()
    linker = Linker(db.register(training_for_m.to_arrow(), dataset_display_name="training"), person_settings())
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_m_from_label_column("anchor")
    model = linker.misc.save_model_to_json()
    # u of the ID digits from the real sample (random pairs almost never share 17 digits)
    linker_u = Linker(db.register(training.to_arrow(), dataset_display_name="training_u"), person_settings())
    linker_u.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    model_u = linker_u.misc.save_model_to_json()
    return _finalise(model, model_u)


# m for the ID digits: a wrong check character leaves all 17 equal; a typo in the body changes one
_ID17_M = {"Exact match on id17": 0.97, "Levenshtein distance of id17 <= 1": 0.02, "All other comparisons": 0.01}
_M_FLOOR = 1e-3  # no single disagreement may veto a match outright: sources do carry stale or mistyped values


def _finalise(model: dict[str, Any], model_u: dict[str, Any]) -> dict[str, Any]:
    u_id17 = next(c for c in model_u["comparisons"] if c["output_column_name"] == "id17")
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if comparison["output_column_name"] == "id17":
            for level, u_level in zip(
                levels, [lv for lv in u_id17["comparison_levels"] if not lv.get("is_null_level")], strict=True
            ):
                level["m_probability"] = _ID17_M[level["label_for_charts"]]
                level["u_probability"] = max(u_level.get("u_probability") or 0.0, 1e-9)
        for level in levels:
            level["m_probability"] = max(level.get("m_probability") or 0.0, _M_FLOOR)
            level["u_probability"] = max(level.get("u_probability") or 0.0, 1e-9)
        m_total = sum(lv["m_probability"] for lv in levels)
        u_total = sum(lv["u_probability"] for lv in levels)
        for level in levels:
            level["m_probability"] = round(level["m_probability"] / m_total, 8)
            level["u_probability"] = round(level["u_probability"] / u_total, 10)
    model.pop("linker_uid", None)
    return model


@dataclass(frozen=True)
class Thresholds:
    link: float
    review: float


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["person"]
    return Thresholds(link=float(data["link"]), review=float(data["review"]))


def load_person_model(path: Path = PERSON_MODEL) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------------------
# applying it


def predict_edges(
    linkage: LinkageInput, model: dict[str, Any], floor: float, memory_limit: str | None = None
) -> pl.DataFrame:
    """Scored candidate pairs at or above `floor`, with the anchor (valid ID) of each side."""
    from splink import Linker

    model = json.loads(json.dumps(model))
    # the prior from this data, so that it shrinks as the district grows instead of staying at the training sample's
    model["probability_two_random_records_match"] = linkage.prior
    _con, db = _splink_db(memory_limit)
    linker = Linker(db.register(linkage.records.to_arrow(), dataset_display_name="records"), model)
    # name frequencies of the whole district: the candidates alone would make every name look rare
    tf = db.register(linkage.name_tf.to_arrow(), dataset_display_name="name_tf")
    linker.table_management.register_term_frequency_lookup(tf, "name")
    predictions = linker.inference.predict(threshold_match_probability=floor)
    edges = pl.from_arrow(
        predictions.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, anchor_l, anchor_r, match_probability, match_weight")
        .arrow()
    )
    return edges  # type: ignore[return-value]


def decide(edges: pl.DataFrame, thresholds: Thresholds) -> pl.DataFrame:
    """Per loose mention: linked to one golden person, queued for review with its best candidate, or neither."""
    # orient every edge as (loose mention, other side)
    both = pl.concat(
        [
            edges.filter(pl.col("anchor_l").is_null()).select(
                mention=pl.col("unique_id_l"), other=pl.col("unique_id_r"), other_anchor=pl.col("anchor_r"),
                p=pl.col("match_probability"),
            ),
            edges.filter(pl.col("anchor_r").is_null()).select(
                mention=pl.col("unique_id_r"), other=pl.col("unique_id_l"), other_anchor=pl.col("anchor_l"),
                p=pl.col("match_probability"),
            ),
        ]
    )  # fmt: skip
    to_golden = (
        both.filter(pl.col("other_anchor").is_not_null())
        .group_by("mention", "other_anchor")
        .agg(p=pl.col("p").max())
        .sort(["mention", "p", "other_anchor"], descending=[False, True, False])
    )
    ranked = to_golden.with_columns(rank=pl.int_range(pl.len()).over("mention"))
    best = ranked.filter(pl.col("rank") == 0).drop("rank")
    second = ranked.filter(pl.col("rank") == 1).select("mention", second_anchor="other_anchor", second_p="p")
    best = best.join(second, on="mention", how="left")
    # two different people both above the link threshold: a person decides, not the model
    confident = pl.col("p") >= thresholds.link
    unambiguous = pl.col("second_p").is_null() | (pl.col("second_p") < thresholds.link)
    linked = best.filter(confident & unambiguous).select("mention", id_number="other_anchor", p="p")
    # one hop: a loose mention confidently equal to a linked loose mention joins that person
    loose_pairs = both.filter(pl.col("other_anchor").is_null() & (pl.col("p") >= thresholds.link))
    hop = (
        loose_pairs.join(linked.rename({"mention": "other", "p": "p_other"}), on="other")
        .filter(~pl.col("mention").is_in(linked["mention"].implode()))
        .with_columns(p=pl.min_horizontal("p", "p_other"))
        .sort(["mention", "p", "id_number"], descending=[False, True, False])
        .group_by("mention", maintain_order=True)
        .agg(pl.col("id_number").first(), pl.col("p").first(), n=pl.col("id_number").n_unique())
        .filter(pl.col("n") == 1)
        .drop("n")
    )
    linked = pl.concat([linked.with_columns(via=pl.lit("golden")), hop.with_columns(via=pl.lit("mention"))])
    review = best.filter(
        ~pl.col("mention").is_in(linked["mention"].implode()) & (pl.col("p") >= thresholds.review)
    ).select("mention", id_number="other_anchor", p="p", second_id_number="second_anchor", second_p="second_p")
    return pl.concat(
        [
            linked.select(
                "mention", decision=pl.lit("linked"), id_number="id_number", match_probability="p",
                second_id_number=pl.lit(None, dtype=pl.String), second_probability=pl.lit(None, dtype=pl.Float64),
            ),
            review.select(
                "mention", decision=pl.lit("review"), id_number="id_number", match_probability="p",
                second_id_number="second_id_number", second_probability="second_p",
            ),
        ]
    ).sort("mention")  # fmt: skip


@dataclass
class PersonResolution:
    links: pl.DataFrame
    edges: int
    records: int
    seconds: float


def resolve_persons(
    linkage: LinkageInput,
    model: dict[str, Any] | None = None,
    thresholds: Thresholds | None = None,
    memory_limit: str | None = None,
) -> PersonResolution:
    started = time.perf_counter()
    model = model or load_person_model()
    thresholds = thresholds or load_thresholds()
    edges = predict_edges(linkage, model, floor=thresholds.review, memory_limit=memory_limit)
    decided = decide(edges, thresholds)
    links = linkage.loose.join(decided.rename({"mention": "mention_key"}), on="mention_key").drop("mention_key")
    return PersonResolution(links, edges.height, linkage.records.height, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------------------------------
# organisations


_ORG_SUFFIXES = ["股份有限公司", "有限责任公司", "有限公司", "公司"]


def normalise_org_name(name: str | None) -> str | None:
    """Full/half width folded, simplified, spaces and brackets unified, 有限责任公司/有限公司 treated as one form."""
    if name is None:
        return None
    text = normalise_name(name) or ""
    text = text.replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    for suffix in _ORG_SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)] + "有限公司" if suffix != "股份有限公司" else text
    return text or None


ORG_SQL = """
select
    source_id, entity, record_id, role, uscc, name,
    case when regexp_full_match(upper(trim(uscc_raw)), '[0-9A-Z]{17}.?') then left(upper(trim(uscc_raw)), 17) end
        as code17
from intermediate.int_org_mentions
"""


def resolve_orgs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Broken or missing credit codes: the same first 17 characters as one valid code, else one valid code's name."""
    df = con.sql(ORG_SQL).pl()
    names = {n: normalise_org_name(n) for n in df["name"].unique().to_list()}
    df = df.with_columns(name_key=pl.col("name").replace_strict(names, default=None, return_dtype=pl.String))
    valid = df.filter(pl.col("uscc").is_not_null())
    by_code = (
        valid.group_by("code17").agg(pl.col("uscc").unique()).filter(pl.col("uscc").list.len() == 1)
        .select("code17", by_code=pl.col("uscc").list.first())
    )  # fmt: skip
    by_name = (
        valid.filter(pl.col("name_key").is_not_null())
        .group_by("name_key").agg(pl.col("uscc").unique()).filter(pl.col("uscc").list.len() == 1)
        .select("name_key", by_name=pl.col("uscc").list.first())
    )  # fmt: skip
    loose = (
        df.filter(pl.col("uscc").is_null())
        .join(by_code, on="code17", how="left")
        .join(by_name, on="name_key", how="left")
    )
    return loose.filter(pl.col("by_code").is_not_null() | pl.col("by_name").is_not_null()).select(
        "source_id", "entity", "record_id", "role",
        uscc=pl.coalesce("by_code", "by_name"),
        match_method=pl.when(pl.col("by_code").is_not_null()).then(pl.lit("code_prefix")).otherwise(pl.lit("name")),
        # both rules agree, or the code body alone: a near-certain link; a name alone is as good as its uniqueness
        match_probability=pl.when(pl.col("by_code").is_not_null() & (pl.col("by_code") == pl.col("by_name")))
        .then(pl.lit(0.9999)).when(pl.col("by_code").is_not_null()).then(pl.lit(0.999)).otherwise(pl.lit(0.99)),
    ).sort("source_id", "entity", "record_id", "role")  # fmt: skip


# --------------------------------------------------------------------------------------------------------------------
# writing to the warehouse and the Dagster asset


def write_links(con: duckdb.DuckDBPyConnection, persons: pl.DataFrame, orgs: pl.DataFrame) -> None:
    con.execute("create schema if not exists resolution")
    con.register("person_links_df", persons.to_arrow())
    con.register("org_links_df", orgs.to_arrow())
    con.execute(
        """
        create or replace table resolution.person_links as
        select source_id, entity, record_id, role, decision, id_number,
               cast(match_probability as double) as match_probability, second_id_number,
               cast(second_probability as double) as second_probability, now() as resolved_at
        from person_links_df
        """
    )
    con.execute(
        """
        create or replace table resolution.org_links as
        select source_id, entity, record_id, role, uscc, match_method,
               cast(match_probability as double) as match_probability, now() as resolved_at
        from org_links_df
        """
    )
    con.unregister("person_links_df")
    con.unregister("org_links_df")


def run_resolution(settings: Settings) -> dict[str, Any]:
    memory_limit = settings.resolution_memory
    with connect(settings.warehouse_path, read_only=False, settings=settings, extensions=()) as con:
        con.execute(f"set memory_limit = '{memory_limit}'")
        linkage = linkage_input(con)
        result = resolve_persons(linkage, memory_limit=memory_limit)
        orgs = resolve_orgs(con)
        write_links(con, result.links, orgs)
    counts = result.links.group_by("decision").len().to_dict(as_series=False)
    by_decision = dict(zip(counts["decision"], counts["len"], strict=True))
    return {
        "loose_person_mentions": linkage.loose.height,
        "golden_profiles": linkage.profiles,
        "person_linked": int(by_decision.get("linked", 0)),
        "person_review": int(by_decision.get("review", 0)),
        "candidate_pairs": result.edges,
        "linkage_records": result.records,
        "org_linked": orgs.height,
        "seconds": round(result.seconds, 2),
    }


def build_resolution_asset(settings: Settings) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                PERSON_LINKS_KEY,
                deps=[dg.AssetKey(["intermediate", "int_person_mentions"])],
                group_name="resolution",
                description="自然人概率匹配结果 — 身份证号缺失或无效的出现记录：关联到的自然人或待复核候选（Splink）",
            ),
            dg.AssetSpec(
                ORG_LINKS_KEY,
                deps=[dg.AssetKey(["intermediate", "int_org_mentions"])],
                group_name="resolution",
                description="法人匹配结果 — 信用代码缺失或无效的出现记录按代码主体或规范化名称关联到的法人",
            ),
        ],
        pool=WAREHOUSE_POOL,
        name="entity_resolution",
    )
    def entity_resolution(context):  # type: ignore[no-untyped-def]  # annotated, Dagster rejects the postponed string
        summary = run_resolution(settings)
        context.log.info(f"entity resolution: {summary}")
        yield dg.MaterializeResult(
            asset_key=PERSON_LINKS_KEY, metadata={k: v for k, v in summary.items() if "org" not in k}
        )
        yield dg.MaterializeResult(asset_key=ORG_LINKS_KEY, metadata={"org_linked": summary["org_linked"]})

    return entity_resolution


def main(argv: list[str] | None = None) -> None:
    """`python -m orchestration.resolution train --warehouse <file>`: re-estimate the person model from a warehouse."""
    parser = argparse.ArgumentParser(prog="python -m orchestration.resolution")
    parser.add_argument("command", choices=["train"])
    parser.add_argument("--warehouse", required=True, type=Path)
    args = parser.parse_args(argv)
    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        features = person_features(con)
    finally:
        con.close()
    model = train_person_model(features)
    PERSON_MODEL.parent.mkdir(parents=True, exist_ok=True)
    PERSON_MODEL.write_text(json.dumps(model, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PERSON_MODEL}")


if __name__ == "__main__":
    main()

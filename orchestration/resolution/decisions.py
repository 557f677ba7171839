"""Resolution decisions: per person mention without a valid ID, linked / queued for review / neither; per
organisation mention with a broken or missing code, the one legal person it belongs to by code body or name."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import polars as pl

from orchestration.engines.engine import Engine, as_engine
from orchestration.engines.portable import Dialect, full_match, trim_spaces
from orchestration.resolution import clerical
from orchestration.resolution.features import LinkageInput, normalise_name
from orchestration.resolution.model import Thresholds, load_person_model, load_thresholds, predict_edges


def match_weight(column: str) -> pl.Expr:
    """log2 of the odds of a match probability (Splink's match weight), finite at 0 and 1."""
    p = pl.col(column).clip(1e-12, 1 - 1e-12)
    return (p / (1 - p)).log(2)


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
    # two different people both above the link threshold, or a runner-up nearly as likely as the best (within
    # `thresholds.margin` bits of match weight): a person decides, not the model
    confident = pl.col("p") >= thresholds.link
    unambiguous = pl.col("second_p").is_null() | (
        (pl.col("second_p") < thresholds.link) & (match_weight("p") - match_weight("second_p") >= thresholds.margin)
    )
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
    review_cases: pl.DataFrame  # clerical.review_cases: the queue, side by side with its evidence
    labels: pl.DataFrame  # clerical.labels: the stewards' decisions applied in this resolution


def resolve_persons(
    linkage: LinkageInput,
    model: dict[str, Any] | None = None,
    thresholds: Thresholds | None = None,
    memory_limit: str | None = None,
    decisions: pl.DataFrame | None = None,
    secret: str = "",
    engine: Engine | None = None,
) -> PersonResolution:
    """Score, decide, and put the stewards' `decisions` (clerical.read_decisions) over the model's: a decision
    overrides the model for its mention (link, new person) or pair (reject). Splink scores on `engine` (default: its
    own in-memory DuckDB)."""
    started = time.perf_counter()
    model = model or load_person_model()
    thresholds = thresholds or load_thresholds()
    decisions = clerical.with_candidate_ids(
        decisions if decisions is not None else clerical.read_decisions_empty(), linkage, secret
    )
    edges = predict_edges(linkage, model, floor=thresholds.review, memory_limit=memory_limit, engine=engine)
    scored = clerical.without_overruled(edges, decisions)
    decided = clerical.overridden(decide(scored, thresholds), decisions)
    links = linkage.loose.join(decided.rename({"mention": "mention_key"}), on="mention_key").drop("mention_key")
    cases = clerical.review_cases(scored, links, linkage, model, secret)
    return PersonResolution(
        links, edges.height, linkage.records.height, time.perf_counter() - started, cases,
        clerical.labels(decisions, linkage),
    )  # fmt: skip


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


def org_sql(dialect: Dialect = "duckdb", table: str = "intermediate.int_org_mentions") -> str:
    """Each organisation mention with the body of its code as delivered (`code17`), in SQL both engines read alike."""
    code = f"upper({trim_spaces('uscc_raw', dialect)})"
    return f"""
select
    source_id, entity, record_id, role, uscc, name,
    case when {full_match(code, "[0-9A-Z]{17}.?", dialect)} then left({code}, 17) end as code17
from {table}
"""


def resolve_orgs(where: Any) -> pl.DataFrame:
    """Broken or missing credit codes: the same first 17 characters as one valid code, else one valid code's name.
    `where`: the engine holding the mentions (the DuckDB warehouse's connection, a SparkSession or an Engine)."""
    engine = as_engine(where)
    df = engine.query(org_sql(engine.dialect))
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

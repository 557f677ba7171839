"""Clerical review: the data stewards' decisions on the matches sent to review, applied over the model's (the latest
decision per mention wins), the review cases with their evidence for the steward page, and the decisions as
training labels for `zhongtai resolution train`.

A decision names a mention and, for "link" and "reject", one candidate by its pseudonymous person key (the page never
handles ID numbers); the key is turned back into the candidate's ID here, among the mention's own candidates.
- link: the mention joins that person (decision `clerical`), whatever the model says;
- reject: the pair is never linked; the mention's other candidates are decided by the model as usual;
- new_person: the mention is none of the known people: no candidate, no review, kept with the unresolved records.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import polars as pl

from orchestration.resolution.features import LinkageInput
from zhongtai import bookkeeping
from zhongtai.keys import pseudonym

DECISIONS = "staging.stg_match_review__decisions"
KINDS = ("link", "reject", "new_person")
# what the steward compares side by side (COMPARED minus the derived keys)
SHOWN = ["id17", "name", "sex", "birth_date", "phone", "village_code", "address", "house_no"]

_DECISION_SCHEMA = {
    "mention": pl.String,
    "decision_id": pl.Int64,
    "decision": pl.String,
    "candidate_person_key": pl.String,
    "steward": pl.String,
    "decided_at": pl.Datetime(time_zone="UTC"),
}


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()
    return bool(row and row[0])


def read_decisions_empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_DECISION_SCHEMA)


def read_decisions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every known decision (`with_candidate_ids` keeps the latest per mention); empty before any steward decided."""
    if not _exists(con, DECISIONS):
        return read_decisions_empty()
    return (
        con.sql(
            f"""
        select concat_ws('|', source_id, entity, record_id, role) as mention, decision_id, decision,
            candidate_person_key, steward, decided_at at time zone 'UTC' as decided_at
        from {DECISIONS}
        where decision in ({", ".join(f"'{k}'" for k in KINDS)})
        order by mention, decided_at, decision_id
        """
        )
        .pl()
        .cast(_DECISION_SCHEMA)
    )  # type: ignore[arg-type]


def with_candidate_ids(decisions: pl.DataFrame, linkage: LinkageInput, secret: str) -> pl.DataFrame:
    """The latest decision per mention (by time, then decision id), with `id_number`, its candidate's: the golden
    person among the candidates whose key it names (null when the key names none of them, e.g. that person no longer
    shares a blocking key with the mention)."""
    anchors = linkage.records["anchor"].drop_nulls().unique().to_list() if decisions.height else []
    by_key = {pseudonym(secret, "person", a): a for a in anchors}
    latest = decisions.sort("mention", "decided_at", "decision_id").unique("mention", keep="last", maintain_order=True)
    return latest.with_columns(
        id_number=pl.col("candidate_person_key").replace_strict(by_key, default=None, return_dtype=pl.String)
    )


def without_overruled(edges: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """The scored pairs less those a steward overruled: a rejected (mention, candidate) pair, and every pair of a
    mention decided to be a new person (so that it is neither linked nor queued, nor a hop for another mention)."""
    rejected = decisions.filter(pl.col("decision") == "reject").select("mention", "id_number").drop_nulls()
    new = decisions.filter(pl.col("decision") == "new_person")["mention"].implode()
    keep = ~(pl.col("unique_id_l").is_in(new) | pl.col("unique_id_r").is_in(new))
    for mention_side, anchor_side in (("unique_id_l", "anchor_r"), ("unique_id_r", "anchor_l")):
        pairs = rejected.select(pl.concat_str("mention", pl.lit("\x00"), "id_number").alias("pair"))["pair"]
        keep &= ~pl.concat_str(mention_side, pl.lit("\x00"), anchor_side).is_in(pairs.implode()).fill_null(False)
    return edges.filter(keep)


def overridden(decided: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """The model's decisions with the stewards' links put over them (decision `clerical`, probability 1)."""
    links = decisions.filter((pl.col("decision") == "link") & pl.col("id_number").is_not_null()).select(
        "mention",
        decision=pl.lit("clerical"),
        id_number="id_number",
        match_probability=pl.lit(1.0),
        second_id_number=pl.lit(None, dtype=pl.String),
        second_probability=pl.lit(None, dtype=pl.Float64),
    )
    rest = decided.filter(~pl.col("mention").is_in(links["mention"].implode()))
    return pl.concat([rest, links.select(decided.columns)]).sort("mention")


def labels(decisions: pl.DataFrame, linkage: LinkageInput) -> pl.DataFrame:
    """Every applied decision on a mention still without a valid ID, as a training label: a link is a matching pair
    (mention, candidate), a rejection a non-matching one, a new person a mention matching none of its candidates."""
    loose = linkage.loose.select("mention_key", "source_id", "entity", "record_id", "role")
    applied = decisions.filter((pl.col("decision") == "new_person") | pl.col("id_number").is_not_null())
    return loose.join(applied, left_on="mention_key", right_on="mention").select(
        "source_id", "entity", "record_id", "role", "decision_id", "decision",
        id_number="id_number", is_match=pl.col("decision") == "link", steward="steward", decided_at="decided_at",
    ).sort("source_id", "entity", "record_id", "role")  # fmt: skip


def _levels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Per comparison, Splink's comparison vector value → the level's label (null level -1, then counting down)."""
    out: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        counter = sum(1 for lv in levels if not lv.get("is_null_level")) - 1
        named: dict[int, str] = {}
        for level in levels:
            if level.get("is_null_level"):
                named[-1] = level.get("label_for_charts", "null")
            else:
                named[counter] = level.get("label_for_charts", str(counter))
                counter -= 1
        out[comparison["output_column_name"]] = named
    return out


def _weight(row: dict[str, Any], comparison: str) -> float:
    """The comparison's match weight (log2 Bayes factor), with its term-frequency adjustment."""
    return round((row.get(f"mw_{comparison}") or 0.0) + (row.get(f"mw_tf_adj_{comparison}") or 0.0), 3)


def review_cases(
    edges: pl.DataFrame, links: pl.DataFrame, linkage: LinkageInput, model: dict[str, Any], secret: str
) -> pl.DataFrame:
    """Per mention in review and each of its (at most two) candidates: both records' fields side by side, the match
    probability and weight, and each comparison's match weight (the evidence, JSON), for the steward page."""
    review = links.filter(pl.col("decision") == "review").select(
        "source_id", "entity", "record_id", "role", mention=pl.concat_str(
            "source_id", "entity", "record_id", "role", separator="|"), first="id_number", second="second_id_number",
    )  # fmt: skip
    wanted = pl.concat(
        [
            review.select("mention", rank=pl.lit(1), anchor="first"),
            review.select("mention", rank=pl.lit(2), anchor="second").drop_nulls("anchor"),
        ]
    )
    oriented = pl.concat(
        [
            edges.filter(pl.col("anchor_l").is_null()).rename({"unique_id_l": "mention", "unique_id_r": "other"})
            .rename({"anchor_r": "anchor"}).drop("anchor_l"),
            edges.filter(pl.col("anchor_r").is_null()).rename({"unique_id_r": "mention", "unique_id_l": "other"})
            .rename({"anchor_l": "anchor"}).drop("anchor_r"),
        ],
        how="diagonal",
    )  # fmt: skip
    best_edge = (
        oriented.join(wanted, on=["mention", "anchor"])
        .sort(["mention", "anchor", "match_probability", "other"], descending=[False, False, True, False])
        .unique(["mention", "anchor"], keep="first", maintain_order=True)
    )
    records = linkage.records.select("unique_id", *SHOWN)
    mine = records.rename({c: f"mention_{c}" for c in SHOWN} | {"unique_id": "mention"})
    theirs = records.rename({c: f"candidate_{c}" for c in SHOWN} | {"unique_id": "other"})
    joined = best_edge.join(mine, on="mention").join(theirs, on="other").join(
        review.select("mention", "source_id", "entity", "record_id", "role"), on="mention")  # fmt: skip
    names = _levels(model)
    comparisons = list(names)
    rows = []
    for row in joined.sort("mention", "rank").to_dicts():
        evidence = [
            {
                "comparison": c,
                "level": names[c].get(int(row[f"gamma_{c}"]), "") if row.get(f"gamma_{c}") is not None else "",
                "weight": _weight(row, c),
            }
            for c in comparisons
        ]
        rows.append(
            {
                **{k: row[k] for k in ("source_id", "entity", "record_id", "role", "rank")},
                "candidate_person_key": pseudonym(secret, "person", row["anchor"]),
                "candidate_id_number": row["anchor"],
                "match_probability": float(row["match_probability"]),
                "match_weight": float(row["match_weight"]),
                **{f"mention_{c}": row[f"mention_{c}"] for c in SHOWN},
                **{f"candidate_{c}": row[f"candidate_{c}"] for c in SHOWN},
                "evidence": json.dumps(evidence, ensure_ascii=False),
            }
        )
    schema = {
        "source_id": pl.String, "entity": pl.String, "record_id": pl.String, "role": pl.String, "rank": pl.Int32,
        "candidate_person_key": pl.String, "candidate_id_number": pl.String, "match_probability": pl.Float64,
        "match_weight": pl.Float64, **{f"mention_{c}": pl.String for c in SHOWN},
        **{f"candidate_{c}": pl.String for c in SHOWN}, "evidence": pl.String,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def read_labels(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The clerical labels the last resolution wrote (empty when it wrote none)."""
    if not _exists(con, bookkeeping.CLERICAL_LABELS):
        return pl.DataFrame(schema={"mention_key": pl.String, "id_number": pl.String, "is_match": pl.Boolean})
    return con.sql(
        "select concat_ws('|', source_id, entity, record_id, role) as mention_key, id_number, is_match "
        f"from {bookkeeping.CLERICAL_LABELS}"
    ).pl()


def labelled(features: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """The training features with each mention a steward linked given its person's ID as its label: those hard
    cases (a missing or broken ID, a typo in the name) then count in the m estimates like any labelled pair. The
    non-matches (rejections, new persons) are not used by Splink's label-based m estimate, which learns from
    matching pairs only; they stay in the table for measuring the thresholds."""
    links = labels.filter(pl.col("is_match")).select("mention_key", label="id_number")
    return (
        features.join(links, on="mention_key", how="left")
        .with_columns(id_number=pl.coalesce("id_number", "label"))
        .drop("label")
    )

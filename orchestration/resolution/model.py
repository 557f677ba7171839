"""The person model: Splink comparisons, reproducible training, the trained parameters and thresholds on disk,
and scoring candidate pairs with them."""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from orchestration.engines.engine import DuckDBEngine, Engine, splink_connection
from orchestration.engines.portable import Dialect, jaro_winkler, utf8_bytes
from orchestration.resolution import clerical
from orchestration.resolution.features import BLOCKING_RULES, COMPARED, LinkageInput, person_features
from zhongtai.files import atomic_write

# The trained model and its thresholds are committed beside the package; `zhongtai resolution train` rewrites the model.
MODEL_DIR = Path(__file__).resolve().parent.parent / "resolution_model"
PERSON_MODEL = MODEL_DIR / "person_model.json"
THRESHOLDS = MODEL_DIR / "thresholds.yaml"
TRAINING_SEED = 20141101


def _only_across(rule: str) -> str:
    # two golden profiles are already resolved by their ID: pair only where one side lacks it
    return f"({rule}) and (l.anchor is null or r.anchor is null)"


def _dialect(sql_dialect: Any) -> Dialect:
    name = sql_dialect.sql_dialect_str
    if name not in ("duckdb", "spark"):
        raise ValueError(f"the person model is written for DuckDB and Spark, not {name}")
    return name  # type: ignore[no-any-return]


def _byte_levels() -> tuple[type, type]:
    """The two levels whose string measure counts UTF-8 bytes on every engine (portable.utf8_bytes and
    portable.jaro_winkler): the model was trained on DuckDB, whose levenshtein and jaro_winkler_similarity count bytes,
    and keeps that meaning on Spark."""
    import splink.comparison_level_library as cll
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

    class OneCharacterDiffers(ComparisonLevelCreator):  # type: ignore[misc]
        # Same length in characters, same surname, and at most 3 UTF-8 bytes apart: one Chinese character is up to
        # three bytes, so this admits one differing character (and, rarely, two that share most of their bytes).
        def create_sql(self, sql_dialect: Any) -> str:
            dialect = _dialect(sql_dialect)
            return (
                "length(name_l) = length(name_r) and left(name_l, 1) = left(name_r, 1) "
                f"and levenshtein({utf8_bytes('name_l', dialect)}, {utf8_bytes('name_r', dialect)}) <= 3"
            )

        def create_label_for_charts(self) -> str:
            return "one character differs"

    class ByteJaroWinklerLevel(cll.JaroWinklerLevel):  # type: ignore[misc]
        def create_sql(self, sql_dialect: Any) -> str:
            column = self.col_expression
            column.sql_dialect = sql_dialect
            similarity = jaro_winkler(column.name_l, column.name_r, _dialect(sql_dialect))
            return f"{similarity} >= {self.distance_threshold}"

    return OneCharacterDiffers, ByteJaroWinklerLevel


def person_settings() -> Any:
    """The comparisons: ID digits, name (exact / pinyin / one character off), birth date, sex, phone, place. They know
    no engine: Splink writes their SQL for the dialect of the database API they are given (model_for)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    _OneCharacterDiffers, _ByteJaroWinklerLevel = _byte_levels()
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_pinyin").configure(label_for_charts="pinyin equal"),
            _OneCharacterDiffers(),
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
            _ByteJaroWinklerLevel("address", 0.9),
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


def model_for(model: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    """The trained model with its comparison and blocking SQL written for `dialect`: the parameters (m, u, the
    prior, term frequencies) are the model's, every SQL condition is person_settings() rendered for that dialect.
    The committed model was trained on DuckDB, and its SQL is DuckDB's (a unit test keeps the two equal); Splink runs
    a model's SQL as it is written, so on Spark `jaro_winkler_similarity` would be an unknown function."""
    rendered = person_settings().create_settings_dict(dialect)
    out = copy.deepcopy(model)
    comparisons = {c["output_column_name"]: c for c in rendered["comparisons"]}
    for comparison in out["comparisons"]:
        written = comparisons[comparison["output_column_name"]]["comparison_levels"]
        levels = comparison["comparison_levels"]
        if [lv.get("label_for_charts") for lv in levels] != [lv.get("label_for_charts") for lv in written]:
            raise ValueError(f"the model's levels of {comparison['output_column_name']} are not person_settings()'s")
        for level, level_written in zip(levels, written, strict=True):
            level["sql_condition"] = level_written["sql_condition"]
    out["blocking_rules_to_generate_predictions"] = [
        {key: value for key, value in rule.items() if value is not None}
        for rule in rendered["blocking_rules_to_generate_predictions"]
    ]
    out["sql_dialect"] = dialect
    return out


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
    margin: float = 0.0  # bits of match weight the best candidate must lead the second by


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["person"]
    return Thresholds(link=float(data["link"]), review=float(data["review"]), margin=float(data.get("margin", 0.0)))


def load_person_model(path: Path = PERSON_MODEL) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _edge_columns(columns: list[str]) -> list[str]:
    factors = [c for c in columns if c.startswith(("mw_", "gamma_"))]
    return ["unique_id_l", "unique_id_r", "anchor_l", "anchor_r", "match_probability", "match_weight", *factors]


def predict_edges(
    linkage: LinkageInput,
    model: dict[str, Any],
    floor: float,
    memory_limit: str | None = None,
    engine: Engine | None = None,
) -> pl.DataFrame:
    """Scored candidate pairs at or above `floor`, with the anchor (valid ID) of each side and each comparison's
    level (`gamma_<comparison>`) and match weight (`mw_<comparison>`, plus `mw_tf_adj_<comparison>` where term
    frequencies adjust it). Splink runs on `engine` (default: an in-memory DuckDB of its own, `memory_limit` its
    limit), with the model's SQL written for that engine's dialect (model_for)."""
    from splink import Linker

    engine = engine or DuckDBEngine()
    model = model_for(model, engine.dialect)
    # each comparison's level and match weight, kept so that a steward sees the evidence behind a review case
    # (Splink retains them only with the matching columns)
    model["retain_intermediate_calculation_columns"] = True
    model["retain_matching_columns"] = True
    # the prior from this data, so that it shrinks as the district grows instead of staying at the training sample's
    model["probability_two_random_records_match"] = linkage.prior
    db = engine.splink_api(memory_limit)
    try:
        linker = Linker(db.register(linkage.records.to_arrow(), dataset_display_name="records"), model)
        # name frequencies of the whole district: the candidates alone would make every name look rare
        tf = db.register(linkage.name_tf.to_arrow(), dataset_display_name="name_tf")
        linker.table_management.register_term_frequency_lookup(tf, "name")
        predictions = linker.inference.predict(threshold_match_probability=floor)
        return engine.splink_rows(predictions, _edge_columns)
    finally:
        engine.splink_done(db, ["records", "name_tf"])


def train(warehouse: Path, output: Path = PERSON_MODEL) -> Path:
    """Re-estimate the person model from a warehouse's person mentions and write it (`zhongtai resolution train`).
    The stewards' links from clerical review (resolution.clerical_labels) label their mentions (clerical.labelled)."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        features = clerical.labelled(person_features(con), clerical.read_labels(con))
    finally:
        con.close()
    trained = train_person_model(features)
    atomic_write(output, json.dumps(trained, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return output

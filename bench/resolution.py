"""Person resolution benchmark: zhongtai (ID pre-pass + pinyin-aware Splink model) against plain Splink.

`python -m bench.resolution --data-dir <dir with a warehouse and sandbox truth> [--label small]`
Both run on the same mentions (intermediate.int_person_mentions) in the same run; each in its own child process so
peak memory (ru_maxrss) is the step's own. Pairwise precision / recall / F1 against the sandbox's person_id.
Results: bench/results/resolution_<label>.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import resource
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from bench.metrics import pairwise_scores

RESULTS = Path(__file__).resolve().parent / "results"
KEY = ["source_id", "entity", "record_id", "role"]


def _mentions(warehouse: Path) -> pl.DataFrame:
    from orchestration.resolution import person_features

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return person_features(con)
    finally:
        con.close()


def _zhongtai(warehouse: Path) -> pl.DataFrame:
    from orchestration.resolution import resolve_persons

    features = _mentions(warehouse)
    links = resolve_persons(features).links.filter(pl.col("decision") == "linked")
    joined = features.join(links.select(*KEY, linked="id_number"), on=KEY, how="left")
    return joined.select(*KEY, predicted=pl.coalesce("id_number", "linked", "mention_key"))


def _plain_splink(warehouse: Path) -> pl.DataFrame:
    """Default comparisons, EM training, no ID pre-pass (the ID is one more column), no pinyin."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        raw = con.sql(
            "select source_id || '|' || entity || '|' || record_id || '|' || role as unique_id, source_id, entity, "
            "record_id, role, coalesce(id_number, id_number_raw) as id_number, name, sex, "
            "cast(birth_date as varchar) as birth_date, phone, village_code, address "
            "from intermediate.int_person_mentions"
        ).pl()
    finally:
        con.close()
    db = DuckDBAPI(connection=duckdb.connect(":memory:"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("id_number"),
            cl.NameComparison("name"),
            cl.LevenshteinAtThresholds("birth_date", 1),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("village_code"),
            cl.JaroWinklerAtThresholds("address"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("phone"),
            block_on("name", "birth_date"),
            block_on("name", "village_code"),
        ],
    )
    linker = Linker(db.register(raw.drop(KEY).to_arrow()), settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.99)
    out = pl.from_arrow(clusters.as_duckdbpyrelation().select("unique_id, cluster_id").arrow())
    return raw.select(*KEY, "unique_id").join(out, on="unique_id").select(*KEY, predicted="cluster_id")  # type: ignore[arg-type]


def _child(kind: str, warehouse: str, out: str, queue: Any) -> None:
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    frame = (_zhongtai if kind == "zhongtai" else _plain_splink)(Path(warehouse))
    seconds = time.perf_counter() - started
    frame.write_parquet(out)
    queue.put(
        {
            "seconds": round(seconds, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )


def measure(kind: str, warehouse: Path, truth: pl.DataFrame, scratch: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    out = scratch / f"{kind}.parquet"
    process = ctx.Process(target=_child, args=(kind, str(warehouse), str(out), queue))
    process.start()
    stats = queue.get()
    process.join()
    predicted = pl.read_parquet(out)
    scores = pairwise_scores(predicted.join(truth, on=KEY, how="inner"), truth="person_id")
    return {**stats, **scores}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.resolution")
    parser.add_argument("--data-dir", required=True, type=Path, help="a data directory after `zhongtai run`")
    parser.add_argument("--label", default="small")
    args = parser.parse_args(argv)
    data = args.data_dir.resolve()
    warehouse = data / "warehouse" / "zhongtai.duckdb"
    truth = (
        pl.read_parquet(data / "sandbox" / "truth" / "source_records.parquet")
        .rename({"system": "source_id"})
        .select(*KEY, "person_id")
    )
    scratch = data / "bench"
    scratch.mkdir(exist_ok=True)
    result = {
        "label": args.label,
        "zhongtai": measure("zhongtai", warehouse, truth, scratch),
        "plain_splink": measure("plain_splink", warehouse, truth, scratch),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"resolution_{args.label}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

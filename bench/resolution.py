"""Entity-resolution benchmark: zhongtai's resolution step against plain Splink, for people and for enterprises.

`python -m bench.resolution --data-dir <dir with a warehouse and sandbox truth> [--label small]`

All three runs read the same mentions (intermediate.int_person_mentions / int_org_mentions) of one warehouse, each in
its own child process so that its peak memory (ru_maxrss) is its own:

- zhongtai: the whole resolution step as the pipeline runs it (ID pre-pass + pinyin-aware Splink model for people,
  code-prefix / normalised-name rules for enterprises);
- plain Splink for people: default comparisons, EM training, no ID pre-pass (the ID is one more column), no pinyin;
- plain Splink for enterprises: the same, on the credit code, name and place.

Scored by pairwise precision / recall / F1 against the sandbox's person_id and enterprise_id.
Results: bench/results/resolution_<label>.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from bench.metrics import pairwise_scores

RESULTS = Path(__file__).resolve().parent / "results"
KEY = ["source_id", "entity", "record_id", "role"]
UNIQUE_ID = "source_id || '|' || entity || '|' || record_id || '|' || role as unique_id"


def _read(warehouse: Path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def _zhongtai(warehouse: Path) -> dict[str, pl.DataFrame]:
    """The pipeline's resolution step (orchestration.resolution.run_resolution) without writing its links."""
    from orchestration.resolution import linkage_input, resolve_orgs, resolve_persons
    from zhongtai.settings import get_settings

    memory_limit = get_settings().resolution_memory
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(f"set memory_limit = '{memory_limit}'")
        linkage = linkage_input(con)
        orgs = resolve_orgs(con)
    finally:
        con.close()
    people = resolve_persons(linkage, memory_limit=memory_limit).links.filter(pl.col("decision") == "linked")
    return {"person": people.select(*KEY, linked="id_number"), "enterprise": orgs.select(*KEY, linked="uscc")}


def _predicted(warehouse: Path, domain: str, links: pl.DataFrame) -> pl.DataFrame:
    """Every mention's cluster: its own valid identifier, else the one it was linked to, else itself alone."""
    table, column = ("int_person_mentions", "id_number") if domain == "person" else ("int_org_mentions", "uscc")
    mentions = _read(warehouse, f"select {', '.join(KEY)}, {column} from intermediate.{table}")
    return mentions.join(links, on=KEY, how="left").select(
        *KEY, predicted=pl.coalesce(column, "linked", pl.concat_str(KEY, separator="|"))
    )


def _plain(raw: pl.DataFrame, comparisons: list[Any], blocking: list[Any], em_blocks: list[Any]) -> pl.DataFrame:
    from splink import Linker, SettingsCreator
    from splink.backends.duckdb import DuckDBAPI

    from orchestration.resolution import splink_connection
    from zhongtai.settings import get_settings

    # the same memory limit and spill folder as zhongtai's step, so that both are held to one budget
    db = DuckDBAPI(connection=splink_connection(get_settings().resolution_memory))
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=blocking
    )
    linker = Linker(db.register(raw.drop(KEY).to_arrow()), settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for block in em_blocks:
        linker.training.estimate_parameters_using_expectation_maximisation(block)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.99)
    out = pl.from_arrow(clusters.as_duckdbpyrelation().select("unique_id, cluster_id").arrow())
    return raw.select(*KEY, "unique_id").join(out, on="unique_id").select(*KEY, predicted="cluster_id")  # type: ignore[arg-type]


def _plain_person(warehouse: Path) -> dict[str, pl.DataFrame]:
    import splink.comparison_library as cl
    from splink import block_on

    raw = _read(
        warehouse,
        f"select {UNIQUE_ID}, source_id, entity, record_id, role, coalesce(id_number, id_number_raw) as id_number, "
        "name, sex, cast(birth_date as varchar) as birth_date, phone, village_code, address "
        "from intermediate.int_person_mentions",
    )
    comparisons = [
        cl.ExactMatch("id_number"),
        cl.NameComparison("name"),
        cl.LevenshteinAtThresholds("birth_date", 1),
        cl.ExactMatch("sex"),
        cl.ExactMatch("phone"),
        cl.ExactMatch("village_code"),
        cl.JaroWinklerAtThresholds("address"),
    ]
    blocking = [
        block_on("id_number"),
        block_on("phone"),
        block_on("name", "birth_date"),
        block_on("name", "village_code"),
    ]
    return {"person": _plain(raw, comparisons, blocking, [block_on("name", "birth_date"), block_on("phone")])}


def _plain_enterprise(warehouse: Path) -> dict[str, pl.DataFrame]:
    import splink.comparison_library as cl
    from splink import block_on

    raw = _read(
        warehouse,
        f"select {UNIQUE_ID}, source_id, entity, record_id, role, coalesce(uscc, upper(trim(uscc_raw))) as uscc, "
        "name, village_code, address from intermediate.int_org_mentions",
    )
    comparisons = [
        cl.ExactMatch("uscc"),
        cl.JaroWinklerAtThresholds("name"),
        cl.ExactMatch("village_code"),
        cl.JaroWinklerAtThresholds("address"),
    ]
    blocking = [block_on("uscc"), block_on("name")]
    return {"enterprise": _plain(raw, comparisons, blocking, [block_on("name"), block_on("uscc")])}


KINDS: dict[str, Callable[[Path], dict[str, pl.DataFrame]]] = {
    "zhongtai": _zhongtai,
    "plain_splink_person": _plain_person,
    "plain_splink_enterprise": _plain_enterprise,
}


def _child(kind: str, warehouse: str, scratch: str, queue: Any) -> None:
    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    frames = KINDS[kind](Path(warehouse))
    seconds = time.perf_counter() - started
    for domain, frame in frames.items():
        frame.write_parquet(Path(scratch) / f"{kind}_{domain}.parquet")
    queue.put(
        {
            "seconds": round(seconds, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "domains": sorted(frames),
        }
    )


def run_child(kind: str, warehouse: Path, scratch: Path) -> tuple[dict[str, Any], dict[str, pl.DataFrame]]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(kind, str(warehouse), str(scratch), queue))
    process.start()
    stats = queue.get()
    process.join()
    frames = {domain: pl.read_parquet(scratch / f"{kind}_{domain}.parquet") for domain in stats.pop("domains")}
    return stats, frames


def truths(data: Path) -> dict[str, tuple[pl.DataFrame, str]]:
    truth = data / "sandbox" / "truth"

    def read(name: str, column: str) -> pl.DataFrame:
        frame = pl.read_parquet(truth / f"{name}.parquet").rename({"system": "source_id"}).select(*KEY, column)
        return frame.filter(pl.col(column).is_not_null())

    return {
        "person": (read("source_records", "person_id"), "person_id"),
        "enterprise": (read("enterprise_records", "enterprise_id"), "enterprise_id"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.resolution")
    parser.add_argument("--data-dir", required=True, type=Path, help="a data directory after `zhongtai run`")
    parser.add_argument("--label", default="small")
    args = parser.parse_args(argv)
    data = args.data_dir.resolve()
    warehouse = data / "warehouse" / "zhongtai.duckdb"
    scratch = data / "bench"
    scratch.mkdir(exist_ok=True)
    known = truths(data)
    step, links = run_child("zhongtai", warehouse, scratch)
    ours = {domain: _predicted(warehouse, domain, frame) for domain, frame in links.items()}
    result: dict[str, Any] = {"label": args.label, "resolution_step": step}
    for domain, (truth, column) in known.items():
        peer_stats, peer = run_child(f"plain_splink_{domain}", warehouse, scratch)
        result[domain] = {
            "zhongtai": pairwise_scores(ours[domain].join(truth, on=KEY, how="inner"), truth=column),
            "plain_splink": {
                **peer_stats,
                **pairwise_scores(peer[domain].join(truth, on=KEY, how="inner"), truth=column),
            },
        }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"resolution_{args.label}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

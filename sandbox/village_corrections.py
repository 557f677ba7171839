"""The corrections the villages' cadres would send back (还数于村), from where the sandbox's deliveries are wrong
against its ground truth: a resident the grid platform never visited has no actual address in any delivery, so the
roster shows none and the cadre fills in the true one (a fix the grid's department must accept); a cadre who mixes up
neighbours writes another household's address over a right one (a mistake it must reject); and most rows come back
as they were (confirmed, no change). Written as `<sandbox>/corrections/village_corrections.csv`, keyed by the
pseudonymous person key the rosters show, with the decision the truth calls for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from zhongtai.keys import pseudonym
from zhongtai.settings import Settings

COLUMN = "实际居住地地址"  # the roster column these corrections change
FILE = "village_corrections.csv"


def corrections_path(settings: Settings) -> Path:
    return settings.sandbox_dir / "corrections" / FILE


def village_corrections(settings: Settings, *, confirmations: int = 20, seed: int = 11) -> pl.DataFrame:
    """Per village: every fix the truth calls for, about half as many mistakes, and up to `confirmations` rows
    confirmed. Columns: village_code, person_key, column, new_value (null for a confirmation), kind (fix | mistake |
    confirmation), decision (accept | reject | null: nothing to decide)."""
    truth = settings.truth_dir
    persons = pl.read_parquet(truth / "persons.parquet").filter(pl.col("alive"))
    records = pl.read_parquet(truth / "source_records.parquet")
    visited = records.filter(pl.col("role") == "resident", pl.col("entity") == "residents")
    registered = visited.filter(pl.col("system") == "hukou")["person_id"].unique()
    on_grid = visited.filter(pl.col("system") == "grid")["person_id"].unique()
    people = persons.filter(pl.col("person_id").is_in(registered.implode())).with_columns(
        pl.col("person_id").is_in(on_grid.implode()).alias("on_grid")
    )
    rng = np.random.default_rng(seed)
    frames = []
    for _, group in people.sort("person_id").group_by(["village_code"], maintain_order=True):
        fixes = group.filter(~pl.col("on_grid")).with_columns(
            pl.col("address").alias("new_value"), pl.lit("fix").alias("kind"), pl.lit("accept").alias("decision")
        )
        right = group.filter(pl.col("on_grid"))
        if right.height < 2:
            continue
        order = rng.permutation(right.height)
        wrong = right[order[: max(1, fixes.height // 2)].tolist()]
        # a neighbour's address: the next resident's of the village with another address
        addresses = right["address"].unique(maintain_order=True).to_list()
        if len(addresses) < 2:
            continue
        swapped = [addresses[(addresses.index(a) + 1) % len(addresses)] for a in wrong["address"]]
        mistakes = wrong.with_columns(
            pl.Series("new_value", swapped), pl.lit("mistake").alias("kind"), pl.lit("reject").alias("decision")
        )
        rest = right[order[wrong.height : wrong.height + confirmations].tolist()]
        confirmed = rest.with_columns(
            pl.lit(None, pl.String).alias("new_value"),
            pl.lit("confirmation").alias("kind"),
            pl.lit(None, pl.String).alias("decision"),
        )
        frames += [fixes, mistakes, confirmed]
    columns = ["village_code", "citizen_id", "new_value", "kind", "decision"]
    found = (
        pl.concat([f.select(columns) for f in frames])
        if frames
        else pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    )
    return found.select(
        "village_code",
        pl.col("citizen_id")
        .map_elements(lambda n: pseudonym(settings.key_secret, "person", n), pl.String)
        .alias("person_key"),
        pl.lit(COLUMN).alias("column"),
        "new_value",
        "kind",
        "decision",
    )


def write_village_corrections(settings: Settings) -> dict[str, int]:
    """Write the corrections file; return how many of each kind."""
    frame = village_corrections(settings)
    path = corrections_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    counts = {kind: int(n) for kind, n in frame.group_by("kind").len().iter_rows()}
    return {"villages": frame["village_code"].n_unique(), **counts}

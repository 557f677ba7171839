"""The corrections the villages' cadres would send back (还数于村), and what the owning departments would decide, from
where the sandbox's deliveries are wrong against its ground truth (sandbox/discrepancies.py). In each village whose
deliveries carry planted discrepancies:

- every planted value comes back corrected to the truth (a fix, which the owning department accepts);
- about half as many residents' actual addresses come back as a neighbour's — the cadre mixed up two households (a
  mistake, which the department rejects with a reason);
- up to `confirmations` other residents come back as they were (confirmed, no change).

Written as `<sandbox>/corrections/village_corrections.csv`, one row per resident sent back, keyed by the pseudonymous
person key the rosters show and by the roster field corrected (name, birth_date, relation_to_head, actual_address)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from zhongtai.keys import pseudonym
from zhongtai.settings import Settings

FILE = "village_corrections.csv"
REJECTION = "经核实，该居民实际居住地址无误（更正填写的是邻户地址）"
COLUMNS = {
    "village_code": pl.String,
    "person_key": pl.String,
    "attribute": pl.String,  # null: confirmed, no change
    "old_value": pl.String,  # what the departments delivered (fixes only)
    "new_value": pl.String,
    "kind": pl.String,  # fix | mistake | confirmation
    "decision": pl.String,  # accept | reject | null: nothing to decide
    "reason": pl.String,
}


def corrections_path(settings: Settings) -> Path:
    return settings.sandbox_dir / "corrections" / FILE


def village_corrections(settings: Settings, *, confirmations: int = 5, seed: int = 11) -> pl.DataFrame:
    """Per village with planted discrepancies: its fixes, mistakes and confirmations (columns: COLUMNS)."""
    truth = settings.truth_dir
    planted = pl.read_parquet(truth / "discrepancies.parquet")
    persons = pl.read_parquet(truth / "persons.parquet").filter(pl.col("alive"))
    records = pl.read_parquet(truth / "source_records.parquet")
    # residents the household register delivered with a clean ID: the roster names them under their true key
    clean = records.filter(pl.col("system") == "hukou", pl.col("entity") == "residents", pl.col("id_noise").is_null())
    on_grid = records.filter(pl.col("system") == "grid", pl.col("entity") == "residents")["person_id"].unique()
    rng = np.random.default_rng(seed)
    rows: list[dict[str, str | None]] = []
    for code in sorted(planted["village_code"].unique().to_list()):
        fixes = planted.filter(pl.col("village_code") == code)
        for p in fixes.iter_rows(named=True):
            rows.append(_row(settings, code, p["citizen_id"], p["attribute"], p["delivered"], p["truth"], "fix"))
        others = persons.filter(
            (pl.col("village_code") == code)
            & ~pl.col("is_migrant")
            & pl.col("person_id").is_in(clean["person_id"].unique().implode())
            & ~pl.col("person_id").is_in(fixes["person_id"].implode())
        ).sort("person_id")
        addresses = sorted(set(others["address"].to_list()))
        if others.height == 0 or len(addresses) < 2:
            continue
        order = rng.permutation(others.height).tolist()
        wrong_ones = others.filter(pl.col("person_id").is_in(on_grid.implode()))
        n_mistakes = max(1, fixes.height // 2)
        mistaken = [i for i in order if others["person_id"][i] in set(wrong_ones["person_id"])][:n_mistakes]
        for i in mistaken:
            person = others.row(i, named=True)
            # a neighbour's address: the next one of the village's in order
            neighbour = addresses[(addresses.index(person["address"]) + 1) % len(addresses)]
            rows.append(_row(settings, code, person["citizen_id"], "actual_address", None, neighbour, "mistake"))
        for i in [i for i in order if i not in mistaken][:confirmations]:
            rows.append(_row(settings, code, others["citizen_id"][i], None, None, None, "confirmation"))
    return pl.DataFrame(rows, schema=COLUMNS)


def _row(
    settings: Settings,
    village: str,
    citizen_id: str,
    attribute: str | None,
    old: str | None,
    new: str | None,
    kind: str,
) -> dict[str, str | None]:
    return {
        "village_code": village,
        "person_key": pseudonym(settings.key_secret, "person", citizen_id),
        "attribute": attribute,
        "old_value": old,
        "new_value": new,
        "kind": kind,
        "decision": {"fix": "accept", "mistake": "reject"}.get(kind),
        "reason": REJECTION if kind == "mistake" else None,
    }


def write_village_corrections(settings: Settings) -> dict[str, int]:
    """Write the corrections file; return how many villages and how many of each kind."""
    frame = village_corrections(settings)
    path = corrections_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    counts = {kind: int(n) for kind, n in frame.group_by("kind").len().iter_rows()}
    return {"villages": frame["village_code"].n_unique(), **counts}

"""Where the departments' deliveries are wrong about a resident, planted on purpose so that the villages have
something true to correct (还数于村): in a few villages the household register delivers some residents' names, birth
dates or relations to the head of household wrongly, and the grid platform delivers some residents' actual address
as an outdated one (a neighbour's). Each planted value is kept in the truth (`discrepancies.parquet`) beside the true
one; `sandbox/village_corrections.py` writes the cadres' corrections from it.

The draws come from a generator of their own, so planting changes nothing else the sandbox delivers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sandbox.legacy import Rendered

VILLAGES = 6  # villages whose deliveries carry planted discrepancies
SHARE = 0.015  # of those villages' residents, per planted attribute (at least one each)
REGISTER_ATTRIBUTES = ("name", "birth_date", "relation_to_head")
RELATIONS = ("子", "女", "配偶", "父母")  # what a member other than the head can be
NAMED_DESPITE = ("lower_x", "full_width")  # ID noise after which a record still names its person exactly
COLUMNS = {
    "person_id": pl.String,
    "citizen_id": pl.String,
    "village_code": pl.String,
    "system": pl.String,
    "attribute": pl.String,
    "delivered": pl.String,
    "truth": pl.String,
}


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 20111])


def planted_villages(seed: int, persons: pl.DataFrame) -> list[str]:
    """The villages whose deliveries carry discrepancies: a few of those with local residents, fixed by the seed."""
    codes = sorted(persons.filter(~pl.col("is_migrant"))["village_code"].unique().drop_nulls().to_list())
    picked = _rng(seed).choice(len(codes), size=min(VILLAGES, len(codes)), replace=False)
    return sorted(codes[i] for i in picked)


def _pick(rng: np.random.Generator, frame: pl.DataFrame, villages: list[str], taken: set[str]) -> pl.DataFrame:
    """Per village, SHARE of the candidate rows (at least one), none of a person already planted."""
    parts = []
    for code in villages:
        rows = frame.filter((pl.col("village_code") == code) & ~pl.col("person_id").is_in(list(taken)))
        rows = rows.unique("person_id", keep="first", maintain_order=True)
        if rows.height == 0:
            continue
        n = min(rows.height, max(1, round(SHARE * rows.height)))
        parts.append(rows[sorted(rng.choice(rows.height, size=n, replace=False).tolist())])
    picked = pl.concat(parts) if parts else frame.clear()
    taken.update(picked["person_id"].to_list())
    return picked


def _other_name(rng: np.random.Generator, name: str, pool: list[str]) -> str:
    chars = [c for c in pool if c != name[-1]]
    return name[:-1] + chars[int(rng.integers(len(chars)))]


def plant_register(
    seed: int, villages: list[str], huk: pl.DataFrame, pool: list[str], today: dt.date, taken: set[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The household register's rows with wrong names, birth dates and relations planted, on nobody in `taken`;
    returns (rows, truth). Only rows delivered with a clean ID are planted, so the roster names the person the truth
    does."""
    rng = _rng(seed + 1)
    candidates = huk.filter(pl.col("id_noise").is_null())
    taken = set(taken)
    found: list[dict[str, str]] = []
    changes: dict[str, dict[str, object]] = {}
    for attribute in REGISTER_ATTRIBUTES:
        rows = candidates.filter(pl.col("relation") != "户主") if attribute == "relation_to_head" else candidates
        for person in _pick(rng, rows, villages, taken).iter_rows(named=True):
            if attribute == "name":
                wrong: object = _other_name(rng, person["name"], pool)
                true, shown = person["name"], str(wrong)
                column = "name"
            elif attribute == "birth_date":
                wrong = max(dt.date(1900, 1, 1), person["birth_date"] - dt.timedelta(days=int(rng.integers(1, 800))))
                wrong = min(wrong, today - dt.timedelta(days=1))
                true, shown, column = person["birth_date"].isoformat(), wrong.isoformat(), "birth_date"
            else:
                choices = [r for r in RELATIONS if r != person["relation"]]
                wrong = choices[int(rng.integers(len(choices)))]
                true, shown, column = person["relation"], str(wrong), "relation"
            changes.setdefault(person["person_id"], {})[column] = wrong
            found.append(_truth(person, "hukou", attribute, shown, true))
    planted = huk
    for column, dtype in (("name", pl.String), ("birth_date", pl.Date), ("relation", pl.String)):
        values = {p: c[column] for p, c in changes.items() if column in c}
        if values:
            planted = planted.with_columns(
                pl.col("person_id").replace_strict(values, default=pl.col(column), return_dtype=dtype).alias(column)
            )
    return planted, pl.DataFrame(found, schema=COLUMNS)


def plant_grid(
    seed: int, villages: list[str], collected: pl.DataFrame, collected_once: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The grid platform's rows with an outdated actual address planted (a neighbour's, of the same village), on local
    residents it collected once; returns (rows, truth)."""
    rng = _rng(seed + 2)
    local = collected.filter(~pl.col("is_migrant") & pl.col("person_id").is_in(collected_once.implode()))
    picked = _pick(rng, local, villages, set())
    found, wrong = [], {}
    for person in picked.iter_rows(named=True):
        others = sorted(
            set(collected.filter(pl.col("village_code") == person["village_code"])["address"].to_list())
            - {person["address"]}
        )
        if not others:
            continue
        wrong[person["person_id"]] = others[int(rng.integers(len(others)))]
        found.append(_truth(person, "grid", "actual_address", wrong[person["person_id"]], person["address"]))
    planted = collected.with_columns(
        pl.col("person_id").replace_strict(wrong, default=pl.col("address"), return_dtype=pl.String).alias("address")
    )
    return planted, pl.DataFrame(found, schema=COLUMNS)


def named_only(rendered: Rendered, collected: pl.DataFrame, planted: pl.DataFrame) -> tuple[Rendered, pl.DataFrame]:
    """Undo the outdated addresses planted on grid records whose ID the platform then delivered missing or broken:
    such a record may name nobody, so no roster would show the discrepancy. `rendered` holds `collected`'s rows in
    order; returns the records and the planted truth that stays."""
    truth = pl.concat(rendered.persons)
    named = truth.filter(pl.col("id_noise").is_null() | pl.col("id_noise").is_in(list(NAMED_DESPITE)))["person_id"]
    undone = planted.filter(~pl.col("person_id").is_in(named.implode()))
    if undone.height == 0:
        return rendered, planted
    true = dict(zip(undone["person_id"], undone["truth"], strict=True))
    restored = collected["person_id"].replace_strict(true, default=None, return_dtype=pl.String).alias("_true")
    frame = rendered.frame.with_columns(restored).with_columns(address=pl.coalesce("_true", "address")).drop("_true")
    return Rendered(frame, rendered.persons, rendered.enterprises), planted.join(undone, on="person_id", how="anti")


def _truth(person: dict, system: str, attribute: str, delivered: str, true: str) -> dict[str, str]:
    return {
        "person_id": person["person_id"],
        "citizen_id": person["citizen_id"],
        "village_code": person["village_code"],
        "system": system,
        "attribute": attribute,
        "delivered": delivered,
        "truth": true,
    }

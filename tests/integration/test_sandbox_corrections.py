"""The correction loop against the sandbox's ground truth (还数于村), on the later run: the sandbox planted wrong names,
birth dates, relations to the head and outdated actual addresses in what the departments delivered; its cadres sent
their corrections through the app and the departments decided them before the run (tests/support/
sandbox_corrections.py). After the run every accepted case's roster cell is the truth, with the correction as its
provenance in the golden records, every rejected mistake left the roster as it was, and the published metrics equal
figures computed here from the truth."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.support.later_run import LaterDelivery
from zhongtai.keys import pseudonym
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


def _truth(settings: Settings) -> dict[str, dict[str, str]]:
    """person key → each correctable attribute as the sandbox's truth has it."""
    persons = pl.read_parquet(settings.truth_dir / "persons.parquet").filter(pl.col("alive"))
    return {
        pseudonym(settings.key_secret, "person", p["citizen_id"]): {
            "name": p["name"],
            "birth_date": p["birth_date"].isoformat(),
            "relation_to_head": p["relation"],
            "actual_address": p["address"],
        }
        for p in persons.iter_rows(named=True)
    }


def _rosters(settings: Settings, villages: list[str]) -> tuple[dict[str, dict[str, dict[str, str]]], dict[str, str]]:
    """village → person key → the published roster's row (by column title); and column title by attribute."""
    folder = settings.current_snapshot / "rosters"
    spec = json.loads((folder / "index.json").read_text(encoding="utf-8"))["sheets"]["population"]
    rosters = {}
    for code in villages:
        with (folder / f"{code}.csv").open(encoding="utf-8-sig", newline="") as f:
            rosters[code] = {r[spec["key"][0]]: r for r in csv.DictReader(f)}
    return rosters, {name: title for title, name in spec["fields"].items()}


def test_every_accepted_case_is_the_truth_in_the_next_roster_and_every_rejected_one_left_it_as_it_was(
    later_delivery: LaterDelivery,
) -> None:
    later, loop = later_delivery.settings, later_delivery.sandbox
    truth = _truth(later)
    rosters, title_of = _rosters(later, sorted(loop.sent["village_code"].unique().to_list()))
    kinds = loop.sent["kind"].to_list()
    assert kinds.count("fix") >= 10 and kinds.count("mistake") >= 3 and kinds.count("confirmation") >= 10
    fixed = set()
    for row in loop.sent.iter_rows(named=True):
        key, attribute, roster = row["person_key"], row["attribute"], rosters[row["village_code"]]
        assert key in roster, f"{key} was sent back and is no longer on {row['village_code']}'s roster"
        if row["kind"] == "fix":
            true = truth[key][attribute]
            # the discrepancy was on the roster the cadre downloaded, and the next one has the truth
            assert loop.shown[(key, attribute)] == row["old_value"] != true
            assert roster[key][title_of[attribute]] == true, (row, roster[key])
            fixed.add(attribute)
        elif row["kind"] == "mistake":
            assert loop.shown[(key, attribute)] == truth[key][attribute] != row["new_value"]
            assert roster[key][title_of[attribute]] == truth[key][attribute]
    assert fixed == {"name", "birth_date", "relation_to_head", "actual_address"}


def test_the_golden_records_name_the_accepted_corrections_as_their_provenance(later_delivery: LaterDelivery) -> None:
    later, loop = later_delivery.settings, later_delivery.sandbox
    fixes = loop.sent.filter(pl.col("kind") == "fix")
    queries = {
        "name": "select source_id, record_id from marts.natural_person_attribute_provenance "
        "where person_key = ? and attribute = 'name'",
        "birth_date": "select source_id, record_id from marts.natural_person_attribute_provenance "
        "where person_key = ? and attribute = 'birth_date'",
        "relation_to_head": "select source_id, record_id from marts.household_member where person_key = ?",
        "actual_address": "select source_id, record_id from marts.person_residence "
        "where person_key = ? and residence_kind = 'actual' and is_latest",
    }
    with duckdb.connect(str(later.warehouse_path), read_only=True) as con:
        for row in fixes.iter_rows(named=True):
            key, attribute = row["person_key"], row["attribute"]
            found = con.execute(queries[attribute], [key]).fetchall()
            assert found == [("village_verification", str(loop.cases[(key, attribute)]))], (row, found)


def test_the_published_metrics_equal_those_computed_from_the_truth(later_delivery: LaterDelivery) -> None:
    later, loop = later_delivery.settings, later_delivery.sandbox
    villages = sorted(loop.sent["village_code"].unique().to_list())
    planted = pl.read_parquet(later.truth_dir / "discrepancies.parquet").filter(pl.col("village_code").is_in(villages))
    rosters, _ = _rosters(later, villages)
    published = _metrics(later.current_snapshot / "analyst.sqlite", villages)
    for code in villages:
        sent = loop.sent.filter(pl.col("village_code") == code)
        fixes = planted.filter(pl.col("village_code") == code).height  # every planted discrepancy, fixed
        mistakes = sent.filter(pl.col("kind") == "mistake").height
        verified = sent["person_key"].n_unique()  # fixed, mistaken or confirmed
        expected = (len(rosters[code]), verified, fixes + mistakes, fixes, mistakes, fixes)
        assert published[code][:6] == expected, (code, published[code], expected)
        days = published[code][6]
        assert days is not None and 0 <= days < 1  # decided and landed the same day
        assert published[code][7] == pytest.approx(verified / len(rosters[code]))


def _metrics(path: Path, villages: list[str]) -> dict[str, tuple]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        marks = ", ".join("?" for _ in villages)
        return {
            r[0]: r[1:]
            for r in db.execute(
                "select scope_code, residents, verified, submitted, accepted, rejected, applied, median_days_to_apply, "
                f"coverage from village_verification where scope_code in ({marks})",
                villages,
            )
        }
    finally:
        db.close()

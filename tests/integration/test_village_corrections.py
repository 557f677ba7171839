"""The correction loop end to end (还数于村), on the later run: a cadre's corrections sent through the real app before
it, one accepted by the grid's department and one rejected by the household register's (tests/support/
village_corrections.py). After the run the roster shows the accepted value and its change sheet lists it, the
rejected value is nowhere, the cadre sees both outcomes, the analyst database's metrics count them, and the audit log
holds every step in order."""

from __future__ import annotations

import csv
import io
import re
import sqlite3

import openpyxl
import pytest

from tests.support.later_run import LaterDelivery
from tests.support.village_corrections import ADDRESS, NAME, NEW_ADDRESS, NEW_NAME, REJECTION, as_cadre, population_rows
from zhongtai import audit

pytestmark = pytest.mark.integration


def test_the_accepted_correction_is_in_the_next_roster_and_the_rejected_one_is_not(
    later_delivery: LaterDelivery,
) -> None:
    later, loop = later_delivery.settings, later_delivery.corrections
    with as_cadre(later) as cadre:
        workbook = cadre.get(f"/cadre/{loop.village_code}/roster.xlsx")
        page = cadre.get(f"/cadre/{loop.village_code}/").text
    assert workbook.status_code == 200
    rows = population_rows(workbook.content)
    headers, people = list(rows[0]), {r[0]: r for r in rows[1:]}
    assert people[loop.moved][headers.index(ADDRESS)] == NEW_ADDRESS
    assert people[loop.renamed][headers.index(NAME)] == loop.old_name != NEW_NAME
    book = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True)
    changes = [" ".join(str(v) for v in r if v is not None) for r in book["本次变化"].iter_rows(values_only=True)]
    assert any(loop.moved in line and NEW_ADDRESS in line for line in changes), changes[:20]
    assert not any(NEW_NAME in line for line in changes)
    version = later.current_snapshot.resolve().name
    applied = rf'id="correction-{loop.accepted_id}" class="status-accepted">.*?<td class="applied">{version}<'
    assert re.search(applied, page, re.S)
    assert re.search(rf'id="correction-{loop.rejected_id}" class="status-rejected">.*?{REJECTION}', page, re.S)


def test_the_metrics_in_the_analyst_database_count_the_loop(later_delivery: LaterDelivery) -> None:
    later, loop = later_delivery.settings, later_delivery.corrections
    # verified: the residents the cadre sent back (the whole roster) who are still in the village's roster
    [sent] = (later.uploads_dir / "village_verification").glob(f"corrections_{loop.village_code}_*.csv")
    with sent.open(encoding="utf-8", newline="") as f:
        sent_keys = {r["自然人键"] for r in csv.DictReader(f)}
    roster = later.current_snapshot / "rosters" / f"{loop.village_code}.csv"
    with roster.open(encoding="utf-8-sig", newline="") as f:
        roster_keys = {r[0] for r in list(csv.reader(f))[1:]}
    db = sqlite3.connect(f"file:{later.current_snapshot / 'analyst.sqlite'}?mode=ro", uri=True)
    try:
        found = {
            r[0]: r[1:]
            for r in db.execute(
                "select scope_code, residents, verified, submitted, accepted, rejected, applied, median_days_to_apply "
                "from village_verification where scope_code in (?, '440604')",
                [loop.village_code],
            )
        }
    finally:
        db.close()
    village = found[loop.village_code]
    assert village[:6] == (len(roster_keys), len(sent_keys & roster_keys), 2, 1, 1, 1)
    # the district adds the sandbox's cadres' corrections (test_sandbox_corrections.py): fixes accepted and
    # applied, mistakes rejected
    kinds = later_delivery.sandbox.sent["kind"].to_list()
    fixes, mistakes = kinds.count("fix"), kinds.count("mistake")
    assert found["440604"][2:6] == (2 + fixes + mistakes, 1 + fixes, 1 + mistakes, 1 + fixes)
    assert village[6] is not None and 0 <= village[6] < 1  # decided and landed the same day


def test_the_audit_log_holds_every_step_in_order(later_delivery: LaterDelivery) -> None:
    later, loop = later_delivery.settings, later_delivery.corrections
    path = audit.log_path(later.root)
    assert audit.verify(path).ok
    steps = [
        (e["who"], e["action"])
        for e in audit.who_looked_at(path, loop.moved)
        if e["who"] in (loop.cadre, *loop.reviewers)
        and e["action"] in ("roster_download", "roster_upload", "correction_decision")
    ]
    cadre, grid, _ = loop.cadre, *loop.reviewers
    assert steps[:3] == [(cadre, "roster_download"), (cadre, "roster_upload"), (grid, "correction_decision")], steps

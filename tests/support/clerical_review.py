"""Clerical review before the later run of the integration tests: in Debian's chromium (network cut off), a data
steward opens the person-match review queue the small run published and decides three cases — links one to its best
candidate, rejects another's best candidate, and declares a third a new person. The later run then applies them
(test_clerical_review.py)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass

from apis.match_review import Case, read_queue
from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.browser import offline_page
from tests.support.operational import served_api
from zhongtai.settings import Settings

STEWARD = "steward-review"
PASSWORD = "a-long-steward-password-13"

Mention = tuple[str, str, str, str]  # source_id, entity, record_id, role


@dataclass(frozen=True)
class ClericalCases:
    accepted: Mention  # linked by the steward to `accepted_key`
    accepted_key: str
    rejected: Mention  # its best candidate `rejected_key` rejected
    rejected_key: str
    new_person: Mention  # declared none of its candidates
    new_person_keys: tuple[str, ...]
    version: str  # the published version whose queue was decided
    steward: str = STEWARD


def _pick(cases: list[Case]) -> tuple[Case, Case, Case]:
    """Three distinct cases: a rejection is most telling where the rejected candidate is the only one."""
    assert cases, "the published review queue is empty"
    rejected = next((c for c in cases if len(c.candidates) == 1), cases[0])
    rest = [c for c in cases if c is not rejected]
    assert len(rest) >= 2, f"the published queue holds {len(cases)} cases; three are needed"
    return rest[0], rejected, rest[1]


def decide_on_the_page(later: Settings) -> ClericalCases:
    """A steward account, then the three decisions through the real app in chromium; returns what was decided."""
    upgrade(later)
    with session_scope(later) as db:
        accounts.add_account(db, username=STEWARD, role=Role.steward, password=PASSWORD)
        queue = read_queue(db, later)
    assert queue.version is not None, "the small run published no review queue"
    accepted, rejected, new = _pick(queue.cases)
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(later.data_dir), "DO_NOT_TRACK": "1"}
    with served_api(env) as base, offline_page() as page:
        page.goto(f"{base}/sign-in")
        page.fill("#username", STEWARD)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/steward/")
        page.click("text=人员匹配人工复核")
        page.wait_for_url(f"{base}/steward/review/")
        for case, button in ((accepted, ".link-1"), (rejected, ".reject-1"), (new, ".new-person")):
            card = page.locator(f"#{case.anchor}")
            card.locator(button).click()
            page.wait_for_url(f"{base}/steward/review/#{case.anchor}")
            assert "已裁定" in page.locator(f"#{case.anchor}-decision").inner_text()
    return ClericalCases(
        accepted=accepted.key,
        accepted_key=accepted.candidates[0].person_key,
        rejected=rejected.key,
        rejected_key=rejected.candidates[0].person_key,
        new_person=new.key,
        new_person_keys=tuple(c.person_key for c in new.candidates),
        version=queue.version,
    )


def review_rows(settings: Settings) -> list[tuple[str, str, str, str, str]]:
    """(source_id, entity, record_id, role, candidate key) of every case in the current snapshot's queue."""
    database = settings.current_snapshot / "review.sqlite"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as con:
        return con.execute(
            "select source_id, entity, record_id, role, candidate_person_key from review_case"
        ).fetchall()

"""The steward's review page over a queue published from the hand-built near tie (tests/support/ambiguous_mentions.py),
through the real app: the record with two equally likely candidates is in the queue, linked to neither, shown side
by side with equal evidence; bad decisions are refused with their reason; a decision is stored once per version,
dropped as a delivery under the registry's headers, and that delivery, read back, makes resolution link the record."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import MatchDecision, Role
from catalog.registry import load_registry, registry_dirs
from orchestration.publish import review
from orchestration.publish.context import WAREHOUSE, PublishContext, PublishResult
from orchestration.resolution import linkage_input, resolve_persons
from tests.support.ambiguous_mentions import LOOSE, TWIN_A, TWIN_B, mentions_warehouse
from tests.support.operational import form_token, served_api, sign_in
from zhongtai import audit, bookkeeping
from zhongtai.duckdb import connect
from zhongtai.keys import pseudonym
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "a-long-steward-password-13"
VERSION = "v20261130T000000Z"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Resolution on the near tie written to a warehouse, published by the review writer as the current version."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("clerical") / "data")
    linkage = linkage_input(mentions_warehouse())
    result = resolve_persons(linkage, secret=settings.key_secret)
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        bookkeeping.write_clerical(con, result.review_cases, result.labels)
    version = settings.published_dir / VERSION
    version.mkdir(parents=True)
    con = connect(":memory:", read_only=False, settings=settings)
    con.execute(f"attach '{settings.warehouse_path}' as {WAREHOUSE} (read_only)")
    context = PublishContext(settings, [], Path("manifest.json"), con, PublishResult(VERSION, version, ""))
    review.write(context, version)
    con.close()
    (settings.published_dir / "current").symlink_to(version.name)
    upgrade(settings)
    with session_scope(settings) as db:
        accounts.add_account(db, username="steward", role=Role.steward, password=PASSWORD)
    return settings


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir), "DO_NOT_TRACK": "1"}) as url:
        yield url


KEY_A, KEY_B = (pseudonym(Settings().key_secret, "person", t) for t in (TWIN_A, TWIN_B))
CASE = dict(zip(("source_id", "entity", "record_id", "role"), LOOSE, strict=True))


def _queue_views(settings: Settings) -> list[dict[str, Any]]:
    return [e for e in audit.who_looked_at(audit.log_path(settings.root), KEY_A) if e["action"] == "match_review_view"]


def test_the_near_tie_is_in_the_queue_side_by_side(base: str, settings: Settings) -> None:
    with closing(sign_in(base, "steward", PASSWORD)) as steward:
        before = len(_queue_views(settings))
        page = steward.get("/steward/review/").text
    # One audit event for the view, naming every candidate key the page shows (not one event per key).
    [view] = _queue_views(settings)[before:]
    assert (view["who"], view["what"]) == ("steward", {"version": VERSION, "person_keys": sorted([KEY_A, KEY_B])})
    assert "1 个案例，1 个待裁定" in page
    assert KEY_A in page and KEY_B in page
    assert TWIN_A not in page and TWIN_B not in page  # candidates are named by key, never by ID number
    probabilities = re.findall(r'class="probability">([^<]+)<', page)
    assert len(probabilities) == 2 and probabilities[0] == probabilities[1]
    assert page.count("陈建华") == 3  # the record and both candidates
    for button in ("link-1", "reject-1", "link-2", "reject-2", "new-person"):
        assert f'class="{button}"' in page


def test_bad_decisions_are_refused_with_their_reason(base: str, settings: Settings) -> None:
    with closing(sign_in(base, "steward", PASSWORD)) as steward:
        token = form_token(steward, "/steward/review/")
        cases = [
            ({**CASE, "decision": "maybe", "candidate": KEY_A}, 400, "choose link, reject or new_person"),
            ({**CASE, "decision": "link", "candidate": "0" * 24}, 400, "not one of this case"),
            ({**CASE, "record_id": "999", "decision": "link", "candidate": KEY_A}, 404, "no such review case"),
            ({"decision": "link"}, 400, "choose a case from the queue"),
        ]
        for data, status, reason in cases:
            response = steward.post("/steward/review/decide", data={"csrf_token": token, **data})
            assert (response.status_code, reason in response.text) == (status, True), data
    with session_scope(settings) as db:
        assert db.query(MatchDecision).count() == 0
    assert not (settings.uploads_dir / "match_review").exists()


def test_a_decision_is_stored_once_dropped_as_a_delivery_and_applied_by_resolution(
    base: str, settings: Settings
) -> None:
    with closing(sign_in(base, "steward", PASSWORD)) as steward:
        token = form_token(steward, "/steward/review/")
        data = {"csrf_token": token, **CASE, "decision": "link", "candidate": KEY_B}
        first = steward.post("/steward/review/decide", data=data)
        assert first.status_code == 303 and first.headers["location"].startswith("/steward/review/#case-")
        page = steward.get("/steward/review/").text
        assert "已裁定：关联到此候选人" in page and "0 个待裁定" in page
        again = steward.post("/steward/review/decide", data={**data, "candidate": KEY_A})
        assert again.status_code == 409 and "already decided" in again.text
    [dropped] = sorted((settings.uploads_dir / "match_review").glob("decisions_*.csv"))
    headers = [f.header for f in load_registry(*registry_dirs(None))["match_review"].entity("decisions").fields]
    with dropped.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == headers and len(rows) == 2
    row = dict(zip(headers, rows[1], strict=True))
    assert (row["裁定"], row["候选人键"], row["裁定人"]) == ("link", KEY_B, "steward")
    # the delivery as staging would hand it to resolution: the record now belongs to the chosen twin
    decisions = pl.DataFrame(
        {
            "mention": ["|".join(row[h] for h in ("来源系统", "来源实体", "来源记录编号", "角色"))],
            "decision_id": [int(row["裁定编号"])],
            "decision": [row["裁定"]],
            "candidate_person_key": [row["候选人键"]],
            "steward": [row["裁定人"]],
            "decided_at": [row["裁定时间"]],
        }
    ).with_columns(pl.col("decided_at").str.to_datetime(time_zone="UTC"))
    result = resolve_persons(linkage_input(mentions_warehouse()), decisions=decisions, secret=settings.key_secret)
    assert result.links.select("decision", "id_number").rows() == [("clerical", TWIN_B)]
    entries = [e for e in audit.who_looked_at(audit.log_path(settings.root), KEY_B) if e["action"] == "match_decision"]
    assert [(e["who"], e["what"]["decision"], e["what"]["candidate_person_key"]) for e in entries] == [
        ("steward", "link", KEY_B)
    ]

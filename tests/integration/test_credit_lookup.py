"""The public credit lookup over real HTTP on a publish of the fixture warehouse: an enterprise's licences, penalties
inside their window, lists and grade as the warehouse holds them; a sole trader is never answered; a malformed code
names the check it fails (checked against python-stdnum, a second implementation of GB 32100)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from stdnum.cn import uscc as stdnum_uscc

from tests.support.api import api_published_settings, serve, warehouse_rows
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return api_published_settings(tmp_path_factory.mktemp("credit"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


def public_records(settings: Settings, uscc: str) -> dict[str, set[tuple]]:
    """What the warehouse says is public about one enterprise today, by kind."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    rows = warehouse_rows(
        settings,
        "select r.record_type, r.title, r.decided_on, r.published_until from marts.credit_record r "
        f"join marts.legal_person l on l.org_key = r.subject_key where l.uscc = '{uscc}' "
        "and (r.published_until is null or r.published_until > current_date)",
    )
    assert all(until is None or until > today for *_, until in rows)
    kinds: dict[str, set[tuple]] = {}
    for record_type, title, decided_on, _ in rows:
        kinds.setdefault(record_type, set()).add((title, decided_on.isoformat()))
    return kinds


def test_an_enterprise_profile(api: httpx.Client, settings: Settings) -> None:
    # the enterprise with the most records still inside their window, and one with a black-list record
    [(uscc, name)] = warehouse_rows(
        settings,
        "select l.uscc, l.name from marts.credit_record r join marts.legal_person l on l.org_key = r.subject_key "
        "where not l.is_sole_trader and r.published_until > current_date group by all "
        "having count(case when r.record_type = '失信黑名单' then 1 end) > 0 "
        "and count(case when r.record_type = '行政处罚' then 1 end) > 0 order by count(*) desc, 1 limit 1",
    )
    assert stdnum_uscc.is_valid(uscc)
    r = api.get(f"/v1/credit/{uscc}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["uscc"] == uscc and body["name"] == name
    want = public_records(settings, uscc)

    def got(part: str) -> set[tuple]:
        return {(x["title"], x["decided_on"]) for x in body[part]}

    assert got("licences") == want.get("行政许可", set())
    assert got("penalties") == want["行政处罚"] and got("black_list") == want["失信黑名单"]
    assert got("red_list") == want.get("守信红名单", set())
    [(grade, score)] = warehouse_rows(
        settings, f"select grade, score from marts.enterprise_credit_grade where uscc = '{uscc}'"
    )
    assert body["grade"]["grade"] == grade and body["grade"]["score"] == score
    assert f"信用等级 {grade}" in body["grade"]["explanation"] and "分" in body["grade"]["explanation"]


def test_a_sole_trader_is_never_shown(api: httpx.Client, settings: Settings) -> None:
    sole = [r[0] for r in warehouse_rows(settings, "select uscc from marts.legal_person where is_sole_trader")]
    assert sole and all(stdnum_uscc.is_valid(c) for c in sole)
    for code in sole[:5]:
        r = api.get(f"/v1/credit/{code}")
        assert r.status_code == 404 and r.json()["code"] == "sole_trader"
        names = warehouse_rows(settings, f"select name from marts.legal_person where uscc = '{code}'")
        assert names[0][0] not in r.text


def test_malformed_and_unknown_codes(api: httpx.Client) -> None:
    good = "91350100M000100Y43"  # GB 32100's published example: valid, and no enterprise of this district
    assert stdnum_uscc.is_valid(good)
    r = api.get(f"/v1/credit/{good}")
    assert r.status_code == 404 and r.json()["code"] == "unknown_enterprise"
    cases = {
        "91350100M000100Y4": "bad_uscc_bad_length",
        "91350100M000100Y44": "bad_uscc_bad_check",
        "91350100M0001O0Y43": "bad_uscc_bad_character",
        "91ABCDEFM000100Y43": "bad_uscc_bad_area",
    }
    for code, expected in cases.items():
        assert not stdnum_uscc.is_valid(code)
        r = api.get(f"/v1/credit/{code}")
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["code"] == expected and body["param"] == "uscc" and "统一社会信用代码" in body["message_zh"]
    # the organisation code inside fails while the outer check is made to pass
    from zhongtai.identifiers import uscc_check_char

    inner = "91350100M000100Y" + "5"
    inner += uscc_check_char(inner)
    r = api.get(f"/v1/credit/{inner}")
    assert r.status_code == 400 and r.json()["code"] == "bad_uscc_bad_org_code_check"
    assert "GB 11714" in r.json()["message_en"]

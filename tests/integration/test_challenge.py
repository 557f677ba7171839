"""The challenge (揭榜挂帅) through the served app: a department publishes a data need, an enterprise takes it with a
proposal and delivers, the department accepts — open → taken → delivered → accepted, as the API and the portal show
it — and every step out of turn, by the wrong party or with a bad form is refused with its reason."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from apis.operational import accounts, challenge
from apis.operational.db import session_scope, upgrade
from apis.operational.models import ChallengeNeed, Role
from tests.support.api import published_settings
from tests.support.operational import form_token, served_api, sign_in
from zhongtai import audit
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "a-long-test-password-1"
DEPARTMENT, OTHER_DEPARTMENT = "区市场监督管理局", "区民政局"
TAKER_USCC = make_uscc("9", "1", "440604", "MA52AAAA")
RIVAL_USCC = make_uscc("9", "1", "440604", "MA52BBBB")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    s = published_settings(tmp_path_factory.mktemp("challenge"), dbt_manifest)
    upgrade(s)
    with session_scope(s) as db:
        for username, role, scope, name in [
            ("market", Role.department_reviewer, DEPARTMENT, "市场监管审核员"),
            ("civil", Role.department_reviewer, OTHER_DEPARTMENT, "民政审核员"),
            ("taker", Role.enterprise_admin, TAKER_USCC, "禅城数智科技有限公司"),
            ("rival", Role.enterprise_admin, RIVAL_USCC, "佛山另一家公司"),
        ]:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope, display_name=name)
    return s


@pytest.fixture(scope="module")
def base(settings: Settings) -> Iterator[str]:
    with served_api({**os.environ, "ZHONGTAI_DATA_DIR": str(settings.data_dir)}) as url:
        yield url


def post(client: httpx.Client, path: str, form: dict[str, object], page: str) -> httpx.Response:
    return client.post(path, data={**form, "csrf_token": form_token(client, page)})


def notice_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"].rsplit("notice=", 1)[-1]


def test_a_need_goes_from_open_to_accepted_and_every_step_out_of_turn_is_refused(base: str, settings: Settings) -> None:
    public = httpx.Client(base_url=base, timeout=30)
    deadline = (challenge.today() + timedelta(days=30)).isoformat()
    with (
        closing(sign_in(base, "market", PASSWORD)) as market,
        closing(sign_in(base, "civil", PASSWORD)) as civil,
        closing(sign_in(base, "taker", PASSWORD)) as taker,
        closing(sign_in(base, "rival", PASSWORD)) as rival,
    ):
        # A bad form: every problem named at once, nothing published.
        bad = post(
            market,
            "/department/challenge/",
            {"title": " ", "description": "", "datasets": ["no_such_dataset"], "deadline": "2001-02-30"},
            "/department/challenge/",
        )
        assert bad.status_code == 200
        for message in ["请填写需求标题", "请写明需求说明", "no_such_dataset 不在当前发布的目录中", "YYYY-MM-DD"]:
            assert message in bad.text
        past = post(
            market,
            "/department/challenge/",
            {"title": "t", "description": "d", "datasets": ["village"], "deadline": "2020-01-01"},
            "/department/challenge/",
        )
        assert "截止日期不能早于今天" in past.text
        assert public.get("/v1/challenge/needs").json()["total"] == 0

        made = post(
            market,
            "/department/challenge/",
            {
                "title": "个体工商户经营异常预警",
                "description": "用企业名录和网格事件，提前发现经营困难的市场主体。",
                "datasets": ["enterprise_directory", "grid_event"],
                "deadline": deadline,
            },
            "/department/challenge/",
        )
        assert made.status_code == 303
        need_id = int(made.headers["location"].split("/")[3].split("?")[0])

        def status() -> str:
            need = public.get(f"/v1/challenge/needs/{need_id}").json()
            portal = public.get(f"/portal/challenge/{need_id}")
            assert portal.status_code == 200 and need["status_title"] in portal.text
            return str(need["status"])

        listed = public.get("/v1/challenge/needs", params={"status": "open"}).json()
        assert [n["id"] for n in listed["needs"]] == [need_id]
        need = listed["needs"][0]
        assert need["department"] == DEPARTMENT and need["deadline"] == deadline and need["taker"] is None
        assert [d["id"] for d in need["datasets"]] == ["enterprise_directory", "grid_event"]
        assert "个体工商户经营异常预警" in public.get("/portal/").text  # the portal lists open needs
        assert "个体工商户经营异常预警" in public.get("/portal/challenge/?status=open").text
        assert "个体工商户经营异常预警" not in public.get("/portal/challenge/?status=taken").text

        # Another department neither sees nor accepts it.
        assert civil.get(f"/department/challenge/{need_id}").status_code == 404
        assert post(civil, f"/department/challenge/{need_id}/accept", {}, "/department/challenge/").status_code == 404
        assert "个体工商户经营异常预警" not in civil.get("/department/challenge/").text

        # Not accepted before it is delivered; not delivered before it is taken.
        page = f"/department/challenge/{need_id}"
        assert notice_of(post(market, f"{page}/accept", {}, page)) == "not_delivered"
        mine = "/enterprise/challenge/"
        assert notice_of(post(taker, f"{mine}{need_id}/deliver", {"note": "x"}, mine)) == "not_taker"
        assert notice_of(post(taker, f"{mine}{need_id}/take", {"proposal": "  "}, mine)) == "empty_proposal"
        assert status() == "open"

        taken = post(taker, f"{mine}{need_id}/take", {"proposal": "基于企业名录构建预警模型，三个月交付。"}, mine)
        assert notice_of(taken) == "taken"
        assert status() == "taken"
        assert public.get(f"/v1/challenge/needs/{need_id}").json()["taker"] == "禅城数智科技有限公司"
        assert notice_of(post(rival, f"{mine}{need_id}/take", {"proposal": "我们也想做"}, mine)) == "already_taken"
        assert notice_of(post(rival, f"{mine}{need_id}/deliver", {"note": "抢先交付"}, mine)) == "not_taker"
        assert "基于企业名录构建预警模型" in market.get(page).text  # the department reads the proposal
        assert "基于企业名录构建预警模型" not in public.get(f"/portal/challenge/{need_id}").text  # the public does not

        assert notice_of(post(taker, f"{mine}{need_id}/deliver", {"note": ""}, mine)) == "empty_delivery_note"
        assert notice_of(post(taker, f"{mine}{need_id}/deliver", {"note": "预警接口已上线。"}, mine)) == "delivered"
        assert status() == "delivered"
        assert notice_of(post(taker, f"{mine}{need_id}/deliver", {"note": "再交一次"}, mine)) == "not_taken"

        assert notice_of(post(market, f"{page}/accept", {}, page)) == "accepted"
        assert status() == "accepted"
        final = public.get(f"/v1/challenge/needs/{need_id}").json()
        assert final["taken_at"] and final["delivered_at"] and final["accepted_at"]
        assert notice_of(post(market, f"{page}/accept", {}, page)) == "not_delivered"  # once only
    public.close()

    path = audit.log_path(settings.root)
    assert audit.verify(path).ok
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    steps = [e["action"] for e in entries if e["action"].startswith("challenge_")]
    assert steps == [
        "challenge_need_published",
        "challenge_need_taken",
        "challenge_need_delivered",
        "challenge_need_accepted",
    ]


def test_a_need_past_its_deadline_cannot_be_taken(base: str, settings: Settings) -> None:
    with session_scope(settings) as db:
        need = challenge.publish_need(
            db,
            department=DEPARTMENT,
            title="过期需求",
            description="d",
            datasets=["village"],
            deadline=challenge.today() - timedelta(days=1),
            by="market",
        )
        need_id = need.id
    with closing(sign_in(base, "taker", PASSWORD)) as taker:
        mine = "/enterprise/challenge/"
        refused = post(taker, f"{mine}{need_id}/take", {"proposal": "方案"}, mine)
        assert notice_of(refused) == "past_deadline"
        assert "该需求已过截止日期" in taker.get(refused.headers["location"]).text
    with session_scope(settings) as db:
        assert db.get(ChallengeNeed, need_id).status == "open"  # type: ignore[union-attr]


def test_the_api_answers_404_and_422_with_reasons(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as public:
        missing = public.get("/v1/challenge/needs/999999")
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_need"
        assert "没有编号为 999999 的需求" in missing.json()["message_zh"]
        assert public.get("/v1/challenge/needs", params={"status": "closed"}).status_code == 422
        assert public.get("/v1/challenge/needs/abc").status_code == 422
        assert public.get("/portal/challenge/999999").status_code == 404

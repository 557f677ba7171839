"""The change feed over real HTTP on three publishes of the fixture warehouse, changed between them by hand: what
the feed says was added, changed and withdrawn is checked against the warehouse states themselves, across one
version and folded across two; dated full snapshots download with the sha256 their listing gives."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from orchestration.publish import publish
from tests.support.api import API_WRITERS, api_published_settings, serve, warehouse_rows
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

STATE_SQL = "select event_no, category, days_to_close from marts.grid_event"


def state(settings: Settings) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in warehouse_rows(settings, STATE_SQL)}


def diff(old: dict[str, tuple], new: dict[str, tuple]) -> dict[str, set[str]]:
    return {
        "added": set(new) - set(old),
        "changed": {k for k in set(new) & set(old) if new[k] != old[k]},
        "withdrawn": set(old) - set(new),
    }


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict[str, Any]:
    settings = api_published_settings(tmp_path_factory.mktemp("changes"), dbt_manifest)
    first = (settings.published_dir / "current").resolve().name
    states = [state(settings)]
    with duckdb.connect(str(settings.warehouse_path)) as con:
        kept = con.execute("select * from marts.grid_event where event_no = 'GE0000010'").fetchone()
        con.execute("delete from marts.grid_event where event_no between 'GE0000010' and 'GE0000019'")
        con.execute(
            "update marts.grid_event set category = '新类别' where event_no between 'GE0000100' and 'GE0000104'"
        )
        con.execute(
            "insert into marts.grid_event select * replace ('GN' || substr(event_no, 3) as event_no) "
            "from marts.grid_event where event_no < 'GE0000003'"
        )
    second = publish(settings, dbt_manifest, API_WRITERS).version
    states.append(state(settings))
    with duckdb.connect(str(settings.warehouse_path)) as con:
        # withdraw one just added, change one just changed back, change another, and bring a withdrawn one back
        con.execute("delete from marts.grid_event where event_no = 'GN0000000'")
        con.execute("update marts.grid_event set category = '治安隐患' where event_no = 'GE0000100'")
        con.execute("update marts.grid_event set days_to_close = 99 where event_no = 'GE0000200'")
        restored = list(kept or ())
        con.execute(f"insert into marts.grid_event values ({', '.join('?' * len(restored))})", restored)
    third = publish(settings, dbt_manifest, API_WRITERS).version
    states.append(state(settings))
    return {"settings": settings, "versions": [first, second, third], "states": states}


@pytest.fixture(scope="module")
def api(versions: dict[str, Any]) -> Iterator[httpx.Client]:
    yield from serve(versions["settings"])


def feed(api: httpx.Client, since: str, limit: int = 7) -> tuple[dict[str, set[str]], list[dict], dict]:
    """Every change since `since`, page by page."""
    found: dict[str, set[str]] = {"added": set(), "changed": set(), "withdrawn": set()}
    items: list[dict] = []
    offset: int | None = 0
    first: dict = {}
    while offset is not None:
        r = api.get("/v1/datasets/grid_event/changes", params={"since": since, "limit": limit, "offset": offset})
        assert r.status_code == 200, r.text
        body = r.json()
        first = first or body
        for item in body["changes"]:
            found[item["change"]].add(item["key"]["event_no"])
        items += body["changes"]
        offset = body["next_offset"]
    return found, items, first


def test_one_version_of_changes(api: httpx.Client, versions: dict[str, Any]) -> None:
    _, second, third = versions["versions"]
    found_2, items_2, body_2 = feed(api, second)
    want_2 = diff(versions["states"][1], versions["states"][2])
    assert found_2 == want_2 and all(want_2.values())
    assert body_2["version"] == third and body_2["since"] == second
    assert (body_2["added"], body_2["changed"], body_2["withdrawn"]) == tuple(len(want_2[k]) for k in want_2)
    by_key = {i["key"]["event_no"]: i for i in items_2}
    assert by_key["GE0000200"]["record"]["days_to_close"] == 99
    assert by_key["GN0000000"]["record"] is None and by_key["GN0000000"]["change"] == "withdrawn"
    assert by_key["GE0000010"]["change"] == "added" and by_key["GE0000100"]["change"] == "changed"
    assert [i["key"]["event_no"] for i in items_2] == sorted(by_key)


def test_changes_fold_across_versions(api: httpx.Client, versions: dict[str, Any]) -> None:
    first = versions["versions"][0]
    old, _, now = versions["states"]
    found, items, _ = feed(api, first)
    want = diff(old, now)
    assert found["added"] == want["added"] and found["withdrawn"] == want["withdrawn"]
    # Folded from the diffs, a row changed and changed back (or withdrawn and restored as it was) in between is
    # reported as changed with its current values: an upsert that changes nothing. Nothing else is extra.
    assert want["changed"] <= found["changed"] <= want["changed"] | {"GE0000100", "GE0000010"}
    assert "GN0000000" not in set().union(*found.values())  # added, then withdrawn: nothing
    assert "GE0000101" in found["changed"] and "GE0000011" in found["withdrawn"]
    records = {i["key"]["event_no"]: i["record"] for i in items if i["record"]}
    assert records["GE0000101"]["category"] == "新类别"


def test_nothing_since_the_current_version(api: httpx.Client, versions: dict[str, Any]) -> None:
    r = api.get("/v1/datasets/grid_event/changes", params={"since": versions["versions"][2]})
    assert r.status_code == 200 and r.json()["changes"] == [] and r.json()["next_offset"] is None


def test_bad_and_unknown_since(api: httpx.Client) -> None:
    r = api.get("/v1/datasets/grid_event/changes", params={"since": "yesterday"})
    assert r.status_code == 400 and r.json()["code"] == "bad_since" and r.json()["param"] == "since"
    r = api.get("/v1/datasets/grid_event/changes", params={"since": "v20010101T000000Z"})
    assert r.status_code == 410 and r.json()["code"] == "since_gone" and "全量快照" in r.json()["message_zh"]
    assert api.get("/v1/datasets/nope/changes", params={"since": "v20010101T000000Z"}).status_code == 404
    r = api.get("/v1/datasets/credit_record/changes", params={"since": "v20010101T000000Z"})
    assert r.status_code == 403


def test_dated_snapshots_with_their_sha256(api: httpx.Client, versions: dict[str, Any]) -> None:
    listing = api.get("/v1/datasets/grid_event/snapshots").json()["snapshots"]
    assert [s["version"] for s in listing] == sorted(versions["versions"], reverse=True)
    for item in listing:
        r = api.get(item["url"])
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert hashlib.sha256(r.content).hexdigest() == item["sha256"] and len(r.content) == item["bytes"]
    oldest = api.get(listing[-1]["url"]).text.splitlines()
    assert len(oldest) == 1 + len(versions["states"][0])
    assert api.get("/v1/datasets/grid_event/snapshots/v20010101T000000Z.csv").status_code == 404
    assert api.get("/v1/datasets/grid_event/snapshots/latest.csv").status_code == 400


def test_versions_beyond_the_kept_ones_go_and_the_feed_says_so(
    api: httpx.Client, versions: dict[str, Any], dbt_manifest: Path
) -> None:
    """Last in the module: a fourth publish keeping two versions removes the first two. The feed still reaches the
    second (the kept versions hold the diffs after it), not the first; their snapshots are gone."""
    first, second, third = versions["versions"]
    settings = versions["settings"].model_copy(update={"published_keep": 2})
    fourth = publish(settings, dbt_manifest, API_WRITERS)
    assert fourth.pruned == [first, second]
    assert sorted(p.name for p in settings.published_dir.iterdir() if p.name.startswith("v")) == [third, fourth.version]
    # the feed from a version needs the diffs of the versions after it, which are kept: from the second, still served
    found, _, _ = feed(api, second)
    assert found == diff(versions["states"][1], versions["states"][2])
    r = api.get("/v1/datasets/grid_event/changes", params={"since": first})
    assert r.status_code == 410 and r.json()["code"] == "since_gone"
    r = api.get("/v1/datasets/grid_event/changes", params={"since": third})
    assert r.status_code == 200 and r.json()["version"] == fourth.version and r.json()["changes"] == []
    listing = api.get("/v1/datasets/grid_event/snapshots").json()["snapshots"]
    assert [s["version"] for s in listing] == [fourth.version, third]
    assert api.get(f"/v1/datasets/grid_event/snapshots/{first}.csv").status_code == 404

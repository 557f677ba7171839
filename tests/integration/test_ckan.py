"""The real `ckanapi` client lists, shows, searches and reads zhongtai's datasets through /api/3/action/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import ckanapi
import httpx
import pytest

from tests.support.api import catalogue_texts, published_settings, serve, warehouse_rows
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return published_settings(tmp_path_factory.mktemp("ckan"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


@pytest.fixture(params=["post", "get"])
def ckan(api: httpx.Client, request: pytest.FixtureRequest) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(str(api.base_url), get_only=request.param == "get")


def test_list_show_and_organizations(ckan: ckanapi.RemoteCKAN, api: httpx.Client) -> None:
    index = api.get("/v1/datasets").json()["datasets"]
    assert ckan.action.package_list() == sorted(d["id"] for d in index)
    pkg = ckan.action.package_show(id="enterprise_directory")
    entry = next(d for d in index if d["id"] == "enterprise_directory")
    assert pkg["name"] == "enterprise_directory" and pkg["title"] == entry["title"]
    assert pkg["organization"]["title"] == entry["owner_department"]
    assert pkg["resources"][0]["url"].endswith("/v1/datasets/enterprise_directory/export.csv")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no_such_dataset")

    orgs = ckan.action.organization_list(all_fields=True)
    assert {o["title"] for o in orgs} == {d["owner_department"] for d in index}
    org = ckan.action.organization_show(id=pkg["owner_org"], include_datasets=True)
    assert org["title"] == entry["owner_department"] and "enterprise_directory" in {p["name"] for p in org["packages"]}
    assert org["package_count"] == sum(d["owner_department"] == entry["owner_department"] for d in index)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="nobody")


def test_search(ckan: ckanapi.RemoteCKAN, api: httpx.Client, dbt_manifest: Path) -> None:
    index = [d["id"] for d in api.get("/v1/datasets").json()["datasets"]]
    everything = ckan.action.package_search(rows=1000)
    assert everything["count"] == len(index)
    texts = catalogue_texts(dbt_manifest)
    for word, known in [("行政处罚", {"credit_record"}), ("信用", {"credit_record", "enterprise_directory"})]:
        where = {i for i in index if word in texts[i]}  # the manifest says the word is there, and only there
        assert known <= where < set(index)
        found = ckan.action.package_search(q=word, rows=1000)
        assert {r["name"] for r in found["results"]} == where and found["count"] == len(where)
    assert "行政处罚" not in texts["credit_record"].split("\n")[0]  # found in the description, not the title
    org = ckan.action.package_search(q="行政处罚")["results"][0]["owner_org"]
    in_org = ckan.action.package_search(fq=f"organization:{org}", rows=1000)
    assert in_org["count"] >= 1 and all(r["owner_org"] == org for r in in_org["results"])


def test_datastore_search(ckan: ckanapi.RemoteCKAN, settings: Settings) -> None:
    def filters(value: dict) -> dict | str:  # a GET query carries CKAN's filters as JSON text
        return json.dumps(value, ensure_ascii=False) if ckan.get_only else value

    got = ckan.action.datastore_search(
        resource_id="enterprise_directory",
        filters=filters({"status": "存续"}),
        sort="established_on desc",
        limit=7,
        offset=3,
    )
    want = warehouse_rows(
        settings,
        "select uscc from marts.enterprise_directory where status = '存续'"
        " order by established_on desc, uscc limit 7 offset 3",
    )
    assert [r["uscc"] for r in got["records"]] == [w[0] for w in want]
    assert (
        got["total"]
        == warehouse_rows(settings, "select count(*) from marts.enterprise_directory where status = '存续'")[0][0]
    )
    assert {"id": "established_on", "type": "date"} in got["fields"]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id="enterprise_directory", filters=filters({"nope": "1"}))
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.datastore_search(resource_id="credit_record")  # 有条件开放
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id="no_such")


def test_envelope_over_plain_http(api: httpx.Client) -> None:
    r = api.get("/api/3/action/package_show", params={"id": "village"})
    body = r.json()
    assert r.status_code == 200 and body["success"] is True and body["help"].endswith("help_show?name=package_show")
    r = api.get("/api/3/action/package_show", params={"id": "nope"})
    assert r.status_code == 404 and r.json()["success"] is False
    assert r.json()["error"]["__type"] == "Not Found Error"
    r = api.post("/api/action/package_list", content=b"[1, 2]")
    assert r.status_code == 400 and r.json()["success"] is False

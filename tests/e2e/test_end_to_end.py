"""The whole job on the `tiny` district, checked against the sandbox's ground truth.

generate → start the simulated one-window API → `zhongtai run` (every Dagster asset, in-process; the session's
`tiny_run`) → `zhongtai serve` (API, Datasette, Dagster UI) → read over HTTP → on a copy, a delivery breaking its
contract holds publish back. What a later run does with new deliveries, a re-sent one and a bad file is in
tests/integration/test_sandbox_advance.py, on another copy of the same run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import polars as pl
import pytest

from tests.support.datasette import browser_sign_in, sign_in
from tests.support.pipeline import FirstRun, pipeline_env, run_pipeline
from tests.support.readers import delivered_id_is_valid, loaded_mentions, truth
from zhongtai import processes
from zhongtai.identifiers import normalise_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make browser`
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def env(tiny_run: FirstRun) -> dict[str, str]:
    """The run's data directory, with free ports for the servers."""
    return pipeline_env(tiny_run.settings.root, servers=True)


@pytest.fixture(scope="module")
def settings(tiny_run: FirstRun) -> Settings:
    return tiny_run.settings


@pytest.fixture(scope="module")
def first_run(tiny_run: FirstRun) -> subprocess.CompletedProcess[str]:
    return tiny_run.run


def zhongtai(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "zhongtai"), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.warehouse_path), read_only=True)


def test_run_materialises_everything_and_ends_with_a_summary(first_run: subprocess.CompletedProcess[str]) -> None:
    assert first_run.returncode == 0, first_run.stdout[-4000:] + first_run.stderr[-4000:]
    assert "done in" in first_run.stdout
    assert "0 steps failed" in first_run.stdout
    assert "published_snapshot" in first_run.stdout.replace("__", "_")


def test_no_raw_row_is_lost(first_run: subprocess.CompletedProcess[str], settings: Settings) -> None:
    """Per delivery, raw rows + quarantined rows = rows delivered; per system, = what the sandbox delivered."""
    import json

    delivered = json.loads((settings.truth_dir / "summary.json").read_text())["delivered_rows"]
    con = warehouse(settings)
    try:
        deliveries = con.execute(
            "select delivery_id, source_id, entity, rows_delivered, rows_loaded, rows_quarantined from raw._deliveries"
        ).fetchall()
        per_entity: dict[str, int] = {}
        for delivery_id, source_id, entity, rows_delivered, rows_loaded, rows_quarantined in deliveries:
            in_raw = con.execute(
                f"select count(*) from raw.{source_id}__{entity} where _delivery_id = ?", [delivery_id]
            ).fetchone()[0]
            quarantined = con.execute(
                "select count(*) from raw._quarantine where delivery_id = ?", [delivery_id]
            ).fetchone()[0]
            assert (in_raw, quarantined) == (rows_loaded, rows_quarantined)
            assert in_raw + quarantined == rows_delivered
            key = f"{source_id}/{entity}"
            per_entity[key] = per_entity.get(key, 0) + rows_delivered
    finally:
        con.close()
    assert per_entity == delivered


def test_rows_with_unparseable_dates_are_quarantined_with_their_reason(first_run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    mentions = truth(settings, "source_records")
    broken = mentions.filter(pl.col("fault") == "bad_date_row").select("system", "entity", "record_id").unique()
    con = warehouse(settings)
    try:
        rows = con.execute(
            "select source_id, entity, reason_code, json_extract_string(record, '$.登记编号') from raw._quarantine"
        ).fetchall()
    finally:
        con.close()
    assert {(r[0], r[1], r[3]) for r in rows} == {tuple(r) for r in broken.iter_rows()}
    assert {r[2] for r in rows} == {"bad_date"}


def test_one_person_per_distinct_valid_id_against_ground_truth(first_run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    valid = loaded_mentions(settings).filter(delivered_id_is_valid())
    expected_people = set(valid["person_id"].unique().to_list())
    persons = truth(settings, "persons").filter(pl.col("person_id").is_in(list(expected_people)))
    con = warehouse(settings)
    try:
        mart = con.execute("select id_number, person_key from marts.natural_person").fetchall()
    finally:
        con.close()
    assert expected_people and len(mart) == len(expected_people)
    assert {r[0] for r in mart} == set(persons["citizen_id"].to_list())
    assert len({r[1] for r in mart}) == len(mart)


def test_records_without_a_valid_id_are_linked_queued_or_kept_aside(first_run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Each mention without a valid ID is in exactly one of: a probabilistic link (to its true person), the review
    queue, or the unresolved records with its reason."""
    mentions = loaded_mentions(settings).filter(pl.col("id_noise").fill_null("") != "no_id_field")
    invalid = mentions.filter(~delivered_id_is_valid())
    expected = {(r[0], r[1], r[2]) for r in invalid.select("system", "entity", "record_id").iter_rows()}
    con = warehouse(settings)
    try:
        kept = con.execute(
            "select source_id, entity, record_id, id_number_reason from marts.person_records_unresolved"
        ).fetchall()
        queued = con.execute("select source_id, entity, record_id from marts.person_match_review").fetchall()
        linked = con.execute(
            "select x.source_id, x.entity, x.record_id, x.role, n.id_number from marts.person_source_xref x "
            "join marts.natural_person n using (person_key) where x.match_method = 'probabilistic'"
        ).fetchall()
    finally:
        con.close()
    placed = [(r[0], r[1], r[2]) for r in kept] + [tuple(r) for r in queued] + [(r[0], r[1], r[2]) for r in linked]
    assert len(placed) == len(set(placed))
    assert set(placed) == expected
    assert {r[3] for r in kept} <= {"missing", "bad_check", "bad_length", "bad_character", "bad_birth_date"}
    true_ids = dict(
        invalid.join(truth(settings, "persons").select("person_id", "citizen_id"), on="person_id")
        .select(pl.concat_str(["system", "entity", "record_id", "role"], separator="|"), "citizen_id")
        .iter_rows()
    )
    assert all(true_ids["|".join(r[:4])] == r[4] for r in linked)


@pytest.fixture(scope="module")
def served(first_run: subprocess.CompletedProcess[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """`zhongtai serve` as a user starts it; stopped with Ctrl-C (SIGINT) at the end."""
    process = subprocess.Popen(
        [str(BIN / "zhongtai"), "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    for port in ("ZHONGTAI_API_PORT", "ZHONGTAI_DATASETTE_PORT", "ZHONGTAI_DAGSTER_PORT"):
        processes.wait_for_port("127.0.0.1", int(env[port]), timeout=240, process=process)  # type: ignore[arg-type]
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)


def test_api_serves_the_open_enterprise_directory_matching_ground_truth(served, env, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    base = f"http://127.0.0.1:{env['ZHONGTAI_API_PORT']}"
    with httpx.Client(base_url=base, timeout=30) as client:
        index = client.get("/v1/datasets").json()
        ids = {d["id"] for d in index["datasets"]}
        assert {"enterprise_directory", "village"} <= ids
        records, cursor = [], None
        while True:
            params = {"limit": 97, **({"cursor": cursor} if cursor else {})}
            page = client.get("/v1/datasets/enterprise_directory/records", params=params).json()
            records.extend(page["records"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        villages = client.get("/v1/datasets/village/records", params={"limit": 1000}).json()["records"]
    enterprises = truth(settings, "enterprises").filter(pl.col("entity_type") != "个体工商户")
    assert sorted(r["uscc"] for r in records) == sorted(normalise_uscc(u) for u in enterprises["uscc"])
    assert len(villages) == 155


@pytest.fixture(scope="module")
def analyst(first_run: subprocess.CompletedProcess[str], env: dict[str, str]) -> tuple[str, str]:
    """An analyst account made the way a steward makes one, `zhongtai users add`; its username and password."""
    added = zhongtai(env, "users", "add", "e2e-analyst", "--role", "analyst", "--name", "分析员", timeout=120)
    assert added.returncode == 0, added.stdout + added.stderr
    password = re.search(r"password: (\S+)", added.stdout)
    assert password, added.stdout
    return "e2e-analyst", password[1]


def test_datasette_serves_the_analyst_database_with_chinese_titles(served, env, settings: Settings, analyst) -> None:  # type: ignore[no-untyped-def]
    base = f"http://127.0.0.1:{env['ZHONGTAI_DATASETTE_PORT']}"
    with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
        signed = sign_in(client, *analyst)
        assert signed.status_code == 200 and "/-/sign-in" not in str(signed.url), signed.text
        data = client.get("/analyst/legal_person.json", params={"_shape": "objects", "_size": 1}).json()
        page = client.get("/analyst/legal_person").text
    assert data["filtered_table_rows_count"] == truth(settings, "enterprises").height
    assert "法人" in page


def test_an_analyst_browses_datasette_in_a_real_browser(served, env, settings: Settings, analyst) -> None:  # type: ignore[no-untyped-def]
    """Debian's chromium, driven by Playwright: signed in on the form the table page sends them to, the analyst sees
    the table page with Chinese titles and the facet on 村居."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{env['ZHONGTAI_DATASETTE_PORT']}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/analyst/enterprise_directory")
            browser_sign_in(page, base, *analyst)
            page.wait_for_url(f"{base}/analyst/enterprise_directory")
            assert "企业名录" in page.content()
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() > 0
            page.screenshot(path=str(settings.root / "datasette_enterprise_directory.png"), full_page=True)
        finally:
            browser.close()


def test_dagster_ui_is_up(served, env) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"http://127.0.0.1:{env['ZHONGTAI_DAGSTER_PORT']}/server_info", timeout=30)
    assert response.status_code == 200


def test_serve_stops_cleanly_on_ctrl_c(served, env) -> None:  # type: ignore[no-untyped-def]
    os.killpg(served.pid, signal.SIGINT)
    served.wait(60)
    output = served.stdout.read() if served.stdout else ""
    assert "stopped" in output
    for port in ("ZHONGTAI_API_PORT", "ZHONGTAI_DATASETTE_PORT", "ZHONGTAI_DAGSTER_PORT"):
        with pytest.raises(TimeoutError):
            processes.wait_for_port("127.0.0.1", int(env[port]), timeout=2)


def test_a_blocking_check_holds_publish_back_and_the_api_says_it_is_stale(tiny_run: FirstRun, rerun_copy) -> None:  # type: ignore[no-untyped-def]
    """A delivery breaking its contract (a registration number twice) fails a blocking check: no new version."""
    from fastapi.testclient import TestClient

    from apis.main import create_app

    settings, env = rerun_copy(tiny_run.settings, "blocking_check")
    serving = os.readlink(settings.current_snapshot)
    drops = settings.upstream / "drops" / "civil_marriage"
    lines = next(drops.glob("marriage_*.csv")).read_text(encoding="utf-8").splitlines()
    (drops / "marriage_20991231.csv").write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n", encoding="utf-8")
    refused = run_pipeline(env)
    assert refused.returncode == 1, refused.stdout[-3000:]
    assert "civil_marriage__registrations_contract" in refused.stdout
    assert os.readlink(settings.current_snapshot) == serving  # the previous version keeps serving
    with TestClient(create_app(settings)) as client:
        health = client.get("/health")
        index = client.get("/v1/datasets")
        records = client.get("/v1/datasets/village/records", params={"limit": 5})
    assert health.status_code == 200 and health.json()["stale"] is True
    assert health.json()["version"] == serving
    assert any("civil_marriage__registrations_contract" in c for c in health.json()["failed_checks"])
    assert index.json()["stale"] is True and index.headers["X-Zhongtai-Stale"] == "true"
    assert records.status_code == 200 and len(records.json()["records"]) == 5

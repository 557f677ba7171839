"""The whole job on the `tiny` district, checked against the sandbox's ground truth.

generate → start the simulated one-window API → `zhongtai run` (every Dagster asset, in-process)
→ `zhongtai serve` (API, Datasette, Dagster UI) → read over HTTP → run again with a bad file dropped (nothing
loaded twice, the bad file quarantined) → a delivery breaking its contract holds publish back.
The tests in this module run in order and share one data directory (three pipeline runs in all).
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
from tests.support.pipeline import pipeline_env
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
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return pipeline_env(tmp_path_factory.mktemp("e2e") / "data", servers=True)


@pytest.fixture(scope="module")
def settings(env: dict[str, str]) -> Settings:
    return Settings(data_dir=Path(env["ZHONGTAI_DATA_DIR"]))


def zhongtai(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "zhongtai"), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def upstream(env: dict[str, str], settings: Settings) -> Iterator[None]:
    """The district exists and its one-window API runs, as a separate process, as a real upstream would."""
    generated = zhongtai(env, "sandbox", "generate", "--scale", "tiny")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    server = processes.start(
        "sandbox",
        [str(BIN / "zhongtai"), "sandbox", "serve"],
        url="",
        host="127.0.0.1",
        port=int(env["ZHONGTAI_SANDBOX_PORT"]),
        env=env,
    )
    yield
    processes.stop([server])


@pytest.fixture(scope="module")
def first_run(upstream: None, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return zhongtai(env, "run")


def warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.warehouse_path), read_only=True)


def table_counts(settings: Settings) -> dict[str, int]:
    con = warehouse(settings)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts') and table_type = 'BASE TABLE'"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchone()[0] for s, t in tables}
    finally:
        con.close()


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


def deliveries(settings: Settings) -> dict[str, str]:
    """delivery id -> file name, for every delivery recorded in the warehouse."""
    con = warehouse(settings)
    try:
        return dict(con.execute("select delivery_id, file_name from raw._deliveries").fetchall())
    finally:
        con.close()


BAD_FILE = "market_202612.xlsx"


@pytest.fixture(scope="module")
def second_run(first_run, env, settings: Settings):  # type: ignore[no-untyped-def]
    """`zhongtai run` again, with nothing new upstream but one bad file: one run checks both that a rerun loads
    nothing twice and that the bad file is quarantined without touching anything else.

    Returns the run, and the table counts and delivery ids from before it."""
    before = table_counts(settings), deliveries(settings)
    drop = settings.upstream / "drops" / "market_registry" / BAD_FILE
    drop.write_bytes(b"PK\x03\x04 this workbook was cut short in transit")
    return zhongtai(env, "run"), *before


def test_second_run_loads_nothing_new_and_changes_no_count(second_run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    run, before, delivered_before = second_run
    assert run.returncode == 0, run.stdout[-3000:]
    # the one new delivery is the bad file: nothing already seen was recorded (or loaded) again
    new = [name for delivery_id, name in deliveries(settings).items() if delivery_id not in delivered_before]
    assert new == [BAD_FILE]
    after = table_counts(settings)
    assert {k: v for k, v in after.items() if k != "raw._deliveries"} == {
        k: v for k, v in before.items() if k != "raw._deliveries"
    }


def test_a_bad_file_is_quarantined_and_loses_nothing_else(second_run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    run, before, _ = second_run
    assert run.returncode == 0, run.stdout[-3000:]
    con = warehouse(settings)
    try:
        status, code, error = con.execute(
            "select status, error_code, error from raw._deliveries where file_name = ?", [BAD_FILE]
        ).fetchone()
    finally:
        con.close()
    assert (status, code) == ("quarantined", "unreadable_file")
    assert BAD_FILE in error
    after = table_counts(settings)
    assert {k: v for k, v in after.items() if k != "raw._deliveries"} == {
        k: v for k, v in before.items() if k != "raw._deliveries"
    }
    assert after["raw._deliveries"] == before["raw._deliveries"] + 1


def test_a_blocking_check_holds_publish_back_and_the_api_says_it_is_stale(first_run, env, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """A delivery breaking its contract (a registration number twice) fails a blocking check: no new version."""
    from fastapi.testclient import TestClient

    from apis.main import create_app

    serving = os.readlink(settings.current_snapshot)
    drops = settings.upstream / "drops" / "civil_marriage"
    lines = next(drops.glob("marriage_*.csv")).read_text(encoding="utf-8").splitlines()
    (drops / "marriage_20991231.csv").write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n", encoding="utf-8")
    refused = zhongtai(env, "run")
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

"""schemathesis against the started API on a tiny published snapshot, anonymous and with a key: no server error, no
response outside the schema, no status the OpenAPI description does not document."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from tests.support.api import published_settings, serve
from zhongtai.identifiers import make_uscc
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "response_schema_conformance",
        "content_type_conformance",
        "response_headers_conformance",
    ]
)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Settings:
    return published_settings(tmp_path_factory.mktemp("schemathesis"), dbt_manifest)


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[httpx.Client]:
    yield from serve(settings)


@pytest.fixture(scope="module")
def key(settings: Settings, api: httpx.Client) -> str:
    upgrade(settings)
    with session_scope(settings) as db:
        enterprise = accounts.register_enterprise(db, uscc=make_uscc("9", "1", "440604", "MA51EEEE"), name="戊公司")
        return accounts.issue_key(db, enterprise).secret


def run(api: httpx.Client, tmp_path: Path, *headers: str) -> int:
    """One schemathesis run over every operation; returns the number of test cases it generated."""
    command = [SCHEMATHESIS, "run", f"{api.base_url}/openapi.json", "--checks", CHECKS, "--max-examples", "60"]
    command += ["--seed", "10", "--workers", "1", "--request-timeout", "30", "--no-color"]
    command += ["--suppress-health-check=all"]
    for header in headers:
        command += ["-H", header]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=1200)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    found = re.search(r"Test cases:\s*\n?\s*(\d+) generated", done.stdout)
    assert found, done.stdout[-3000:]
    return int(found.group(1))


def test_every_route_with_and_without_a_key(api: httpx.Client, key: str, tmp_path: Path) -> None:
    assert api.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 200  # the key really works
    cases = run(api, tmp_path) + run(api, tmp_path, f"X-API-Key: {key}")
    print(f"schemathesis generated {cases} test cases")
    assert cases >= 1000, cases

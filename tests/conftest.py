"""Shared fixtures: the dbt manifest of the real project, the `tiny` district's first run (the end to end tests and the
integration tests of a later run share it), copies of a run to run again; how the suite is split between
pytest-xdist's workers (`make test` runs two). Helpers are in tests/support."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId

from tests.support.dbt import parsed_manifest
from tests.support.pipeline import FirstRun, dated_env, generate_and_run
from tests.support.shared import once, run_folder, set_root
from zhongtai.settings import Settings


@pytest.fixture(scope="session", autouse=True)
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder both of the run's workers share (tests/support/shared.py)."""
    return set_root(run_folder(tmp_path_factory))


@pytest.fixture(scope="session")
def dbt_manifest(shared_folder: Path) -> Path:
    """manifest.json from `dbt parse` of the real dbt project, copied where a test may not change the project's; parsed
    once per run, by whichever worker needs it first."""
    return once("dbt_manifest", parsed_manifest) / "manifest.json"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    """generate tiny → `zhongtai run` beside the sandbox's one-window API, dated by the sandbox. Modules that change
    what is in its data directory work on a copy (`rerun_copy`)."""
    data = tmp_path_factory.mktemp("tiny_run") / "data"
    return FirstRun(Settings(data_dir=data), generate_and_run(data, "tiny"))


@pytest.fixture(scope="session")
def rerun_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Settings, str], tuple[Settings, dict[str, str]]]:
    """A copy of a finished run's data directory, with its own environment, to deliver more and run again."""

    def copy(settings: Settings, name: str) -> tuple[Settings, dict[str, str]]:
        data = tmp_path_factory.mktemp(name) / "data"
        # not the assembled dbt project (<data>/dbt): its parse state names the original folder; the copy's run
        # assembles its own
        shutil.copytree(
            settings.root, data, symlinks=True, ignore=lambda d, names: ["dbt"] if Path(d) == settings.root else []
        )
        return Settings(data_dir=data), dated_env(data)

    return copy


def _one_ssl_context_for_every_client() -> None:
    """httpx builds an SSL context for every Client it makes, parsing the whole CA bundle: about 50 ms of CPU here, and
    the tests make thousands of clients (the role x route matrices make one per cell, every TestClient is one). They
    speak plain HTTP to 127.0.0.1, so every client made with the same arguments shares one context, made once."""
    import httpx._transports.default as transport

    transport.create_ssl_context = functools.cache(transport.create_ssl_context)  # type: ignore[assignment]


_one_ssl_context_for_every_client()


# Property tests must not fail because a loaded 2-core machine was slow: no per-example deadline.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("zhongtai", deadline=None)
hypothesis_settings.load_profile("zhongtai")


# Splitting the suite between workers (`pytest -n 2 --dist loadgroup --no-loadscope-reorder`, as `make test` runs it).
# A pipeline run is a session or module fixture: every test that uses one must run in the worker that made it, or the
# run is made twice. So each module is one group, and modules that share a session fixture from SHARED_RUNS are one
# group. The groups that take longest (pytest's durations) go first, so the other worker is not left waiting at the end.
SHARED_RUNS = ("small_run", "later_delivery", "tiny_run", "later_tiny")
LONGEST_FIRST = (
    "small_run",
    "tiny_run",
    "tests/integration/test_kill_ingestion.py",
    "tests/integration/test_schemathesis.py",
)


def _groups(items: list[pytest.Item]) -> dict[str, str]:
    """module path -> group: modules joined when they share a run (a later run joins the run it copies)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            # a run's name wins over a module's, so the group is named for what it shares
            keep, drop = (ra, rb) if ra in SHARED_RUNS or rb not in SHARED_RUNS else (rb, ra)
            parent[drop] = keep

    union("small_run", "later_delivery")
    union("tiny_run", "later_tiny")
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        find(module)
        for run in SHARED_RUNS:
            if run in item.fixturenames:
                union(run, module)
    return {item.nodeid.split("::", 1)[0]: find(item.nodeid.split("::", 1)[0]) for item in items}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    groups = _groups(items)
    for item in items:
        group = groups[item.nodeid.split("::", 1)[0]]
        item.add_marker(pytest.mark.xdist_group(group))
        if getattr(config.option, "loadgroup", False) and hasattr(item, "_id"):
            # xdist 3.8 sends a group by suffixing `item._nodeid`, which pytest 9.2 no longer reads (the id is a
            # NodeId in `_id`): without this every test would be its own group and each worker would make every run
            item._id = NodeId.parse(f"{item.nodeid}@{group}")

    def rank(item: pytest.Item) -> int:
        group = groups[item.nodeid.split("::", 1)[0]]
        return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a group, the collection order stays

"""Fixtures shared by integration tests: one real pipeline run on the `small` district, dated by the sandbox, and one
later run on a copy of it after new deliveries.

`small_run` is made once per session and never changed afterwards. `later_delivery` copies its data directory, delivers
what the tests of a second run need — a hukou extract in which one person has moved (history), the credit office's
register approving one penalty's repair and rejecting another's (credit repair), a village's corrections sent
through the app and decided by their departments (village corrections), the sandbox's cadres' corrections of its
planted discrepancies, decided the same way (sandbox corrections), and three person-match review cases decided by a
steward on the page (clerical review) — and runs again there. Modules can
use both in any order. The helpers these fixtures call are in tests/support.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.clerical_review import decide_on_the_page
from tests.support.credit_repair import deliver_repair
from tests.support.later_run import LaterDelivery, deliver_a_move
from tests.support.onboarding import Onboarded, onboard
from tests.support.pipeline import ZHONGTAI, dated_env, pipeline_env, run_pipeline
from tests.support.sandbox_corrections import send_sandbox_corrections
from tests.support.village_corrections import send_corrections
from zhongtai.settings import Settings


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """generate small → start the simulated one-window API → `zhongtai run` with ZHONGTAI_AS_OF = the district's date.

    ZHONGTAI_TEST_SMALL_RUN points at the data directory of such a run already made, to rerun the checks alone.
    """
    reuse = os.environ.get("ZHONGTAI_TEST_SMALL_RUN")
    if reuse:
        yield Settings(data_dir=Path(reuse))
        return
    data = tmp_path_factory.mktemp("small_run") / "data"
    generated = subprocess.run(
        [ZHONGTAI, "sandbox", "generate", "--scale", "small"], env=pipeline_env(data), capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    run = run_pipeline(dated_env(data))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "entity_resolution" in run.stdout
    yield Settings(data_dir=data)


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


@pytest.fixture(scope="session")
def later_delivery(small_run: Settings, rerun_copy) -> LaterDelivery:  # type: ignore[no-untyped-def]
    """A copy of the small run, given a moved person, a credit-repair decision, a village's decided corrections and
    three person-match review decisions (sent through the real app), run again."""
    later, env = rerun_copy(small_run, "later_delivery")
    id_number, old_address = deliver_a_move(later)
    repair = deliver_repair(later)
    corrections = send_corrections(later)
    sandbox_corrections = send_sandbox_corrections(later, exclude=corrections.village_code)
    clerical = decide_on_the_page(later)
    run = run_pipeline(env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return LaterDelivery(later, id_number, old_address, repair, corrections, sandbox_corrections, clerical)


@pytest.fixture(scope="session")
def onboarded_tiny(tmp_path_factory: pytest.TempPathFactory) -> Onboarded:
    """A tiny district with one more system registered from an extra folder (a JSON export), run once."""
    return onboard(tmp_path_factory.mktemp("onboarded_tiny"))

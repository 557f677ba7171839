"""Fixtures shared by integration tests: one real pipeline run on the `small` district, dated by the sandbox, and one
later run on a copy of it after new deliveries.

`small_run` is made once per session and never changed afterwards. `later_delivery` copies its data directory, delivers
what the tests of a second run need — a hukou extract in which one person has moved (history), the credit office's
register approving one penalty's repair and rejecting another's (credit repair), a village's corrections sent
through the app and decided by their departments (village corrections), the sandbox's cadres' corrections of its
planted discrepancies, decided the same way (sandbox corrections), and three person-match review cases decided by a
steward on the page (clerical review) — and runs again there. Modules can
use both in any order. `later_tiny` does the same for the `tiny` run (`tiny_run`, in tests/conftest.py, which the end
to end tests share): a system onboarded from an extra registry folder, a week's advance of the sandbox and a bad file.
The helpers these fixtures call are in tests/support.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.clerical_review import decide_on_the_page
from tests.support.credit_repair import deliver_repair
from tests.support.later_run import LaterDelivery, deliver_a_department_extract, deliver_a_move, delivery_ids
from tests.support.later_tiny import LaterTiny, deliver_later_and_run
from tests.support.pipeline import FirstRun, generate_and_run, run_pipeline
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
    run = generate_and_run(data, "small")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "entity_resolution" in run.stdout
    yield Settings(data_dir=data)


@pytest.fixture(scope="session")
def later_delivery(small_run: Settings, rerun_copy) -> LaterDelivery:  # type: ignore[no-untyped-def]
    """A copy of the small run, given a moved person, a credit-repair decision, a village's decided corrections and
    three person-match review decisions (sent through the real app), run again."""
    later, env = rerun_copy(small_run, "later_delivery")
    earlier = delivery_ids(later)
    id_number, old_address = deliver_a_move(later)
    department = deliver_a_department_extract(later)
    repair = deliver_repair(later)
    corrections = send_corrections(later)
    sandbox_corrections = send_sandbox_corrections(later, exclude=corrections.village_code)
    clerical = decide_on_the_page(later)
    run = run_pipeline(env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return LaterDelivery(
        later, id_number, old_address, department, repair, corrections, sandbox_corrections, clerical, earlier
    )


@pytest.fixture(scope="session")
def later_tiny(tiny_run: FirstRun, rerun_copy) -> LaterTiny:  # type: ignore[no-untyped-def]
    """A copy of the tiny run, given one more system from an extra registry folder, a week of the district's life and
    a bad file, run again (tests/support/later_tiny)."""
    assert tiny_run.run.returncode == 0, tiny_run.run.stdout[-4000:] + tiny_run.run.stderr[-4000:]
    copy, _ = rerun_copy(tiny_run.settings, "later_tiny")
    return deliver_later_and_run(copy, copy.root.parent / "registry")

"""A daily refresh gives what a rebuild from the same landing gives (issue 14).

The refresh is the later delivery's run on a copy of the `small` run: a moved person, a credit repair, a village's
decided corrections, the sandbox's cadres' corrections and three review decisions, then `zhongtai run`. A copy of that
data directory, with the refresh's published version taken back so that both publish after the same version, is
rebuilt with `zhongtai run --rebuild`: a fresh warehouse from the landed deliveries alone. The two must agree on every
raw, staging, intermediate and mart table, the resolution's links and review cases, and every file of the published
version, change feed and roster change sheets included.

Set aside, because they say when something was done rather than what: each version's id, time and data directory;
the times the links, checks and deliveries were written (`resolved_at`, `validated_at`, `measured_at` and the
`hours_since_delivery` counted from it, `loaded_at`, `quarantined_at`, and the delivery `fingerprint`s the incremental
models remember, which digest `loaded_at`). The golden records' history is compared
too: its version logs are carried into the rebuilt warehouse, and the rebuild adds no version, since it gives the
golden records the refresh gave.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable

import duckdb
import pytest

from tests.support.checksums import table_checksums
from tests.support.later_run import DEPARTMENT, MOVED_TO, LaterDelivery
from tests.support.pipeline import ZHONGTAI
from tests.support.published import current_version, published_differences
from zhongtai.bookkeeping import DELIVERIES
from zhongtai.files import atomic_symlink
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

STAMPS = (
    "resolved_at", "validated_at", "measured_at", "hours_since_delivery", "loaded_at", "quarantined_at",
    "fingerprint",  # the delivery fingerprints an incremental model remembers (<model>__inputs) digest loaded_at
)  # fmt: skip
COMPARED_SCHEMAS = ("raw", "staging", "intermediate", "marts", "history", "resolution", "reference")


def take_back_current_version(settings: Settings) -> str:
    """Delete the current published version and point `current` at the one before it; returns the one before."""
    published = settings.published_dir
    latest = current_version(settings)
    earlier = sorted(p.name for p in published.iterdir() if p.name.startswith("v") and p.name != latest.name)
    atomic_symlink(earlier[-1], settings.current_snapshot)
    shutil.rmtree(latest)
    return earlier[-1]


@pytest.fixture(scope="module")
def rebuilt(
    later_delivery: LaterDelivery, rerun_copy: Callable[[Settings, str], tuple[Settings, dict[str, str]]]
) -> Settings:
    copy, env = rerun_copy(later_delivery.settings, "rebuilt")
    take_back_current_version(copy)
    run = subprocess.run([ZHONGTAI, "run", "--rebuild"], env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return copy


def warehouse_checksums(settings: Settings) -> dict[str, list[int]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {
            name: sums
            for schema in COMPARED_SCHEMAS
            for name, sums in table_checksums(con, schema, leave_out=STAMPS).items()
        }


def test_every_table_of_the_warehouse_is_the_same(later_delivery: LaterDelivery, rebuilt: Settings) -> None:
    refreshed, built = warehouse_checksums(later_delivery.settings), warehouse_checksums(rebuilt)
    assert len(refreshed) > 200
    differing = sorted(name for name in refreshed.keys() | built.keys() if refreshed.get(name) != built.get(name))
    assert not differing, "after a refresh and a rebuild: " + ", ".join(
        f"{name} {refreshed.get(name)} / {built.get(name)}" for name in differing
    )


def test_both_publish_the_same_version_after_the_same_one(later_delivery: LaterDelivery, rebuilt: Settings) -> None:
    refreshed, built = current_version(later_delivery.settings), current_version(rebuilt)
    assert refreshed.name != built.name  # two versions, each its own
    differing = list(published_differences(later_delivery.settings, rebuilt, leave_out=STAMPS))
    assert not differing, "\n".join(differing)


def test_the_refresh_recomputed_only_the_parts_that_delivered(later_delivery: LaterDelivery) -> None:
    """The rebuild computes every part of the mentions; the refresh only the parts whose raw tables received a
    delivery in it (macros/incremental.sql), read from raw._deliveries, not from what the fixture meant to send: of
    the generic systems, the department whose new extract it loaded; of the hand-staged ones, hukou's at least, whose
    new extract moved a person. Equal warehouses above mean the kept parts were right."""
    with duckdb.connect(str(later_delivery.settings.warehouse_path), read_only=True) as con:
        deliveries = con.execute(f"select delivery_id, source_id, entity from {DELIVERIES}").fetchall()
    earlier = later_delivery.earlier_deliveries
    delivered = {(source, entity) for delivery, source, entity in deliveries if delivery not in earlier}
    project = later_delivery.settings.root / "dbt" / "dbt_project" / "target"
    compiled = max(
        project.glob("dbt_prepare-*/compiled/zhongtai/models/intermediate/_registry/int_person_mentions.sql"),
        key=lambda path: path.stat().st_mtime,
    ).read_text()
    parts = {
        (source, entity): wanted == "true"
        for pattern in (  # a generic system's part, then a hand-staged entity's
            r"select '([a-z0-9_]+)' as source_id, '([a-z0-9_]+)' as entity,.*?where (true|false)",
            r"'([a-z0-9_]+)' as source_id,\n\s+'([a-z0-9_]+)' as entity,\n\s+record_id,.*?where (true|false)",
        )
        for source, entity, wanted in re.findall(pattern, compiled, re.DOTALL)
    }
    assert len(parts) > 100
    recomputed = {part for part, wanted in parts.items() if wanted}
    assert recomputed == delivered & parts.keys()
    assert {(DEPARTMENT, "records"), ("hukou", "residents")} <= recomputed
    assert len(recomputed) < len(parts) / 10
    renamed, gone = later_delivery.department
    with duckdb.connect(str(later_delivery.settings.warehouse_path), read_only=True) as con:
        names = dict(
            con.execute(
                "select record_id, name from intermediate.int_person_mentions where source_id = ?", [DEPARTMENT]
            ).fetchall()
        )
        moved = con.execute(
            "select count(*) from intermediate.int_person_mentions where source_id = 'hukou' and id_number = ? "
            "and address = ?",
            [later_delivery.id_number, MOVED_TO],
        ).fetchone()
    assert names[renamed] == "梁新名"
    assert gone not in names
    assert moved == (1,)

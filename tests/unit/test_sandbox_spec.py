"""The sandbox's spec (sandbox/spec.yaml) agrees with the registry, and its calendar delivers on each cadence."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.registry import load_registry
from sandbox.legacy import CADENCE, TEMPLATES, legacy_systems, spec
from sandbox.timeline import EVENT_TEMPLATES, LATE_SYSTEM, due


def test_every_upstreams_cadence_is_its_registry_schedule() -> None:
    registry = load_registry()
    cadences = {s.id: s.template.schedule for s in legacy_systems()} | CADENCE
    assert len(cadences) == 152 + len(CADENCE)
    assert {sid: registry[sid].schedule for sid in cadences} == cadences


def test_the_spec_names_every_template_once_and_its_event_systems_exist() -> None:
    stems = [t.stem for t in TEMPLATES]
    assert len(stems) == len(set(stems)) == len(spec()["templates"])
    assert set(EVENT_TEMPLATES) <= set(stems)
    late = next(s for s in legacy_systems() if s.id == LATE_SYSTEM)
    assert late.template.schedule == "daily" and late.variant.kind != "database"  # a late file needs a dated file


@pytest.mark.parametrize(
    ("schedule", "day", "expected"),
    [
        ("daily", dt.date(2026, 11, 17), True),
        ("hourly", dt.date(2026, 11, 18), True),
        ("weekly", dt.date(2026, 11, 23), True),  # the weekday of the first delivery (Monday 2026-11-16)
        ("weekly", dt.date(2026, 11, 24), False),
        ("monthly", dt.date(2026, 12, 1), True),
        ("monthly", dt.date(2026, 12, 2), False),
    ],
)
def test_due(schedule: str, day: dt.date, expected: bool) -> None:
    assert due(schedule, day, dt.date(2026, 11, 16)) is expected


def test_an_unknown_schedule_is_refused() -> None:
    with pytest.raises(ValueError, match="fortnightly"):
        due("fortnightly", dt.date(2026, 11, 17), dt.date(2026, 11, 16))

"""Named sizes of the synthetic district: everything else is derived from people and enterprises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    persons: int
    enterprises: int
    # per-head rates, so every scale has the same texture
    person_applications_per_person: float = 2.0
    enterprise_applications_per_enterprise: float = 1.5
    grid_events_per_person: float = 0.3
    enterprise_credit_per_enterprise: float = 1.2
    person_credit_per_person: float = 0.02
    marriages_per_person: float = 0.025  # registrations over the past five years


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", persons=2_000, enterprises=300),
    "small": Scale("small", persons=30_000, enterprises=4_000),
    "district": Scale("district", persons=1_130_000, enterprises=200_000),
}


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None

"""The sandbox: a synthetic district, its simulated upstream systems and the ground truth (demo and tests only)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhongtai.settings import Settings

if TYPE_CHECKING:
    import polars as pl

DEFAULT_SEED = 20141101


def generate(
    settings: Settings, scale: str, seed: int = DEFAULT_SEED, on_step: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Build the district, write every upstream system's first delivery and the truth; return the summary."""
    from sandbox.district import build_district
    from sandbox.render import build_deliveries, write_deliveries, write_truth
    from sandbox.scales import get_scale

    step = on_step or (lambda _msg: None)
    started = time.perf_counter()
    step(f"building the {scale} district (seed {seed})")
    district = build_district(get_scale(scale), seed)
    step("rendering upstream deliveries with noise")
    deliveries = build_deliveries(district)
    paths = write_deliveries(deliveries, district, settings.upstream, step)
    summary: dict[str, Any] = {
        "scale": scale,
        "seed": seed,
        "as_of": district.as_of.isoformat(),
        "counts": district.counts(),
        "delivered_rows": {name: frame.height for name, frame in deliveries.tables.items()},
        "person_mentions": deliveries.source_records.height,
        "enterprise_mentions": deliveries.enterprise_records.height,
        "files": {system: str(path) for system, path in paths.items()},
    }
    step("writing ground truth")
    write_truth(deliveries, district, settings.truth_dir, summary)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def advance(settings: Settings, days: int, on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Move the district's calendar on by `days` and deliver what each upstream would in them (sandbox/timeline.py)."""
    from sandbox.timeline import advance as _advance

    return _advance(settings, days, on_step)


def deliver_credit_repairs(settings: Settings, applications: pl.DataFrame, day: dt.date) -> tuple[Path, pl.DataFrame]:
    """The credit office delivers its repair register again, with `applications` added (sandbox/credit_repair.py)."""
    from sandbox.credit_repair import deliver
    from sandbox.writers import atomic_path

    return deliver(settings.upstream, settings.truth_dir, applications, day, atomic_path)


def serve(settings: Settings) -> None:
    """Run the one-window HTTP API on 127.0.0.1:settings.sandbox_port until stopped."""
    from sandbox.onewindow_server import serve as _serve

    _serve(settings)


__all__ = ["DEFAULT_SEED", "advance", "deliver_credit_repairs", "generate", "serve"]

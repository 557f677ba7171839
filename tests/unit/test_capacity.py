"""bench/capacity.py: the projections are the arithmetic its assumptions state (checked on results made here, with
the expected figures worked out by hand), a missing measurement is named rather than filled in, and ADR 0003's
capacity tables are exactly what it prints from the committed results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import capacity

ADR = Path(__file__).resolve().parents[2] / "docs" / "adr" / "0003-city-and-province-deployment.md"


def _rebuild(seconds: float, peak: float, load: float, stages: dict[str, dict[str, float]]) -> dict[str, object]:
    return {"phases": {"rebuild": {"seconds": seconds, "peak_rss_mib": peak, "load_average_at_start": [load, 0, 0],
                                   "stages": stages}}}  # fmt: skip


@pytest.fixture
def results(tmp_path: Path) -> Path:
    files = {
        "pipeline_tiny.json": _rebuild(40, 1440, 5.0, {
            "ingest steps": {"seconds": 4, "peak_rss_mib": 800},
            "load raw": {"seconds": 2, "rows": 20_000, "peak_rss_mib": 800},
        }),
        "pipeline_small.json": _rebuild(100, 2000, 1.0, {
            "ingest steps": {"seconds": 12, "peak_rss_mib": 1000},
            "load raw": {"seconds": 8, "rows": 300_000, "peak_rss_mib": 1000},
            "entity_resolution": {"seconds": 3, "peak_rss_mib": 1200},
        }),
        "resolution_district.json": {"resolution_step": {"seconds": 200, "peak_rss_mib": 3000}},
        "loading_district.json": {
            "loadavg_at_start": [1.0, 0, 0],
            "variants": {"csv_gbk": {"sides": {"zhongtai": {"seconds": 40, "rows": 1_000_000, "peak_rss_mib": 1500}}}},
        },
        "engines_tiny.json": {"model_seconds_total": {"duckdb": 100, "spark": 400}},
    }  # fmt: skip
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content), encoding="utf-8")
    return tmp_path


def _stage(results: Path, name: str) -> capacity.Stage:
    return next(s for s in capacity.stages(results) if s.name == name)


def test_a_linear_stage_projects_from_its_largest_scale_with_cores_and_a_memory_line(results: Path) -> None:
    whole = _stage(results, "whole rebuild from landing")
    # 30,000 people in 100 s at small: 300 people/s
    assert capacity.seconds_at(whole, 1_130_000, 2) == pytest.approx(3766.667, rel=1e-6)
    # 9.6 M people: 32,000 s on two cores; 32 cores are 0.5 × 32 / 2 = 8 times faster
    assert capacity.seconds_at(whole, 9_600_000, 32) == pytest.approx(4000)
    # peaks 1,440 MiB at 2,000 people and 2,000 MiB at 30,000: 0.02 MiB a person beyond small
    assert capacity.memory_at(whole, 1_130_000) == pytest.approx(2000 + 0.02 * 1_100_000)


def test_resolution_grows_as_n_log_n_from_the_district(results: Path) -> None:
    resolution = _stage(results, "entity resolution")
    # 200 s at 1.13 M; × (9.6 M ln 9.6 M) / (1.13 M ln 1.13 M) = × 8.4956 × 1.15349, then / 8 for 32 cores
    assert capacity.seconds_at(resolution, 9_600_000, 32) == pytest.approx(244.99, rel=1e-4)
    # the line through 1,200 MiB at small and 3,000 MiB at the district
    assert capacity.memory_at(resolution, 9_600_000) == pytest.approx(3000 + 1800 / 1_100_000 * 8_470_000)


def test_ingest_is_projected_in_rows(results: Path) -> None:
    ingest = _stage(results, "ingest: land + load raw")
    assert ingest.rows_per_person == 10  # 300,000 raw rows for 30,000 people at small
    # the district's loader: 1,000,000 rows in 40 s = 25,000 rows/s; 11.3 M rows
    assert capacity.seconds_at(ingest, 1_130_000, 2) == pytest.approx(452)
    # 1.27 billion rows: 50,800 s on two cores, / 64 on 256 cores
    assert capacity.seconds_at(ingest, 127_000_000, 256) == pytest.approx(793.75)
    assert capacity.memory_at(ingest, 9_600_000) == pytest.approx(5350)


def test_a_missing_measurement_is_named_in_its_cells_and_never_becomes_a_number(results: Path) -> None:
    table = capacity.markdown(capacity.stages(results))
    spark = next(line for line in table.splitlines() if line.startswith("| dbt models on Spark") and "5.0" in line)
    assert spark.split(" | ")[2:] == ["5.0", "not measured (no engines_small.json)", "not measured |"]  # 2,000 / 400 s
    projected = [line for line in table.splitlines() if line.startswith("| dbt models on Spark")][1]
    cells = projected.strip("| ").split(" | ")[1:]
    assert cells == ["not measured (no engines_small.json)"] * 4
    whole = next(line for line in table.splitlines() if line.startswith("| whole rebuild"))
    assert "| 300 · 2.0 GiB · load 1.0 |" in whole
    assert "not measured (no rebuild entity_resolution in pipeline_tiny.json)" in table


def test_the_adr_quotes_exactly_what_the_committed_results_give() -> None:
    assert capacity.quoted(ADR) == capacity.markdown(capacity.stages()), (
        "ADR 0003's capacity tables differ from bench/results/: python -m bench.capacity --update " + str(ADR)
    )


def test_update_rewrites_only_the_block(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"before\n{capacity.BEGIN}\nold\n{capacity.END}\nafter\n", encoding="utf-8")
    capacity.update(doc, "new table")
    assert doc.read_text(encoding="utf-8") == f"before\n{capacity.BEGIN}\nnew table\n{capacity.END}\nafter\n"
    assert capacity.quoted(doc) == "new table"

"""Capacity arithmetic (issue 15): each pipeline stage's measured throughput at every scale on this machine, and the
time and memory it projects for the district, a city and a province.

`python -m bench.capacity [--results DIR] [--update FILE]` prints the tables as Markdown from bench/results/*.json
(the pipeline's rebuild from landing at every scale it was measured at; where the district's was not, resolution and
loading benchmarked alone there; the dbt models on DuckDB and Spark from engines_<scale>.json).
`--update docs/adr/0003-city-and-province-deployment.md` rewrites the block between that file's capacity markers
instead; a unit test checks the ADR holds exactly what this prints. A measurement that is not there is named in its
cells, never replaced by a number. Nothing here runs a benchmark.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.scales import SCALES

RESULTS = Path(__file__).resolve().parent / "results"
MACHINE_CORES = 2  # every measurement was taken on this 2-core machine
EFFICIENCY = 0.5  # of each core added beyond the machine's two (see speedup)
BEGIN = "<!-- capacity:begin (generated: python -m bench.capacity --update <this file>) -->"
END = "<!-- capacity:end -->"


@dataclass(frozen=True)
class Target:
    name: str
    persons: int
    cores: int


TARGETS = (
    Target("district", SCALES["district"].persons, MACHINE_CORES),
    Target("city (Foshan)", 9_600_000, 32),
    Target("province (Guangdong)", 127_000_000, 256),
)


@dataclass(frozen=True)
class Point:
    """One measurement of a stage: the persons of the scale it ran at, its seconds, the rows it handled where they
    were counted, its peak resident memory and the 1-minute load average at the start, where recorded."""

    persons: int
    seconds: float
    rows: int | None = None
    peak_mib: float | None = None
    load: float | None = None

    def throughput(self) -> float:
        """Rows per second where rows were counted, else people per second."""
        return (self.rows if self.rows is not None else self.persons) / self.seconds


@dataclass(frozen=True)
class Stage:
    """A stage's measurements by scale — a Point, or the reason there is none — and how it grows."""

    name: str
    unit: str
    points: dict[str, Point | str]
    n_log_n: bool = False
    project_from: str | None = None  # the scale projections start from; default: the largest measured
    rows_per_person: float | None = None  # for a stage measured in rows: rows at a scale = persons × this

    def reference(self) -> Point | str:
        if self.project_from:
            return self.points[self.project_from]
        measured = [p for p in self.points.values() if isinstance(p, Point)]
        return max(measured, key=lambda p: p.persons) if measured else "not measured"


def _read(results: Path, name: str) -> dict[str, Any] | None:
    path = results / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _peak(value: float | None) -> float | None:
    return value or None  # 0.0: no memory sample fell inside the stage


def _rebuild_points(
    results: Path, key: str | None, rows_key: str | None = None, district: Point | str | None = None
) -> dict[str, Point | str]:
    """A stage of the rebuild from landing (`key` in its stages; None: the whole run) at each scale; at the district,
    where the pipeline has not been measured, `district` when given (a benchmark of that stage alone)."""
    points: dict[str, Point | str] = {}
    for scale in ("tiny", "small", "district"):
        name = f"pipeline_{scale}.json"
        phase = ((_read(results, name) or {}).get("phases") or {}).get("rebuild")
        stage = phase if phase is None or key is None else phase["stages"].get(key)
        if phase is None or stage is None:
            points[scale] = f"not measured (no rebuild{f' {key}' if key else ''} in {name})"
            if scale == "district" and district is not None:
                points[scale] = district
            continue
        rows = phase["stages"].get(rows_key, {}).get("rows") if rows_key else None
        load = phase["load_average_at_start"][0]
        points[scale] = Point(SCALES[scale].persons, stage["seconds"], rows, _peak(stage["peak_rss_mib"]), load)
    return points


def _loading(results: Path) -> Point | str:
    """The loader on the district's hukou file as delivered (GBK CSV): land and load, its own peak memory."""
    found = _read(results, "loading_district.json")
    if found is None:
        return "not measured (no loading_district.json)"
    side = found["variants"]["csv_gbk"]["sides"]["zhongtai"]
    load = found["loadavg_at_start"][0]
    return Point(SCALES["district"].persons, side["seconds"], side["rows"], side["peak_rss_mib"], load)


def _resolution(results: Path) -> Point | str:
    found = _read(results, "resolution_district.json")
    if found is None:
        return "not measured (no resolution_district.json)"
    step = found["resolution_step"]
    return Point(SCALES["district"].persons, step["seconds"], peak_mib=step["peak_rss_mib"])


def _engine(results: Path, engine: str) -> dict[str, Point | str]:
    """The dbt models' total build time on one engine (dbt's own model times; no memory is recorded)."""
    points: dict[str, Point | str] = {}
    for scale in ("tiny", "small"):
        found = _read(results, f"engines_{scale}.json")
        seconds = (found or {}).get("model_seconds_total", {}).get(engine)
        points[scale] = Point(SCALES[scale].persons, seconds) if seconds else f"not measured (no engines_{scale}.json)"
    return points


def stages(results: Path = RESULTS) -> list[Stage]:
    ingest = _rebuild_points(results, "ingest steps", rows_key="load raw")
    # raw rows per person, from the largest scale a whole rebuild was measured at (not the hukou file alone)
    per_person = [p.rows / p.persons for p in ingest.values() if isinstance(p, Point) and p.rows]
    if not isinstance(ingest["district"], Point):
        ingest["district"] = _loading(results)
    pipeline = [
        ("quality checks, raw (GX)", "quality checks (raw)"),
        ("dbt_prepare: seeds, staging, intermediate, tests", "dbt_prepare (whole step)"),
        ("dbt_models: marts, history", "dbt_models (whole step)"),
        ("quality checks, marts (GX)", "quality checks (marts)"),
        ("publish (every writer, scan, switch)", "publish (whole step)"),
    ]
    return [
        Stage(
            "ingest: land + load raw",
            "rows/s",
            ingest,
            rows_per_person=per_person[-1] if per_person else None,
        ),
        *[Stage(name, "people/s", _rebuild_points(results, key)) for name, key in pipeline[:2]],
        Stage(
            "entity resolution",
            "people/s",
            _rebuild_points(results, "entity_resolution", district=_resolution(results)),
            n_log_n=True,
        ),
        *[Stage(name, "people/s", _rebuild_points(results, key)) for name, key in pipeline[2:]],
        Stage(
            "whole rebuild from landing",
            "people/s",
            _rebuild_points(results, None),
        ),
        Stage(
            "dbt models on DuckDB (engines)",
            "people/s",
            {**_engine(results, "duckdb"), "district": "not measured"},
            project_from="small",
        ),
        Stage(
            "dbt models on Spark local[2] (engines)",
            "people/s",
            {**_engine(results, "spark"), "district": "not measured"},
            project_from="small",
        ),
    ]


def speedup(cores: int) -> float:
    """How much faster a stage runs on `cores` than on this machine's two: each core beyond them counts `EFFICIENCY`
    of one (a Spark cluster's shuffles, a DuckDB machine's memory bandwidth, skew)."""
    return 1.0 if cores <= MACHINE_CORES else EFFICIENCY * cores / MACHINE_CORES


def _growth(stage: Stage, persons: int) -> float:
    return persons * math.log(persons) if stage.n_log_n else float(persons)


def seconds_at(stage: Stage, persons: int, cores: int) -> float | str:
    """Projected seconds for `persons` on `cores`, or why there is no projection."""
    ref = stage.reference()
    if isinstance(ref, str):
        return ref
    if ref.rows is not None:
        if stage.rows_per_person is None:
            return "not projected (rows per person unknown)"
        here = persons * stage.rows_per_person / ref.throughput()
    else:
        here = ref.seconds * _growth(stage, persons) / _growth(stage, ref.persons)
    return here / speedup(cores)


def memory_at(stage: Stage, persons: int) -> float | None:
    """Projected peak MiB: the straight line through the stage's two largest measurements (its fixed part, imports
    and engine, and its part per person), never falling with size; one measurement: that measurement."""
    measured = sorted(
        (p for p in stage.points.values() if isinstance(p, Point) and p.peak_mib), key=lambda p: p.persons
    )[-2:]
    if not measured:
        return None
    last = measured[-1]
    assert last.peak_mib is not None
    if len(measured) == 1:
        return last.peak_mib
    first = measured[0]
    assert first.peak_mib is not None
    slope = max(0.0, (last.peak_mib - first.peak_mib) / (last.persons - first.persons))
    return last.peak_mib + slope * (persons - last.persons)


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def size(mib: float) -> str:
    if mib < 1024:
        return f"{mib:,.0f} MiB"
    if mib < 1024 * 1024:
        return f"{mib / 1024:.1f} GiB"
    return f"{mib / 1024 / 1024:.1f} TiB"


def _measured(point: Point | str) -> str:
    if isinstance(point, str):
        return point
    rate = point.throughput()
    cell = f"{rate:,.0f}" if rate >= 100 else f"{rate:.1f}"
    if point.peak_mib:
        cell += f" · {size(point.peak_mib)}"
    return cell + (f" · load {point.load:.1f}" if point.load is not None else "")


def _projected(stage: Stage, target: Target) -> str:
    seconds = seconds_at(stage, target.persons, target.cores)
    if isinstance(seconds, str):
        return seconds
    mib = memory_at(stage, target.persons)
    return f"{duration(seconds)} · {size(mib) if mib is not None else 'memory not measured'}"


def _basis(stage: Stage) -> str:
    ref = stage.reference()
    if isinstance(ref, str):
        return ref
    scale = next(s for s, p in stage.points.items() if p is ref)
    return f"{scale}, {'n log n' if stage.n_log_n else 'linear'}"


def _people(n: int) -> str:
    return f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n:,}"


def markdown(found: list[Stage]) -> str:
    scales = ("tiny", "small", "district")
    lines = [
        f"Measured on this machine ({MACHINE_CORES} cores): throughput, peak memory, 1-minute load average at the "
        "start where recorded.",
        "",
        "| stage | unit | " + " | ".join(f"{s} ({SCALES[s].persons:,} people)" for s in scales) + " |",
        "| --- | --- |" + " --- |" * len(scales),
        *(f"| {st.name} | {st.unit} | " + " | ".join(_measured(st.points[s]) for s in scales) + " |" for st in found),
        "",
        "Projected time · peak memory (the assumptions follow the table).",
        "",
        "| stage | projected from | "
        + " | ".join(f"{t.name}: {_people(t.persons)} people, {t.cores} cores" for t in TARGETS)
        + " |",
        "| --- | --- |" + " --- |" * len(TARGETS),
        *(f"| {st.name} | {_basis(st)} | " + " | ".join(_projected(st, t) for t in TARGETS) + " |" for st in found),
        "",
        "Assumptions:",
        "",
        "- Time grows linearly with the people served (rows for ingest: "
        + (
            f"{found[0].rows_per_person:.2f} raw rows per person, as in the largest rebuild measured"
            if found[0].rows_per_person
            else "n/a"
        )
        + "), except entity resolution: n log n, since its blocks of candidate pairs grow with the population.",
        "- Each projection starts from the stage's largest measured scale (the engines' rows from small only) and "
        "takes its throughput there, fixed costs included, so it errs long.",
        f"- On c cores instead of {MACHINE_CORES} a stage runs {EFFICIENCY} × c / {MACHINE_CORES} times faster "
        f"(efficiency {EFFICIENCY} per added core); the district is projected on this machine's {MACHINE_CORES}.",
        "- Peak memory: the straight line through the stage's two largest measurements, never falling with size; it "
        "is the working set of one process, which DuckDB spills to disk past its memory limit and Spark spreads over "
        "executors.",
    ]
    return "\n".join(lines)


def quoted(doc: Path) -> str:
    """The capacity block of a document, between its markers."""
    text = doc.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip("\n")


def update(doc: Path, block: str) -> None:
    text = doc.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    doc.write_text(f"{text[:start]}\n{block}\n{text[end:]}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder of result JSON files")
    parser.add_argument("--update", type=Path, help="rewrite the capacity block of this document instead of printing")
    args = parser.parse_args(argv)
    block = markdown(stages(args.results))
    if args.update:
        update(args.update, block)
        print(f"{args.update}: capacity tables rewritten")
    else:
        print(block)


if __name__ == "__main__":
    main()

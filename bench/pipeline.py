"""Pipeline benchmark: the first run from the upstream systems, a rebuild from landing, and a daily refresh.

`python -m bench.pipeline [--scale tiny|small|district] [--data-dir DIR] [--port PORT] [--phases first,rebuild,refresh]`

In DIR (default bench/.cache/pipeline-<scale>; the sandbox is generated there once):

- **first**: `zhongtai run` against the sandbox's upstream systems (its one-window API started beside it);
- **rebuild**: `zhongtai run --rebuild` — the warehouse set aside, a fresh one built from the landed deliveries only;
- **refresh**: `zhongtai sandbox advance --days 1`, then `zhongtai run` on the rebuilt warehouse.

Each phase runs in its own child process (`--child`): the run as `zhongtai run` makes it (execute.run_all), with
the connectors' pulls, the loads, the publish writers and the publish scan timed from the inside, and every
Dagster step's start and end written as JSON lines. The parent samples the resident memory of the child and of
everything it started (dbt) every 0.5 s from /proc, so a stage's peak RSS is the largest sample within its intervals.
dbt's own timings come from each dbt invocation's run_results.json: per model, then by layer (the model's schema; tests
apart). Results: bench/results/pipeline_<scale>.json, with `full_seconds` (the rebuild), `incremental_seconds` (the
refresh), `peak_rss_mib` (of the rebuild) and the per-stage breakdown of every phase.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = Path(__file__).resolve().parent / ".cache"
BIN = Path(sys.executable).parent
SAMPLE_SECONDS = 0.5
Interval = tuple[float, float]


# ---- the child: one run, timed from the inside -------------------------------------------------------------------


def _child(events_path: Path) -> int:
    """Run the whole graph once in this process, writing timed events to `events_path`."""
    from orchestration.execute import run_all
    from orchestration.ingestion import ingest
    from orchestration.publish import frame, writers
    from orchestration.publish.context import Writer
    from zhongtai.settings import get_settings

    out = events_path.open("a", encoding="utf-8")

    def emit(**event: Any) -> None:
        out.write(json.dumps({"t": time.time(), **event}, default=str) + "\n")
        out.flush()

    def timed(kind: str, what: Callable[..., str], fn: Callable[..., Any], rows: Callable[[Any], int] | None = None):  # type: ignore[no-untyped-def]
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.time()
            result = None
            try:
                result = fn(*args, **kwargs)
                return result
            finally:
                extra = {"rows": rows(result)} if rows and result is not None else {}
                emit(kind=kind, what=what(*args, **kwargs), start=start, **extra)

        return wrapper

    ingest.pull = timed("land", lambda s, e, *_a, **_k: f"{s.id}.{e.name}", ingest.pull)  # type: ignore[assignment]
    ingest.load_delivery = timed(  # type: ignore[assignment]
        "load", lambda _c, s, e, *_a, **_k: f"{s.id}.{e.name}", ingest.load_delivery, rows=lambda r: r.rows_loaded
    )
    writers.WRITERS[:] = [
        Writer(w.name, timed("publish", lambda *_a, name=w.name, **_k: name, w.write)) for w in writers.WRITERS
    ]
    frame.scan_version = timed("publish", lambda *_a, **_k: "scan", frame.scan_version)  # type: ignore[assignment]

    emit(kind="CHILD_START")
    report = run_all(get_settings(), on_event=lambda kind, what: emit(kind=kind, what=what))
    emit(kind="CHILD_END", success=report.success, failed_steps=report.failed_steps, failed_checks=report.failed_checks)
    out.close()
    return 0 if report.success else 1


# ---- the parent: memory sampling and the phases ------------------------------------------------------------------


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


class Sampler(threading.Thread):
    """(time, MiB) of a process and all its descendants, every SAMPLE_SECONDS, until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples = pid, []  # type: ignore[var-annotated]
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.time(), sum(_rss_mib(p) for p in _descendants(self.pid))))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> list[tuple[float, float]]:
        self._stop_event.set()
        self.join()
        return self.samples


def covered_seconds(intervals: Iterable[Interval]) -> float:
    """Wall time the intervals cover (their union: dbt threads and nested timings overlap)."""
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def peak_within(samples: list[tuple[float, float]], intervals: Iterable[Interval]) -> float:
    """The largest sample taken within any of the intervals (0 when none fell inside)."""
    spans = sorted(intervals)
    return round(max((mib for t, mib in samples if any(a <= t <= b for a, b in spans)), default=0.0), 1)


def _env(data: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ZHONGTAI_DATA_DIR": str(data),
        "ZHONGTAI_SANDBOX_PORT": str(port),
        "ZHONGTAI_ONEWINDOW_URL": f"http://127.0.0.1:{port}",
        "DO_NOT_TRACK": "1",
    }


def _sandbox(env: dict[str, str]) -> Any:
    from zhongtai import processes

    port = int(env["ZHONGTAI_SANDBOX_PORT"])
    return processes.start(
        "sandbox", [str(BIN / "zhongtai"), "sandbox", "serve"], url="", host="127.0.0.1", port=port, env=env
    )


def run_phase(name: str, data: Path, env: dict[str, str], *, upstream: bool) -> dict[str, Any]:
    """One run in a child process, sampled; its stages."""
    from zhongtai import processes

    events_path = data / "bench-events" / f"{name}.jsonl"
    events_path.parent.mkdir(exist_ok=True)
    events_path.unlink(missing_ok=True)
    server = _sandbox(env) if upstream else None
    load_at_start = os.getloadavg()
    started = time.time()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.pipeline", "--child", str(events_path)],
            env={**env, **({} if upstream else {"ZHONGTAI_FROM_LANDING": "1"})},
            cwd=Path(__file__).resolve().parent.parent,
        )
        sampler = Sampler(child.pid)
        sampler.start()
        code = child.wait()
        samples = sampler.stop()
    finally:
        if server is not None:
            processes.stop([server])
    ended = time.time()
    events = [json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines()]
    phase = stages(events, samples, dbt_results(data, started))
    return {
        "phase": name,
        "exit_code": code,
        "seconds": round(ended - started, 1),
        "peak_rss_mib": round(max((m for _t, m in samples), default=0.0), 1),
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        **phase,
    }


def dbt_results(data: Path, since: float) -> list[dict[str, Any]]:
    """Every node result of the dbt invocations that ended after `since` (dagster-dbt writes one target folder each)."""
    from orchestration.dbt import project_dir
    from zhongtai.settings import Settings

    nodes = []
    for path in (project_dir(Settings(data_dir=data)) / "target").glob("*/run_results.json"):
        if path.stat().st_mtime >= since:
            nodes.extend(json.loads(path.read_text())["results"])
    return nodes


def _layer(node: dict[str, Any]) -> str:
    kind = node["unique_id"].split(".")[0]
    if kind in ("test", "unit_test"):
        return "dbt tests"
    relation = (node.get("relation_name") or "").replace('"', "").split(".")
    return f"dbt {relation[-2]}" if len(relation) >= 2 else f"dbt {kind}"


def _node_interval(node: dict[str, Any]) -> Interval | None:
    import datetime as dt

    timing = [t for t in node.get("timing") or [] if t.get("started_at") and t.get("completed_at")]
    if not timing:
        return None

    def stamp(text: str) -> float:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=dt.UTC).timestamp()

    return stamp(timing[0]["started_at"]), stamp(timing[-1]["completed_at"])


def _stage_of_step(step: str) -> str:
    if step.startswith("ingest_"):
        return "ingest steps"
    if step.startswith("gx_"):
        return "quality checks (marts)" if step == "gx_marts" else "quality checks (raw)"
    if step.startswith("dbt_"):
        return f"{step} (whole step)"
    if "publish" in step:
        return "publish (whole step)"
    return step


def stages(
    events: list[dict[str, Any]], samples: list[tuple[float, float]], dbt: list[dict[str, Any]]
) -> dict[str, Any]:
    """Seconds, peak RSS and rows per stage: Dagster steps by kind, land / load / publish writers from the inside,
    dbt by layer from run_results.json, and the slowest dbt models."""
    groups: dict[str, dict[str, Any]] = {}

    def add(stage: str, interval: Interval, rows: int | None = None) -> None:
        g = groups.setdefault(stage, {"intervals": [], "rows": None})
        g["intervals"].append(interval)
        if rows is not None:
            g["rows"] = (g["rows"] or 0) + rows

    open_steps: dict[str, float] = {}
    for e in events:
        kind = e["kind"]
        if kind == "STEP_START":
            open_steps[e["what"]] = e["t"]
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and e["what"] in open_steps:
            add(_stage_of_step(e["what"]), (open_steps.pop(e["what"]), e["t"]))
        elif kind == "land":
            add("land", (e["start"], e["t"]))
        elif kind == "load":
            add("load raw", (e["start"], e["t"]), e.get("rows"))
        elif kind == "publish":
            add(f"publish: {e['what']}", (e["start"], e["t"]))
    models = []
    for node in dbt:
        interval = _node_interval(node)
        if interval is None:
            continue
        add(_layer(node), interval)
        models.append(
            {"node": node["unique_id"], "status": node["status"], "seconds": round(node["execution_time"], 2)}
        )
    out = {}
    for stage, g in sorted(groups.items(), key=lambda kv: min(a for a, _b in kv[1]["intervals"])):
        seconds = covered_seconds(g["intervals"])
        out[stage] = {
            "seconds": round(seconds, 2),
            "count": len(g["intervals"]),
            "peak_rss_mib": peak_within(samples, g["intervals"]),
            **(
                {"rows": g["rows"], "rows_per_second": round(g["rows"] / seconds) if seconds else None}
                if g["rows"]
                else {}
            ),
        }
    end = next((e for e in events if e["kind"] == "CHILD_END"), {})
    return {
        "success": end.get("success"),
        "failed_steps": end.get("failed_steps"),
        "failed_checks": end.get("failed_checks"),
        "stages": out,
        "slowest_dbt_nodes": sorted(models, key=lambda m: -m["seconds"])[:15],
    }


def _generate(data: Path, scale: str, env: dict[str, str]) -> float | None:
    if (data / "sandbox").exists():
        return None
    started = time.monotonic()
    subprocess.run([str(BIN / "zhongtai"), "sandbox", "generate", "--scale", scale], env=env, check=True)
    return round(time.monotonic() - started, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline")
    parser.add_argument("--scale", default="district", choices=["tiny", "small", "district"])
    parser.add_argument("--data-dir", type=Path, default=None, help="default: bench/.cache/pipeline-<scale>")
    parser.add_argument("--port", type=int, default=18765, help="the sandbox's one-window API")
    parser.add_argument("--phases", default="first,rebuild,refresh")
    parser.add_argument("--label", default=None, help="results file suffix (default: the scale)")
    parser.add_argument("--markdown", type=Path, nargs="+", help="print a README table of these result files")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        sys.exit(_child(args.child))
    if args.markdown:
        print(
            markdown([{**json.loads(p.read_text()), "label": p.stem.removeprefix("pipeline_")} for p in args.markdown])
        )
        return

    data = (args.data_dir or CACHE / f"pipeline-{args.scale}").resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = _env(data, args.port)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=False)
    result: dict[str, Any] = {
        "scale": args.scale,
        "commit": commit.stdout.strip(),
        "cores": os.cpu_count(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "generate_seconds": _generate(data, args.scale, env),
        "phases": {},
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"pipeline_{args.label or args.scale}.json"
    # phases run in separate invocations add to the same file; each phase keeps the commit it ran
    if path.exists():
        result = {**result, "phases": json.loads(path.read_text())["phases"]}
    for name in [p for p in args.phases.split(",") if p]:
        print(f"== pipeline {args.scale}: {name}", flush=True)
        if name == "rebuild":
            from orchestration.ingestion.replay import set_warehouse_aside
            from zhongtai.settings import Settings

            set_warehouse_aside(Settings(data_dir=data))
        if name == "refresh":
            subprocess.run([str(BIN / "zhongtai"), "sandbox", "advance", "--days", "1"], env=env, check=True)
        phase = run_phase(name, data, env, upstream=name != "rebuild")
        result["phases"][name] = {"commit": result["commit"], **phase}
        print(_table(phase), flush=True)
        _write(path, result)
    print(f"wrote {path}")


def _write(path: Path, result: dict[str, Any]) -> None:
    done = result["phases"]
    result["full_seconds"] = done.get("rebuild", {}).get("seconds")
    result["incremental_seconds"] = done.get("refresh", {}).get("seconds")
    result["peak_rss_mib"] = max((p["peak_rss_mib"] for p in done.values()), default=None)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def markdown(results: list[dict[str, Any]]) -> str:
    """A README table: one row per stage, a seconds / peak-MiB column per phase of each result file."""
    columns = [(r.get("label") or r["scale"], name, phase) for r in results for name, phase in r["phases"].items()]
    stage_names = list(dict.fromkeys(stage for _l, _n, p in columns for stage in p["stages"]))
    head = "| stage | " + " | ".join(f"{label} {name}" for label, name, _p in columns) + " |"
    lines = [head, "| --- |" + " --- |" * len(columns)]
    for stage in stage_names:
        cells = []
        for _l, _n, p in columns:
            s = p["stages"].get(stage)
            cells.append(f"{s['seconds']:.1f} s · {s['peak_rss_mib']:,.0f} MiB" if s else "")
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    whole = [f"**{p['seconds']:.0f} s · {p['peak_rss_mib']:,.0f} MiB**" for _l, _n, p in columns]
    lines.append("| whole run | " + " | ".join(whole) + " |")
    load = [f"{p['load_average_at_start'][0]:.0f}" for _l, _n, p in columns]
    lines.append("| load average at start | " + " | ".join(load) + " |")
    return "\n".join(lines)


def _table(phase: dict[str, Any]) -> str:
    lines = [
        f"{phase['phase']}: {phase['seconds']} s, peak {phase['peak_rss_mib']} MiB, "
        f"load {phase['load_average_at_start']}"
    ]
    for stage, s in phase["stages"].items():
        rows = f", {s['rows']} rows ({s['rows_per_second']}/s)" if "rows" in s else ""
        lines.append(f"  {stage:<36} {s['seconds']:>9.1f} s  {s['peak_rss_mib']:>8.0f} MiB{rows}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Form-item matching benchmark: zhongtai's matcher against two plain baselines on the sandbox's historical forms.

`python -m bench.forms [--manifest dbt_project/target/manifest.json] [--seed 20141101] [--count 500]`

All three read the same templates (catalog/forms/template.py) and know the same names — the data-element
dictionary's names and the catalog's field titles, each pointing at its mart field or aggregate:

- exact: the label as written equals a name;
- rapidfuzz: the name with the best `fuzz.WRatio` to the label as written, if ≥ 80;
- zhongtai: catalog/forms (normalisation, traditional → simplified, units, fillers, jieba, pinyin, scope of the form,
  representation terms, age bands, unit dimensions, checks on sample values).

Scored per item against the sandbox's ground truth (precision, recall, F1, and the wrong matches counted).
Results: bench/results/forms.json. Without --manifest, `dbt parse` writes one under bench/.cache.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from catalog.datasets import load_datasets
from catalog.forms import Matcher, read_template
from catalog.forms.evaluate import Target, score, target_key
from sandbox import DEFAULT_SEED
from sandbox.forms import generate_forms

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _manifest() -> Path:
    cache = ROOT / "bench" / ".cache" / "dbt"
    target = cache / "target" / "manifest.json"
    if not target.exists():
        dbt = Path(sys.executable).parent / "dbt"
        project = ROOT / "dbt_project"
        env = {"ZHONGTAI_WAREHOUSE_PATH": str(cache / "w.duckdb"), "ZHONGTAI_KEY_SECRET": "bench", "DO_NOT_TRACK": "1"}
        command = [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project)]
        command += ["--target-path", str(cache / "target"), "--log-path", str(cache / "logs")]
        subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True)
    return target


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.forms")
    parser.add_argument("--manifest", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args(argv)
    matcher = Matcher(load_datasets(args.manifest or _manifest()))
    # the names every method knows: the dictionary's (with catalog titles) and where each points
    names: dict[str, Target] = {}
    for e in matcher.elements:
        for n in e.names:
            names.setdefault(n, target_key(e.dataset, e.target))
    choices = list(names)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        generate_forms(root, root / "truth", args.seed, args.count)
        generated = time.perf_counter() - started
        truth = json.loads((root / "truth" / "forms.json").read_text(encoding="utf-8"))
        templates = [read_template(root / "forms" / f["file"]) for f in truth]
        runs: dict[str, list[tuple[str, Target, Target]]] = {"exact": [], "rapidfuzz": [], "zhongtai": []}
        seconds: dict[str, float] = {}
        for method in runs:
            started = time.perf_counter()
            for form, template in zip(truth, templates, strict=True):
                if method == "zhongtai":
                    predicted = [target_key(m.dataset, m.field) for m in matcher.match_template(template)]
                elif method == "exact":
                    predicted = [names.get(i.label.strip()) for i in template.items]
                else:
                    best = [process.extractOne(i.label, choices, scorer=fuzz.WRatio) for i in template.items]
                    predicted = [names[b[0]] if b and b[1] >= 80 else None for b in best]
                for item, p in zip(form["items"], predicted, strict=True):
                    runs[method].append((item["label"], target_key(item["dataset"], item["field"]), p))
            seconds[method] = round(time.perf_counter() - started, 2)
    results: dict[str, Any] = {
        "seed": args.seed,
        "forms": len(truth),
        "items": len(runs["zhongtai"]),
        "generate_seconds": round(generated, 2),
        "methods": {},
    }
    print(f"{len(truth)} forms, {results['items']} items (generated in {generated:.1f}s)")
    print(f"{'method':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'wrong':>6} {'seconds':>8}")
    for method, pairs in runs.items():
        r = score(pairs)
        r["seconds"] = seconds[method]
        r["wrong_distinct"] = len(r["wrong"])
        r["wrong"] = [{"what": w, "count": c} for w, c in r["wrong"][:50]]  # the 50 most frequent
        results["methods"][method] = r
        wrong, took = r["false_positives"] + r["false_negatives"], seconds[method]
        print(f"{method:<10} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1']:>6.3f} {wrong:>6} {took:>8.2f}")
    for method in runs:
        print(f"\n-- {method}: the most frequent wrong matches")
        for w in results["methods"][method]["wrong"][:12]:
            print(f"  {w['count']:>3} × {w['what']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "forms.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()

"""`python -m bench` runs the benchmarks asked for, in order; those that read a warehouse are skipped, saying so,
without one; an unknown name is refused before anything runs."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.__main__ import main


def test_benchmarks_on_a_warehouse_are_skipped_without_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--only", "rosters,resolution", "--data-dir", str(tmp_path)])
    warehouse = tmp_path / "warehouse" / "zhongtai.duckdb"
    assert capsys.readouterr().out.splitlines() == [
        f"== resolution: skipped, no warehouse at {warehouse} (run `zhongtai run` first, or --data-dir)",
        f"== rosters: skipped, no warehouse at {warehouse} (run `zhongtai run` first, or --data-dir)",
    ]


def test_each_benchmark_gets_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "zhongtai.duckdb").touch()
    calls: list[tuple[str, list[str]]] = []
    for name in ("rosters", "serving"):  # recorders in place of the benchmarks, which take minutes
        monkeypatch.setitem(sys.modules, f"bench.{name}", SimpleNamespace(main=partial(_called, calls, name)))
    main(["--only", "rosters,serving", "--data-dir", str(tmp_path), "--scale", "tiny"])
    assert calls == [("serving", []), ("rosters", ["--data-dir", str(tmp_path), "--label", "tiny"])]
    assert capsys.readouterr().out.splitlines() == ["== serving", f"== rosters ({tmp_path})"]


def _called(calls: list[tuple[str, list[str]]], name: str, argv: list[str]) -> None:
    calls.append((name, argv))


def test_an_unknown_benchmark_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "loading,speed"])
    assert exit_.value.code == 2
    assert "no such benchmark: speed (choose from loading, connectors, resolution, pipeline, serving, rosters)" in (
        capsys.readouterr().err
    )

"""The golden records' history as ordinary models (dbt_project/macros/history.sql), run by hand over five runs on
DuckDB and on local Spark: the same versions and intervals on both engines, and the ones a type-2 history means.

A throwaway project holds the real macros and three models: `records`, whose rows each run rewrites by hand (a
change, a NULL that stays NULL, a NULL that gets a value, a record that goes and comes back, a change in a column
that is not checked), and the versions log and the intervals built from it, as the project's history models are.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from orchestration.dbt import dbt_env_for
from tests.support.dbt import throwaway_project
from tests.support.spark import dbt_in_process, local_spark, spark_profile

pytestmark = pytest.mark.integration

CHECKED = ["name", "birth_date", "address"]

# a record: (name, birth_date, address); each run also writes `seen`, the run's number, a column not checked
A1, A2 = ("张三", "1980-01-01", "祖庙路1号"), ("张三", "1980-01-01", "祖庙路9号")
B1, B2 = ("李四", None, None), ("李四", None, "南庄路4号")
C, D = ("王五", "1990-05-05", "石湾路2号"), ("赵六", "2000-02-29", "张槎路3号")
RUNS: list[dict[str, tuple[str, str | None, str | None]]] = [
    {"A": A1, "B": B1, "C": C},
    # A moves, B's NULLs stay NULL, C is seen again (unchecked column only), D is new
    {"A": A2, "B": B1, "C": C, "D": D},
    # C is gone; B gets an address
    {"A": A2, "B": B2, "D": D},
    # C comes back as it was
    {"A": A2, "B": B2, "C": C, "D": D},
    # nothing checked changes
    {"A": A2, "B": B2, "C": C, "D": D},
]


def literal(value: str | None, kind: str = "string") -> str:
    if value is None:
        return f"cast(null as {kind})"
    return f"cast('{value}' as {kind})"


def records_sql(seen: int, run: dict[str, tuple[str, str | None, str | None]]) -> str:
    rows = [
        f"select '{key}' as person_key, {literal(name)} as name, {literal(birth, 'date')} as birth_date, "
        f"{literal(address)} as address, {seen} as seen"
        for key, (name, birth, address) in sorted(run.items())
    ]
    return "\nunion all\n".join(rows) + "\n"


def write_project(root: Path) -> Path:
    project = throwaway_project(root, "history_check")
    (project / "models" / "person_versions.sql").write_text(
        "{{ config(materialized='incremental', incremental_strategy='append') }}\n"
        f"{{{{ type2_versions(ref('records'), 'person_key', {CHECKED}) }}}}\n"
    )
    (project / "models" / "person_history.sql").write_text(
        "{{ type2_intervals(ref('person_versions'), 'person_key') }}\n"
    )
    return project


def dbt_args(command: str, project: Path, profiles: Path, work: Path) -> list[str]:
    return [
        command, "--project-dir", str(project), "--profiles-dir", str(profiles),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip


Rows = list[dict[str, Any]]


def dbt_on_duckdb(root: Path, *args: str) -> str:
    """dbt with `args` in the throwaway project under root, on its DuckDB warehouse; its standard output."""
    command = [str(Path(sys.executable).with_name("dbt")), *args]
    env = os.environ | dbt_env_for(root / "warehouse.duckdb", "s")
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result.stdout


def runs_on_duckdb(root: Path) -> tuple[Rows, Rows]:
    project = write_project(root)
    (root / "profiles.yml").write_text(yaml.safe_dump({"history_check": {"target": "duckdb", "outputs": {
        "duckdb": {"type": "duckdb", "path": str(root / "warehouse.duckdb"), "schema": "main", "threads": 1},
    }}}))  # fmt: skip
    for seen, run in enumerate(RUNS, start=1):
        (project / "models" / "records.sql").write_text(records_sql(seen, run))
        dbt_on_duckdb(root, *dbt_args("run", project, root, root))
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return tuple(  # type: ignore[return-value]
            [dict(zip([d[0] for d in c.description], r, strict=True)) for r in c.fetchall()]
            for c in (
                con.execute(f"select * from main.{table} order by person_key, valid_from")
                for table in ("person_versions", "person_history")
            )
        )


@pytest.fixture(scope="module")
def duckdb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("history_duckdb")


@pytest.fixture(scope="module")
def duckdb_history(duckdb_root: Path) -> tuple[Rows, Rows]:
    return runs_on_duckdb(duckdb_root)


@pytest.fixture(scope="module")
def spark_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Rows, Rows]]:
    root = tmp_path_factory.mktemp("history_spark")
    project = write_project(root)
    (root / "profiles.yml").write_text(yaml.safe_dump(spark_profile("history_check", "history_check")))
    with local_spark(root) as spark:
        for seen, run in enumerate(RUNS, start=1):
            (project / "models" / "records.sql").write_text(records_sql(seen, run))
            dbt_in_process(dbt_args("run", project, root, root))
        yield tuple(  # type: ignore[misc]
            [r.asDict() for r in spark.table(f"history_check.{t}").orderBy("person_key", "valid_from").collect()]
            for t in ("person_versions", "person_history")
        )


def without_times(rows: Rows) -> list[tuple[Any, ...]]:
    """The rows as tuples, each time replaced by its rank among all the times (the engines' clocks differ)."""
    times = sorted({v for r in rows for k, v in r.items() if k.startswith("valid_") and v is not None})
    return [
        tuple(times.index(v) if k.startswith("valid_") and v is not None else v for k, v in r.items()) for r in rows
    ]


def test_versions_and_intervals_are_a_type_2_history(duckdb_history: tuple[Rows, Rows]) -> None:
    versions, history = duckdb_history
    # the log: 3 first versions; A's move and new D; C's tombstone and B's address; C back; nothing in the fifth run
    stamps = sorted({v["valid_from"] for v in versions})
    assert len(stamps) == 4
    logged = [(v["person_key"], stamps.index(v["valid_from"]), v["is_deleted"], v["seen"]) for v in versions]
    assert logged == [
        ("A", 0, False, 1), ("A", 1, False, 2),
        ("B", 0, False, 1), ("B", 2, False, 3),
        ("C", 0, False, 1), ("C", 2, True, 1), ("C", 3, False, 4),
        ("D", 1, False, 2),
    ]  # fmt: skip
    # the intervals: no tombstones; each closed by the next version (C's by its tombstone); current ones open
    spans = [
        (h["person_key"], h["address"], stamps.index(h["valid_from"]), h["valid_to"] and stamps.index(h["valid_to"]))
        for h in history
    ]
    assert spans == [
        ("A", "祖庙路1号", 0, 1), ("A", "祖庙路9号", 1, None),
        ("B", None, 0, 2), ("B", "南庄路4号", 2, None),
        ("C", "石湾路2号", 0, 2), ("C", "石湾路2号", 3, None),
        ("D", "张槎路3号", 1, None),
    ]  # fmt: skip
    assert [h["birth_date"] for h in history if h["person_key"] == "D"] == [dt.date(2000, 2, 29)]
    assert "is_deleted" not in history[0] and list(history[0])[-2:] == ["valid_from", "valid_to"]


def test_as_of_between_a_deletion_and_a_return_finds_nobody(
    duckdb_history: tuple[Rows, Rows], duckdb_root: Path
) -> None:
    _, history = duckdb_history
    stamps = sorted({h["valid_from"] for h in history} | {h["valid_to"] for h in history if h["valid_to"]})
    gone = stamps[2] + (stamps[3] - stamps[2]) / 2
    # the macro itself, run by dbt show over the history the five runs built
    query = f"""select person_key, address from {{{{ as_of('person_history', "timestamp '{gone}'") }}}}"""
    show = dbt_args("show", duckdb_root / "project", duckdb_root, duckdb_root)
    shown = dbt_on_duckdb(duckdb_root, "--quiet", *show, "--inline", query, "--output", "json", "--limit", "-1")
    current = {row["person_key"]: row["address"] for row in json.loads(shown)["show"]}
    assert current == {"A": "祖庙路9号", "B": "南庄路4号", "D": "张槎路3号"}


def test_spark_builds_the_same_history(duckdb_history: tuple[Rows, Rows], spark_history: tuple[Rows, Rows]) -> None:
    for duck, spark in zip(duckdb_history, spark_history, strict=True):
        assert [list(r) for r in duck] == [list(r) for r in spark]
        assert without_times(duck) == without_times(spark)

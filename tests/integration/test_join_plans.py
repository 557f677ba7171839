"""No model joins its tables row by row, read two ways from the SQL the `tiny` run compiled.

A join condition DuckDB cannot hash — a condition on the left side only in a left join's ON, an `or`, an
inequality — makes it compare every row with every row. At `tiny` that costs nothing; at the district it is
quadratic: `int_credit_records` (records to xrefs, `records.subject_type = 'person'` in the ON) ran for more than
eight minutes, `person_residence` (`grid_register.source_id is not null` in the ON) for more than five, and
`locate_in_grid`'s `or` once took `person_residence` to 497 s at `small`.

- Statically (sqlglot): every condition in a left join's ON names the table it joins. A condition on the left
  side alone cannot be pushed below the join, so it stays in the join's condition; whether DuckDB then hashes or
  loops depends on the tables' sizes, and at `tiny` it hashed `person_residence`'s.
- By plan: DuckDB's EXPLAIN (nothing runs) of every model on the run's own warehouse has no nested-loop, blockwise,
  piecewise-merge or inequality join and no cross product, but where the table below allows it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import expressions as exp

from orchestration.dbt import project_dir
from tests.support.pipeline import FirstRun
from zhongtai.sql import quote_literal

pytestmark = pytest.mark.integration

ROW_BY_ROW = re.compile(r"NESTED_LOOP_JOIN|BLOCKWISE_NL_JOIN|PIECEWISE_MERGE_JOIN|IE_JOIN|CROSS_PRODUCT")

# joins of a handful of seed rows, which stay a handful at any scale
ALLOWED = {
    "credit_profile": "the grade of each score: a lookup in seed credit_grades (four rows)",
    "village_verification": "the district's own scope beside its villages: seed admin_divisions joined to itself",
}


def compiled_models(run: FirstRun) -> list[Path]:
    assert run.run.returncode == 0, run.run.stdout[-3000:] + run.run.stderr[-3000:]
    compiled = sorted(project_dir(run.settings).glob("target/*/compiled/zhongtai/models/**/*.sql"))
    assert len(compiled) > 80
    return compiled


def one_sided_conditions(sql: str) -> list[str]:
    """The conditions of outer joins' ONs that do not name the table joined (`a.x = 'k'` in `left join b on ...`)."""
    found = []
    for join in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Join):
        on = join.args.get("on")
        if on is None or (join.side or "").upper() not in ("LEFT", "RIGHT", "FULL"):
            continue
        joined = join.this.alias_or_name
        for condition in on.flatten() if isinstance(on, exp.And) else [on]:
            if joined not in {column.table for column in condition.find_all(exp.Column)}:
                found.append(f"{condition.sql(dialect='duckdb')} (joining {joined})")
    return found


def test_every_outer_join_condition_names_the_joined_table(tiny_run: FirstRun) -> None:
    one_sided = {path.stem: c for path in compiled_models(tiny_run) if (c := one_sided_conditions(path.read_text()))}
    assert not one_sided, f"conditions on one side only in a left join's ON (move them into the select): {one_sided}"


def test_the_lint_finds_what_it_looks_for() -> None:
    sql = "select * from a left join b on a.kind = 'x' and a.id = b.id left join c on c.id = a.id and c.kind = 'y'"
    assert one_sided_conditions(sql) == ["a.kind = 'x' (joining b)"]


def test_every_model_joins_by_hash(tiny_run: FirstRun) -> None:
    compiled = compiled_models(tiny_run)
    row_by_row = {}
    with duckdb.connect() as con:
        con.execute(f"attach {quote_literal(str(tiny_run.settings.warehouse_path))} as zhongtai (read_only)")
        con.execute("use zhongtai")
        for path in compiled:
            plan = con.execute("explain " + path.read_text(encoding="utf-8")).fetchall()[0][1]
            if (found := sorted(set(ROW_BY_ROW.findall(plan)))) and path.stem not in ALLOWED:
                row_by_row[path.stem] = found
    assert not row_by_row, f"models whose plans join row by row (make each join condition an equality): {row_by_row}"

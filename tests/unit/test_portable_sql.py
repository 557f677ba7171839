"""No model or macro writes SQL only DuckDB runs the same way: such SQL lives in dispatch macros (macros/portable/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.dbt_sources import assemble_project
from catalog.registry import load_registry

PORTABLE = Path("macros") / "portable"

# What DuckDB runs and Spark rejects, or answers differently (DESIGN.md §9, issue 15). Each entry: a name, the
# pattern that finds it, and a line that uses it (the test checks that the pattern finds that line).
ENGINE_SPECIFIC: list[tuple[str, str, str]] = [
    ("strftime", r"\bstrftime\s*\(", "strftime(reported_on, '%Y-%m')"),
    ("strptime", r"\bstrptime\s*\(", "strptime(raw_date, '%Y%m%d')"),
    ("regexp_full_match", r"\bregexp_full_match\s*\(", "where regexp_full_match(code, '[0-9]{6}')"),
    ("regexp_matches", r"\bregexp_matches\s*\(", "regexp_matches(name, '公司$')"),
    # first match only on DuckDB, every match on Spark; with 'g', NULL on Spark
    ("regexp_replace", r"\bregexp_replace\s*\(", "regexp_replace(phone, '[^0-9]', '', 'g')"),
    ("regexp_extract", r"\bregexp_extract\s*\(", "regexp_extract(address, '([0-9]+)号', 1)"),  # default group differs
    ("list functions", r"\b(list|array)_[a-z_]+\s*\(", "list_aggregate(codes, 'string_agg', ',')"),
    ("list()", r"\blist\s*\(", "list(person_key order by role)"),
    ("* exclude / * replace", r"\*\s*(exclude|replace)\b", "select * exclude (_line) from raw"),
    ("string_agg", r"\b(string_agg|group_concat)\s*\(", "string_agg(name, ',' order by name)"),
    (":: cast", r"::", "person_key::varchar"),
    ("date_diff", r"\bdate_diff\s*\(", "date_diff('year', birth_date, current_date)"),
    ("datediff (not dbt's)", r"(?<!dbt\.)\bdatediff\s*\(", "datediff('day', reported_on, closed_on)"),
    ("sha256", r"\bsha256\s*\(", "sha256(id_number)"),
    ("chr", r"\bchr\s*\(", "replace(name, chr(12288), '')"),  # Spark takes the code point modulo 256
    # DuckDB takes off every Unicode space (no-break, ideographic …), Spark the ASCII space only
    ("trim", r"\b[lr]?trim\s*\(", "nullif(trim(name), '')"),
    ("unnest", r"\bunnest\s*\(", "select unnest(codes) as code"),
    ("qualify", r"\bqualify\b", "qualify row_number() over (partition by key order by _line desc) = 1"),
    ("group by all / order by all", r"\b(group|order)\s+by\s+all\b", "group by all"),
    ("union by name", r"\bunion\s+(all\s+)?by\s+name\b", "union all by name"),
    # Spark's parser rejects both
    ("at time zone", r"\bat\s+time\s+zone\b", "cast(reported_at at time zone 'Asia/Shanghai' as date)"),
    ("with time zone", r"\bwith\s+time\s+zone\b", "cast(_received_at as timestamp with time zone)"),
]

COMMENTS = re.compile(r"\{#.*?#\}|--[^\n]*", re.DOTALL)


def findings(sql: str) -> list[str]:
    """The engine-specific constructs `sql` uses (SQL and Jinja comments left out)."""
    code = COMMENTS.sub("", sql)
    return [name for name, pattern, _ in ENGINE_SPECIFIC if re.search(pattern, code, re.IGNORECASE)]


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dbt project as a run assembles it: dbt_project/ plus the models generated from the registry."""
    project, _ = assemble_project(load_registry(), tmp_path_factory.mktemp("portable_sql"))
    return project


def test_models_and_macros_use_only_portable_sql(assembled: Path) -> None:
    files = [
        path
        for folder in ("models", "macros", "tests", "snapshots")
        for path in sorted((assembled / folder).rglob("*.sql"))
        if not path.relative_to(assembled).is_relative_to(PORTABLE)
    ]
    assert len(files) > 70
    assert any("_registry" in path.parts for path in files)  # the generated models are checked too
    found = {str(path.relative_to(assembled)): names for path in files if (names := findings(path.read_text()))}
    assert not found, f"engine-specific SQL outside {PORTABLE}/ (write a dispatch macro there): {found}"


def test_the_portable_macros_dispatch_per_engine(assembled: Path) -> None:
    macros = sorted((assembled / PORTABLE).glob("*.sql"))
    assert macros
    for path in macros:
        text = path.read_text()
        name = path.stem
        assert f"adapter.dispatch('{name}')" in text, path
        assert re.search(rf"macro (duckdb|default)__{name}\(", text), f"{path}: no DuckDB implementation"
        assert f"macro spark__{name}(" in text, f"{path}: no Spark implementation"


@pytest.mark.parametrize(("name", "sample"), [(name, sample) for name, _, sample in ENGINE_SPECIFIC])
def test_each_construct_is_found(name: str, sample: str) -> None:
    assert name in findings(f"select\n    a,\n    {sample} as b\nfrom t\n")
    assert name not in findings(f"select a -- {sample}\nfrom t\n{{# {sample} #}}\n")


def test_portable_spellings_pass() -> None:
    sql = """
    select
        {{ dbt.datediff('reported_on', 'closed_on', 'day') }} as days,
        {{ sha256_hex('v') }} as hashed,
        {{ regex_remove_suffix('address', '[0-9]+房') }} as building,
        {{ trim_spaces('name') }} as name,
        cast(x as {{ dbt.type_string() }}) as text,
        list_kind,
        count(*) as n
    from t
    """
    assert findings(sql) == []

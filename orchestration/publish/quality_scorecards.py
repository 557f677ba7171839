"""Quality scorecards in the analyst database: per source entity and per delivery, from the warehouse's bookkeeping.

Rows delivered, loaded and quarantined by reason (`raw._deliveries`, `raw._quarantine`); completeness and validity of
each canonical field and duplicate keys (the raw tables, per `_delivery_id`); freshness against the registry's
`freshness_hours`; the Great Expectations results of each source's suites (`quality.suite_results`).

Computed at publish rather than in a dbt mart: the GX results are written by the asset checks that run after dbt's
build, and the fields, their canonical attributes and `freshness_hours` are the registry's (Python, `catalog`), so
only publish sees all three at once. No cell holds a value as delivered: reasons are codes, GX results are counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from catalog.registry import Registry, load_registry, registry_dirs
from orchestration.publish.context import WAREHOUSE, PublishContext
from quality.suites import ID_PATTERNS
from zhongtai import bookkeeping
from zhongtai.sql import qualified, quote_identifier, quote_literal

# A canonical field is checked for validity where the platform has a rule for it: the identifier patterns of the GX
# validity suites, a mainland mobile or a landline number, a 12-digit village code of the district.
VALIDITY_PATTERNS = {
    **ID_PATTERNS,
    "phone": r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    "village_code": r"^440604\d{6}$",
}
# shares are published rounded to six places: a float's long run of digits reads like an ID number to the scanner
TABLES = ("quality_source", "quality_delivery", "quality_field", "quality_quarantine", "quality_check")
LOCAL = "Asia/Shanghai"


def _in(database: str, name: str) -> str:
    return qualified(database, *name.split("."))


def _local(expr: str) -> str:
    return f"strftime({expr} at time zone '{LOCAL}', '%Y-%m-%d %H:%M:%S')"


def _field_rows(con: duckdb.DuckDBPyConnection, registry: Registry, wh: str) -> None:
    """`_qf`: per delivery and canonical field, rows, filled and valid cells; `_qk`: duplicate keys per delivery.

    One scan per raw table: every field's counts are one struct in a list, unnested per delivery afterwards."""
    con.execute(
        "create or replace temp table _qf (delivery_id varchar, field varchar, canonical varchar, rows bigint, "
        "filled bigint, checked boolean, valid bigint)"
    )
    con.execute("create or replace temp table _qk (delivery_id varchar, duplicate_keys bigint)")
    q, lit = quote_identifier, quote_literal
    loaded = bookkeeping.tables_in(con, "raw", wh)
    for source in registry:
        for entity in source.entities:
            if source.raw_table(entity.name) not in loaded:
                continue
            cards = []
            for f in (f for f in entity.fields if f.canonical):
                text = f"nullif(trim(cast({q(f.name)} as varchar)), '')"
                pattern = VALIDITY_PATTERNS.get(f.canonical)
                valid = f"count(*) filter (where regexp_matches({text}, {lit(pattern)}))" if pattern else "0"
                cards.append(
                    f"{{'field': {lit(f.name)}, 'canonical': {lit(f.canonical)}, 'filled': count({text}), "
                    f"'checked': {'true' if pattern else 'false'}, 'valid': cast({valid} as bigint)}}"
                )
            key = ", ".join(f"coalesce(cast({q(k)} as varchar), '')" for k in entity.primary_key)
            con.execute(f"""
                create or replace temp table _qt as
                select _delivery_id, count(*) as n, count(*) - count(distinct concat_ws(chr(31), {key})) as dup,
                    {"[" + ", ".join(cards) + "]" if cards else "null"} as cards
                from {qualified(wh, "raw", source.raw_table(entity.name))} group by _delivery_id
            """)  # fmt: skip
            if cards:
                con.execute("""
                    insert into _qf select _delivery_id, c.field, c.canonical, n, c.filled, c.checked, c.valid
                    from (select _delivery_id, n, unnest(cards) as c from _qt)
                """)  # fmt: skip
            con.execute("insert into _qk select _delivery_id, dup from _qt")
    con.execute("drop table if exists _qt")


def _registry_table(con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    rows = [
        (s.id, e.name, s.title, e.title, s.owner_department, s.freshness_hours) for s in registry for e in s.entities
    ]
    con.execute(
        "create or replace temp table _qr (source_id varchar, entity varchar, source_title varchar, "
        "entity_title varchar, owner_department varchar, freshness_hours integer)"
    )
    if rows:
        con.executemany("insert into _qr values (?, ?, ?, ?, ?, ?)", rows)


def _checks_table(con: duckdb.DuckDBPyConnection, registry: Registry, wh: str) -> None:
    """`_qc`: each source entity's GX suites, by the names quality.suites gives them."""
    con.execute(
        "create or replace temp table _qc (suite varchar, source_id varchar, entity varchar, passed boolean, "
        "rows bigint, expectations bigint, failed_expectations bigint, validated_at timestamptz)"
    )
    if not bookkeeping.table_exists(con, bookkeeping.SUITE_RESULTS, wh):
        return
    names = {f"{s.raw_table(e.name)}_{kind}": (s.id, e.name) for s in registry for e in s.entities
             for kind in ("contract", "validity")}  # fmt: skip
    stored = con.execute(
        f"select suite, passed, rows, expectations, failures, validated_at from {_in(wh, bookkeeping.SUITE_RESULTS)}"
    ).fetchall()
    for suite, passed, rows, expectations, failures, validated_at in stored:
        if suite in names:
            failed = 0 if failures == "none" else len(failures.splitlines())
            con.execute(
                "insert into _qc values (?, ?, ?, ?, ?, ?, ?, ?)",
                [suite, *names[suite], passed, rows, expectations, failed, validated_at],
            )


def write_scorecards(con: duckdb.DuckDBPyConnection, registry: Registry, *, wh: str, out: str,
                     measured_at: dt.datetime) -> dict[str, int]:  # fmt: skip
    """Create the quality tables in the attached database `out` from the warehouse attached as `wh`; rows per table."""
    if not bookkeeping.table_exists(con, bookkeeping.DELIVERIES, wh):
        bookkeeping.ensure_ingestion_tables(con)
        deliveries, quarantine = bookkeeping.DELIVERIES, bookkeeping.QUARANTINE
    else:
        deliveries, quarantine = _in(wh, bookkeeping.DELIVERIES), _in(wh, bookkeeping.QUARANTINE)
    _registry_table(con, registry)
    _field_rows(con, registry, wh)
    _checks_table(con, registry, wh)
    at = quote_literal(measured_at.isoformat())
    con.execute(f"""
        create table {out}.quality_quarantine as
        select d.source_id, d.entity, r.owner_department, q.delivery_id, {_local("d.received_at")} as received_at,
            q.reason_code, q.column_name, count(*) as rows
        from {quarantine} as q
        join {deliveries} as d on q.delivery_id = d.delivery_id
        left join _qr as r on d.source_id = r.source_id and d.entity = r.entity
        group by all
        order by d.source_id, d.entity, received_at, rows desc, q.reason_code, q.column_name
    """)  # fmt: skip
    con.execute(f"""
        create table {out}.quality_field as
        select d.source_id, d.entity, r.owner_department, f.delivery_id, {_local("d.received_at")} as received_at,
            f.field, f.canonical, f.rows, f.filled, round(f.filled / nullif(f.rows, 0), 6) as completeness,
            case when f.checked then f.valid end as valid,
            case when f.checked then round(f.valid / nullif(f.filled, 0), 6) end as validity
        from _qf as f
        join {deliveries} as d on f.delivery_id = d.delivery_id
        left join _qr as r on d.source_id = r.source_id and d.entity = r.entity
        order by d.source_id, d.entity, received_at, f.field
    """)  # fmt: skip
    con.execute(f"""
        create temp table _qd as
        select d.source_id, d.entity, r.source_title, r.entity_title, r.owner_department, d.delivery_id,
            d.received_at, row_number() over (partition by d.source_id, d.entity order by d.received_at, d.delivery_id)
                as delivery_seq,
            d.status, d.error_code,
            coalesce(d.rows_delivered, 0) as rows_delivered, coalesce(d.rows_loaded, 0) as rows_loaded,
            coalesce(d.rows_quarantined, 0) as rows_quarantined,
            coalesce(d.rows_quarantined, 0) / nullif(coalesce(d.rows_delivered, 0), 0) as quarantine_rate,
            coalesce(k.duplicate_keys, 0) as duplicate_keys,
            (select sum(f.filled) / nullif(sum(f.rows), 0) from _qf as f where f.delivery_id = d.delivery_id)
                as completeness,
            (select sum(f.valid) / nullif(sum(f.filled), 0) from _qf as f
                where f.delivery_id = d.delivery_id and f.checked) as validity
        from {deliveries} as d
        left join _qr as r on d.source_id = r.source_id and d.entity = r.entity
        left join _qk as k on d.delivery_id = k.delivery_id
    """)  # fmt: skip
    con.execute(f"""
        create table {out}.quality_delivery as
        select source_id, entity, source_title, entity_title, owner_department, delivery_id,
            {_local("received_at")} as received_at, delivery_seq, status, error_code, rows_delivered, rows_loaded,
            rows_quarantined, round(quarantine_rate, 6) as quarantine_rate, duplicate_keys,
            round(completeness, 6) as completeness, round(validity, 6) as validity
        from _qd order by source_id, entity, delivery_seq
    """)  # fmt: skip
    con.execute(f"""
        create table {out}.quality_check as
        select c.suite, c.source_id, c.entity, r.owner_department, c.passed, c.rows, c.expectations,
            c.failed_expectations, {_local("c.validated_at")} as validated_at
        from _qc as c left join _qr as r on c.source_id = r.source_id and c.entity = r.entity
        order by c.source_id, c.entity, c.suite
    """)  # fmt: skip
    # one scorecard per registered source entity: totals over its deliveries, the latest delivery's figures, and a
    # score that orders a department's systems worst first (0-100; every shortfall multiplies it down)
    con.execute(f"""
        create table {out}.quality_source as
        with totals as (
            select source_id, entity, count(*) as deliveries, max(received_at) as last_received_at,
                -- DuckDB sums integers to HUGEINT, which SQLite would store as text
                cast(sum(rows_delivered) as bigint) as rows_delivered, cast(sum(rows_loaded) as bigint) as rows_loaded,
                cast(sum(rows_quarantined) as bigint) as rows_quarantined,
                count(*) filter (where status <> 'loaded') as deliveries_refused
            from _qd group by source_id, entity
        ),
        latest as (
            select source_id, entity, arg_max(duplicate_keys, delivery_seq) as duplicate_keys,
                arg_max(completeness, delivery_seq) as completeness, arg_max(validity, delivery_seq) as validity
            from _qd where status = 'loaded' group by source_id, entity
        ),
        checks as (
            select source_id, entity, count(*) as checks, count(*) filter (where not passed) as checks_failed
            from _qc group by source_id, entity
        ),
        card as (
            select r.source_id, r.entity, r.source_title, r.entity_title, r.owner_department, r.freshness_hours,
                coalesce(t.deliveries, 0) as deliveries, t.last_received_at,
                date_diff('second', t.last_received_at, cast({at} as timestamptz)) / 3600.0 as hours_since_delivery,
                coalesce(t.rows_delivered, 0) as rows_delivered, coalesce(t.rows_loaded, 0) as rows_loaded,
                coalesce(t.rows_quarantined, 0) as rows_quarantined, coalesce(t.deliveries_refused, 0)
                    as deliveries_refused,
                coalesce(t.rows_quarantined, 0) / nullif(coalesce(t.rows_delivered, 0), 0) as quarantine_rate,
                l.duplicate_keys, l.completeness, l.validity,
                coalesce(c.checks, 0) as checks, coalesce(c.checks_failed, 0) as checks_failed
            from _qr as r
            left join totals as t on r.source_id = t.source_id and r.entity = t.entity
            left join latest as l on r.source_id = l.source_id and r.entity = l.entity
            left join checks as c on r.source_id = c.source_id and r.entity = c.entity
        )
        select source_id, entity, source_title, entity_title, owner_department, deliveries,
            {_local("last_received_at")} as last_received_at, {_local(f"cast({at} as timestamptz)")} as measured_at,
            freshness_hours, round(hours_since_delivery, 2) as hours_since_delivery,
            coalesce(hours_since_delivery <= freshness_hours, false) as is_fresh,
            rows_delivered, rows_loaded, rows_quarantined, deliveries_refused, round(quarantine_rate, 6)
                as quarantine_rate, duplicate_keys, round(completeness, 6) as completeness,
            round(validity, 6) as validity, checks, checks_failed,
            round(100 * case when deliveries = 0 then 0 else
                (1 - coalesce(quarantine_rate, 0)) * coalesce(completeness, 1) * coalesce(validity, 1)
                * case when hours_since_delivery <= freshness_hours then 1 else 0.8 end
                * case when checks_failed > 0 then 0.9 else 1 end
                * case when coalesce(duplicate_keys, 0) > 0 then 0.95 else 1 end end, 1) as score
        from card
        order by owner_department, score, source_id, entity
    """)  # fmt: skip
    return {t: con.execute(f"select count(*) from {out}.{t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def write(context: PublishContext, out: str) -> None:
    """The scorecards into the database attached as `out`, measured at the publish's time; counts in the result."""
    registry = load_registry(*registry_dirs(context.settings.registry_dirs))
    measured_at = dt.datetime.fromisoformat(context.result.created_at)
    context.result.rows["quality"] = write_scorecards(context.con, registry, wh=WAREHOUSE, out=out,
                                                      measured_at=measured_at)  # fmt: skip


# Datasette's titles and descriptions of the tables above (they are the platform's own, not the catalog's marts)
METADATA = {
    "quality_source": (
        "数据源质量评分卡",
        "每个数据源实体一行：交付批次、交付/入库/隔离行数、最新批次的完整率、合法率和重复主键、"
        "相对登记时效（freshness_hours）的新鲜度、GX 检查结果和综合评分（0-100，越低越差）。",
    ),
    "quality_delivery": (
        "逐批交付质量",
        "每批交付一行：交付、入库、隔离行数，隔离率，重复主键数，规范字段完整率与合法率；"
        "delivery_seq 为该数据源实体的批次序号，用于看趋势。",
    ),
    "quality_field": (
        "规范字段质量",
        "每批交付的每个规范字段一行：非空数、完整率；有校验规则的字段另有合法数与合法率。",
    ),
    "quality_quarantine": ("隔离原因", "每批交付按隔离原因代码和字段汇总的隔离行数（不含原始值）。"),
    "quality_check": (
        "数据质量检查结果（GX）",
        "各数据源实体的 Great Expectations 检查套件最近一次结果：是否通过、校验行数、期望数和未通过的期望数。",
    ),
}


def describe(metadata: dict[str, Any], database: str = "analyst") -> None:
    """Add the quality tables' titles and descriptions to Datasette's metadata."""
    tables = metadata.setdefault("databases", {}).setdefault(database, {}).setdefault("tables", {})
    for table, (title, description) in METADATA.items():
        tables.setdefault(table, {}).update({"title": title, "description": description})

"""The warehouse's bookkeeping tables — deliveries, quarantine, resolution links, suite results — defined and
queried here and nowhere else.

Every other module asks this one: the loader records a delivery and its quarantined rows, replay forgets them,
the status line, the quality checks and publish read them, entity resolution writes its links. dbt reads
`resolution.*` as sources (dbt_project/models/intermediate/resolution/_resolution__sources.yml).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import duckdb

from zhongtai.sql import qualified

DELIVERIES = "raw._deliveries"
# per source entity, a digest of every delivery recorded for it; read by the checks and by dbt's incremental models
DELIVERY_FINGERPRINTS = "raw._delivery_fingerprints"
QUARANTINE = "raw._quarantine"
RESOLUTION = "resolution"  # the schema of entity resolution's tables
PERSON_LINKS = f"{RESOLUTION}.person_links"
ORG_LINKS = f"{RESOLUTION}.org_links"
PERSON_REVIEW_CASES = f"{RESOLUTION}.person_review_cases"  # the review queue with its evidence, for the steward page
CLERICAL_LABELS = f"{RESOLUTION}.clerical_labels"  # stewards' applied decisions: labels for `zhongtai resolution train`
SUITE_RESULTS = "quality.suite_results"

INGESTION_DDL = f"""
create schema if not exists raw;
create table if not exists {DELIVERIES} (
    delivery_id varchar primary key,
    source_id varchar not null,
    entity varchar not null,
    received_at timestamptz not null,
    sha256 varchar not null,
    file_name varchar,
    bytes bigint,
    rows_delivered bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    status varchar not null,          -- loaded | quarantined
    error_code varchar,               -- file-level reason when quarantined
    error varchar,
    schema_drift varchar,             -- JSON: extra and missing optional columns
    loaded_at timestamptz not null default current_timestamp
);
-- a new, replayed or quarantined delivery changes its entity's fingerprint (a replay records its delivery again,
-- with a new loaded_at)
create or replace view {DELIVERY_FINGERPRINTS} as
select source_id, entity, md5(string_agg(
    delivery_id || '|' || status || '|' || coalesce(cast(rows_loaded as varchar), '') || '|'
    || cast(loaded_at as varchar), ',' order by delivery_id)) as fingerprint
from {DELIVERIES}
group by source_id, entity;
create table if not exists {QUARANTINE} (
    delivery_id varchar not null,
    source_id varchar not null,
    entity varchar not null,
    line bigint,
    column_name varchar,
    reason_code varchar not null,
    reason varchar not null,
    record varchar,                   -- the row as delivered, JSON, so it can be replayed
    quarantined_at timestamptz not null default current_timestamp
);
"""

# The columns of the link tables, as dbt's resolution sources expect them.
PERSON_LINK_COLUMNS = """source_id varchar, entity varchar, record_id varchar, role varchar, decision varchar,
    id_number varchar, match_probability double, second_id_number varchar, second_probability double,
    resolved_at timestamptz"""
ORG_LINK_COLUMNS = """source_id varchar, entity varchar, record_id varchar, role varchar, uscc varchar,
    match_method varchar, match_probability double, resolved_at timestamptz"""

SUITE_RESULTS_DDL = f"""
create schema if not exists quality;
create table if not exists {SUITE_RESULTS} (
    suite varchar primary key,
    fingerprint varchar not null,     -- the suite's definition and the deliveries it was validated on
    passed boolean not null,
    rows bigint not null,
    expectations bigint not null,
    failures varchar not null,
    run_id varchar not null,          -- the run that validated it
    validated_at timestamptz not null
);
"""


class DeliveryRecord(Protocol):
    """What the bookkeeping needs of a landed delivery (orchestration.ingestion.landing.Delivery has it)."""

    @property
    def delivery_id(self) -> str: ...
    @property
    def source_id(self) -> str: ...
    @property
    def entity(self) -> str: ...
    @property
    def received_at(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def bytes(self) -> int: ...


def table_exists(con: duckdb.DuckDBPyConnection, name: str, database: str | None = None) -> bool:
    """Whether `schema.table` exists (in the attached `database`, when given)."""
    schema, table = name.split(".")
    return table in tables_in(con, schema, database)


def tables_in(con: duckdb.DuckDBPyConnection, schema: str, database: str | None = None) -> set[str]:
    """The tables of `schema` (in the attached `database`, when given)."""
    sql = "select table_name from duckdb_tables() where schema_name = ?"
    params = [schema]
    if database:
        sql += " and database_name = ?"
        params.append(database)
    return {name for (name,) in con.execute(sql, params).fetchall()}


def _in(name: str, database: str | None) -> str:
    return qualified(database, *name.split(".")) if database else qualified(*name.split("."))


# --------------------------------------------------------------------------------------------------------------------
# deliveries and quarantine


def ensure_ingestion_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(INGESTION_DDL)


def is_loaded(con: duckdb.DuckDBPyConnection, delivery_id: str) -> bool:
    return con.execute(f"select 1 from {DELIVERIES} where delivery_id = ?", [delivery_id]).fetchone() is not None


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    d: DeliveryRecord,
    *,
    delivered: int,
    loaded: int,
    quarantined: int,
    status: str,
    error_code: str | None = None,
    error: str | None = None,
    drift: str | None = None,
) -> None:
    """The delivery's row: what arrived, what was loaded and quarantined, and why a whole file was refused."""
    con.execute(
        f"""insert into {DELIVERIES} (delivery_id, source_id, entity, received_at, sha256, file_name, bytes,
               rows_delivered, rows_loaded, rows_quarantined, status, error_code, error, schema_drift)
           values (?, ?, ?, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            d.delivery_id,
            d.source_id,
            d.entity,
            d.received_at,
            d.sha256,
            d.file_name,
            d.bytes,
            delivered,
            loaded,
            quarantined,
            status,
            error_code,
            error,
            drift,
        ],
    )


def quarantine_typed_rows(con: duckdb.DuckDBPyConnection, d: DeliveryRecord, table: str) -> int:
    """Quarantine the rows of `table` whose `_error` ("column|reason_code|reason") is set, with `_line` and the
    row as delivered in `_record`; return how many."""
    return con.execute(
        f"""insert into {QUARANTINE} (delivery_id, source_id, entity, line, column_name, reason_code, reason, record)
           select ?, ?, ?, _line, split_part(_error, '|', 1), split_part(_error, '|', 2),
                  substr(_error, length(split_part(_error, '|', 1)) + length(split_part(_error, '|', 2)) + 3), _record
           from {table} where _error is not null order by _line""",
        [d.delivery_id, d.source_id, d.entity],
    ).fetchone()[0]  # type: ignore[index]


def quarantine_lines(
    con: duckdb.DuckDBPyConnection, d: DeliveryRecord, rejects: Iterable[tuple[int, str, str]]
) -> None:
    """Quarantine lines that did not parse at all: (line, reason code, reason) each."""
    rows = [[d.delivery_id, d.source_id, d.entity, line, code, reason] for line, code, reason in rejects]
    if rows:
        con.executemany(
            f"""insert into {QUARANTINE}
                   (delivery_id, source_id, entity, line, column_name, reason_code, reason, record)
               values (?, ?, ?, ?, null, ?, ?, null)""",
            rows,
        )


def forget_delivery(con: duckdb.DuckDBPyConnection, delivery_id: str) -> None:
    """Drop a delivery's bookkeeping (its quarantined rows and its delivery row), e.g. before it is replayed."""
    con.execute(f"delete from {QUARANTINE} where delivery_id = ?", [delivery_id])
    con.execute(f"delete from {DELIVERIES} where delivery_id = ?", [delivery_id])


def quarantined_deliveries(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(delivery_id, error_code, file name) of every delivery quarantined whole or with quarantined rows."""
    if not table_exists(con, DELIVERIES):
        return []
    return con.execute(
        f"""select delivery_id, coalesce(error_code, 'rows_quarantined'), file_name from {DELIVERIES}
           where status = 'quarantined' or rows_quarantined > 0 order by received_at"""
    ).fetchall()


def latest_deliveries(con: duckdb.DuckDBPyConnection, database: str | None = None) -> dict[str, str]:
    """source.entity → the latest loaded delivery id (in the attached `database`, when given)."""
    if not table_exists(con, DELIVERIES, database):
        return {}
    rows = con.execute(
        f"select source_id || '.' || entity, arg_max(delivery_id, received_at) from {_in(DELIVERIES, database)} "
        "where status = 'loaded' group by 1"
    ).fetchall()
    return {k: v for k, v in rows}


def delivery_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """Per source entity, a digest of every delivery recorded for it: a new, replayed or quarantined delivery
    changes it (a replay records its delivery again, with a new loaded_at)."""
    if not table_exists(con, DELIVERIES):
        return {}
    schema, view = DELIVERY_FINGERPRINTS.split(".")
    known = con.execute("select 1 from duckdb_views() where schema_name = ? and view_name = ?", [schema, view])
    if not known.fetchall():
        ensure_ingestion_tables(con)  # a warehouse loaded before the view existed
    rows = con.execute(f"select source_id, entity, fingerprint from {DELIVERY_FINGERPRINTS}").fetchall()
    return {(s, e): digest for s, e, digest in rows}


def source_status(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per source entity: when it last delivered, rows loaded and quarantined, files quarantined."""
    if not table_exists(con, DELIVERIES):
        return []
    rows = con.execute(
        f"""select source_id || '.' || entity, max(received_at)::varchar, sum(rows_loaded), sum(rows_quarantined),
                  count(*) filter (status = 'quarantined')
           from {DELIVERIES} group by all order by 1"""
    ).fetchall()
    return [
        {
            "source": r[0],
            "last_received": r[1],
            "rows_loaded": int(r[2] or 0),
            "rows_quarantined": int(r[3] or 0),
            "files_quarantined": int(r[4] or 0),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------------------------------------------------
# entity resolution's links


def ensure_link_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty link tables where none exist yet: then every mention carries on with its deterministic key."""
    con.execute("create schema if not exists resolution")
    con.execute(f"create table if not exists {PERSON_LINKS} ({PERSON_LINK_COLUMNS})")
    con.execute(f"create table if not exists {ORG_LINKS} ({ORG_LINK_COLUMNS})")


def write_links(con: duckdb.DuckDBPyConnection, persons: Any, orgs: Any) -> None:
    """Replace both link tables with this resolution's decisions (Arrow tables, or frames with `to_arrow()`)."""
    con.execute("create schema if not exists resolution")
    for name, frame in (("_person_links_in", persons), ("_org_links_in", orgs)):
        con.register(name, frame.to_arrow() if hasattr(frame, "to_arrow") else frame)
    try:
        con.execute(
            f"""create or replace table {PERSON_LINKS} as
            select source_id, entity, record_id, role, decision, id_number,
                   cast(match_probability as double) as match_probability, second_id_number,
                   cast(second_probability as double) as second_probability, now() as resolved_at
            from _person_links_in"""
        )
        con.execute(
            f"""create or replace table {ORG_LINKS} as
            select source_id, entity, record_id, role, uscc, match_method,
                   cast(match_probability as double) as match_probability, now() as resolved_at
            from _org_links_in"""
        )
    finally:
        con.unregister("_person_links_in")
        con.unregister("_org_links_in")


def write_clerical(con: duckdb.DuckDBPyConnection, cases: Any, labels: Any) -> None:
    """Replace the review cases and the clerical labels with this resolution's (frames with `to_arrow()`)."""
    con.execute("create schema if not exists resolution")
    for table, frame in ((PERSON_REVIEW_CASES, cases), (CLERICAL_LABELS, labels)):
        con.register("_clerical_in", frame.to_arrow())
        try:
            con.execute(f"create or replace table {table} as select *, now() as resolved_at from _clerical_in")
        finally:
            con.unregister("_clerical_in")


# --------------------------------------------------------------------------------------------------------------------
# quality suite results


def stored_suite_results(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """suite → (fingerprint, passed, rows, expectations, failures, run_id, validated_at) of its last validation."""
    if not names or not table_exists(con, SUITE_RESULTS):
        return {}
    rows = con.execute(
        f"select suite, fingerprint, passed, rows, expectations, failures, run_id, validated_at from {SUITE_RESULTS} "
        "where suite in (select unnest(?))",
        [list(names)],
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def store_suite_result(con: duckdb.DuckDBPyConnection, suite: str, fingerprint: str, result: Sequence[Any]) -> None:
    """Keep a suite's result: (passed, rows, expectations, failures, run_id, validated_at)."""
    con.execute(SUITE_RESULTS_DDL)
    row = [suite, fingerprint, *result]
    con.execute(f"insert or replace into {SUITE_RESULTS} values (?, ?, ?, ?, ?, ?, ?, ?)", row)

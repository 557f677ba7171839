"""The warehouse's bookkeeping tables, through the one module that defines and queries them."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from zhongtai import bookkeeping


@dataclass(frozen=True)
class D:
    delivery_id: str
    source_id: str = "sys"
    entity: str = "things"
    received_at: str = "2026-11-01T08:00:00+08:00"
    sha256: str = "ab" * 32
    file_name: str = "things.csv"
    bytes: int = 10


def test_a_delivery_is_recorded_quarantined_listed_and_forgotten() -> None:
    con = duckdb.connect()
    assert bookkeeping.quarantined_deliveries(con) == [] and bookkeeping.source_status(con) == []
    bookkeeping.ensure_ingestion_tables(con)
    good, bad = D("d1"), D("d2", received_at="2026-11-02T08:00:00+08:00")
    whole = D("d3", entity="other", received_at="2026-11-03T08:00:00+08:00")
    bookkeeping.record_delivery(con, good, delivered=3, loaded=3, quarantined=0, status="loaded")
    con.execute("create temp table t as select * from (values (2, 'name|missing_required|姓名: empty', '{}'), "
                "(3, null, null)) v(_line, _error, _record)")  # fmt: skip
    bookkeeping.quarantine_typed_rows(con, bad, "t")
    bookkeeping.quarantine_lines(con, bad, [(5, "malformed_row:too_many_columns", "line 5 has 4 cells")])
    bookkeeping.record_delivery(con, bad, delivered=3, loaded=1, quarantined=2, status="loaded")
    bookkeeping.record_delivery(
        con, whole, delivered=0, loaded=0, quarantined=0, status="quarantined", error_code="no_header", error="x"
    )

    assert bookkeeping.is_loaded(con, "d1") and not bookkeeping.is_loaded(con, "d9")
    quarantine = con.execute(
        f"select line, column_name, reason_code, reason from {bookkeeping.QUARANTINE} order by line"
    ).fetchall()
    assert quarantine == [
        (2, "name", "missing_required", "姓名: empty"),
        (5, None, "malformed_row:too_many_columns", "line 5 has 4 cells"),
    ]
    assert bookkeeping.quarantined_deliveries(con) == [
        ("d2", "rows_quarantined", "things.csv"),
        ("d3", "no_header", "things.csv"),
    ]
    assert bookkeeping.latest_deliveries(con) == {"sys.things": "d2"}
    status = {s["source"]: s for s in bookkeeping.source_status(con)}
    assert (status["sys.things"]["rows_loaded"], status["sys.things"]["rows_quarantined"]) == (4, 2)
    assert status["sys.other"]["files_quarantined"] == 1
    before = bookkeeping.delivery_fingerprints(con)

    bookkeeping.forget_delivery(con, "d2")
    assert not bookkeeping.is_loaded(con, "d2")
    assert con.execute(f"select count(*) from {bookkeeping.QUARANTINE}").fetchone() == (0,)
    assert bookkeeping.delivery_fingerprints(con)[("sys", "things")] != before[("sys", "things")]
    assert bookkeeping.delivery_fingerprints(con)[("sys", "other")] == before[("sys", "other")]


def test_links_are_written_with_the_columns_dbt_reads() -> None:
    con = duckdb.connect()
    bookkeeping.ensure_link_tables(con)
    empty = con.execute(f"describe {bookkeeping.PERSON_LINKS}").fetchall()
    persons = pl.DataFrame(
        {"source_id": ["a"], "entity": ["e"], "record_id": ["1"], "role": ["subject"], "decision": ["linked"],
         "id_number": ["x"], "match_probability": [0.995], "second_id_number": [None], "second_probability": [None]},
        schema_overrides={"second_id_number": pl.String, "second_probability": pl.Float64},
    )  # fmt: skip
    orgs = pl.DataFrame(
        {"source_id": ["a"], "entity": ["e"], "record_id": ["2"], "role": ["employer"], "uscc": ["u"],
         "match_method": ["name"], "match_probability": [0.99]}
    )  # fmt: skip
    bookkeeping.write_links(con, persons, orgs)
    assert con.execute(f"describe {bookkeeping.PERSON_LINKS}").fetchall() == empty
    assert con.execute(f"select decision, id_number from {bookkeeping.PERSON_LINKS}").fetchall() == [("linked", "x")]
    assert con.execute(f"select uscc, match_method from {bookkeeping.ORG_LINKS}").fetchall() == [("u", "name")]


def test_a_suite_result_is_kept_and_replaced() -> None:
    con = duckdb.connect()
    assert bookkeeping.stored_suite_results(con, ["s"]) == {}
    bookkeeping.store_suite_result(con, "s", "f1", [False, 3, 2, "bad", "run1", "2026-11-01 00:00:00+00"])
    bookkeeping.store_suite_result(con, "s", "f2", [True, 4, 2, "none", "run2", "2026-11-02 00:00:00+00"])
    [(fingerprint, passed, rows, *_)] = bookkeeping.stored_suite_results(con, ["s", "other"]).values()
    assert (fingerprint, passed, rows) == ("f2", True, 4)

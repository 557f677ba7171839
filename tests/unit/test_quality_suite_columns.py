"""A suite reads what its expectations need: the columns they name, the whole table when one is about the table's
columns, the latest delivery for a source suite; and it gives the same verdict as over the whole table."""

from __future__ import annotations

import duckdb

from catalog.registry import load_registry
from quality.runner import validate
from quality.suites import Expectation, Suite, source_suites


def key_suite(*expectations: Expectation) -> Suite:
    return Suite(name="t_key", table="marts.t", blocking=True, description="", expectations=list(expectations))


def test_a_key_suite_reads_its_key_columns_only() -> None:
    suite = key_suite(
        Expectation("ExpectColumnValuesToNotBeNull", {"column": "村 代码"}),
        Expectation("ExpectColumnValuesToNotBeNull", {"column": "person_key"}),
        Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": ["村 代码", "person_key"]}),
    )
    assert suite.columns == ["村 代码", "person_key"]
    assert suite.sql == 'select "村 代码", "person_key" from marts.t'


def test_a_suite_about_the_table_s_columns_reads_them_all() -> None:
    suite = key_suite(
        Expectation("ExpectColumnToExist", {"column": "a"}),
        Expectation("ExpectColumnValuesToNotBeNull", {"column": "a"}),
    )
    assert suite.columns is None and suite.sql == "select * from marts.t"
    assert key_suite(Expectation("ExpectTableRowCountToBeBetween", {"min_value": 1})).sql == "select * from marts.t"


def test_a_source_suite_still_reads_its_latest_delivery_whole() -> None:
    suites = source_suites(load_registry())
    assert len(suites) > 100
    assert all("_delivery_id = (select _delivery_id" in s.sql and s.sql.startswith("select * ") for s in suites)


def test_the_verdict_is_the_one_over_the_whole_table() -> None:
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.t as select * from (values ('a', 1, 'x'), ('b', 2, null), ('b', 3, 'y')) v(k, n, note)"
        )
        suite = key_suite(
            Expectation("ExpectColumnValuesToNotBeNull", {"column": "k"}),
            Expectation("ExpectColumnValuesToBeUnique", {"column": "k"}),
        )
        projected = validate(suite, con.execute(suite.sql).df())
        whole = validate(suite, con.execute("select * from marts.t").df())
    assert (projected.success, projected.rows, projected.evaluated) == (whole.success, whole.rows, whole.evaluated)
    assert not projected.success and [str(f) for f in projected.failures] == [str(f) for f in whole.failures]

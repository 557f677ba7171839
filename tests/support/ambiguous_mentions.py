"""A person mention with two equally likely candidates, built by hand for resolution tests: two people with valid IDs
who agree on every compared field but the ID digits (twins registered at one address under one name is rare; two
namesakes born the same day in one village is not), and a mention without an ID that matches both equally well."""

from __future__ import annotations

import datetime as dt

import duckdb

from zhongtai.identifiers import make_citizen_id

MENTIONS = """
create schema intermediate;
create table intermediate.int_person_mentions (
    source_id varchar, entity varchar, record_id varchar, role varchar, id_number varchar, id_number_raw varchar,
    name varchar, sex varchar, birth_date date, phone varchar, village_code varchar, address varchar, house_no varchar
)
"""
# two valid GB 11643 numbers, same area and birth date, different sequence: two different men
TWIN_A, TWIN_B = (make_citizen_id("440604", dt.date(1990, 3, 7), n) for n in (1, 3))
ADDRESS = ("440604001001", "祖庙街道朝阳社区朝阳路12号", "12")
LOOSE = ("health", "visits", "42", "patient")  # the mention without an ID


def rows() -> list[tuple[object, ...]]:
    person = ("陈建华", "M", "1990-03-07", None, *ADDRESS)
    return [
        ("hukou", "residents", "1", "subject", TWIN_A, TWIN_A, *person),
        ("social", "insured", "7", "subject", TWIN_A, TWIN_A, *person),
        ("hukou", "residents", "2", "subject", TWIN_B, TWIN_B, *person),
        ("social", "insured", "8", "subject", TWIN_B, TWIN_B, *person),
        # the clerk left the ID out: name, sex, birth date and address fit both men exactly
        (*LOOSE, None, None, *person),
    ]


def mentions_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding only `intermediate.int_person_mentions` with the rows above."""
    con = duckdb.connect(":memory:")
    con.execute(MENTIONS)
    con.executemany("insert into intermediate.int_person_mentions values (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())
    return con

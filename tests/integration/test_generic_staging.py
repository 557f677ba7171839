"""The generic staging's current rows, on raw tables filled by hand: which version of each record its mentions come
from, for a snapshot system of the committed registry and an incremental one described by a YAML file in an extra
registry folder (the committed registry stages every incremental system by hand), each over several deliveries.

The rule (macro deduplicate): a snapshot counts from its latest delivery only, a key repeated in the file keeps its
last line and rows without a key are each a record; an incremental system keeps the latest version of each key. A
record whose current version names nobody mentions nobody, whatever its older versions said.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
import yaml

from catalog.dbt_sources import assemble_project
from catalog.registry import SOURCES_DIR, load_registry
from tests.support.dbt import run_dbt
from tests.support.raw_tables import create_raw_tables, deliver
from zhongtai.identifiers import make_citizen_id

pytestmark = pytest.mark.integration

SNAPSHOT = "yb_medical_insurance_zumiao"
INCREMENTAL = "zz_home_visits"


def person(serial: int) -> str:
    return make_citizen_id("440604", dt.date(1960, 1, 1) + dt.timedelta(days=serial), serial)


A, B, C, D, E, P, Q, R, S, T = (person(n) for n in range(1, 11))

# 上门走访记录: who was visited (subject) and who spoke for them (agent); delivered as changes, one row per new version
VISITS = {
    "id": INCREMENTAL,
    "title": "上门走访记录",
    "description": "测试用：增量交付的走访记录，含被访人与代理人。",
    "owner_department": "区民政局",
    "connector": {"kind": "file_drop", "location": "{upstream}/drops/zz_home_visits"},
    "format": {"kind": "csv", "encoding": "utf-8", "delimiter": ","},
    "schedule": "daily",
    "freshness_hours": 48,
    "delivery_mode": "incremental",
    "staging": "generic",
    "entities": [{
        "name": "visits",
        "title": "走访记录",
        "locator": "zz_home_visits_*.csv",
        "primary_key": ["visit_no"],
        "fields": [
            {"name": "visit_no", "header": "走访编号", "type": "varchar", "required": True, "title": "走访编号"},
            {"name": "name", "header": "被访人", "type": "varchar", "canonical": "person_name", "role": "subject",
             "title": "被访人"},
            {"name": "id_number", "header": "被访人身份证号", "type": "varchar", "canonical": "citizen_id",
             "role": "subject", "title": "被访人身份证号"},
            {"name": "agent_name", "header": "代理人", "type": "varchar", "canonical": "person_name", "role": "agent",
             "title": "代理人"},
            {"name": "agent_id_number", "header": "代理人身份证号", "type": "varchar", "canonical": "citizen_id",
             "role": "agent", "title": "代理人身份证号"},
        ],
    }],
}  # fmt: skip


@pytest.fixture(scope="module")
def mentions(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, ...]]:
    work = tmp_path_factory.mktemp("generic_staging")
    extra = work / "registry"
    extra.mkdir()
    (extra / f"{INCREMENTAL}.yaml").write_text(yaml.safe_dump(VISITS, allow_unicode=True), encoding="utf-8")
    registry = load_registry(SOURCES_DIR, extra)
    assert not registry.errors, registry.errors
    project, _ = assemble_project(registry, work / "assembled")
    warehouse = work / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        create_raw_tables(con, registry)
        insured = f"{SNAPSHOT}__records"
        columns = "record_no name id_number address"
        deliver(con, insured, ("yb-1", "2026-11-01 08:00:00+08"), columns, [
            ("R1", "甲", A, "旧址"),
            ("R2", "乙", B, "乙址"),  # not in the next extract: gone
            ("R3", "丙", C, "丙址"),  # likewise
        ])  # fmt: skip
        deliver(con, insured, ("yb-2", "2026-11-02 08:00:00+08"), columns, [
            ("R1", "甲", A, "新址一"),
            ("R1", "甲", A, "新址二"),  # the key again, further down the file: this line counts
            (None, "丁", D, "丁址"),  # no key: a record of its own
            (None, "戊", E, "戊址"),  # likewise
            ("R6", None, None, "无人址"),  # names nobody
        ])  # fmt: skip
        visits = f"{INCREMENTAL}__visits"
        columns = "visit_no name id_number agent_name agent_id_number"
        deliver(con, visits, ("hv-1", "2026-11-01 09:00:00+08"), columns, [
            ("K1", "子", P, "代一", Q),
            ("K2", "丑", R, None, None),
            ("K3", "寅", S, None, None),
        ])  # fmt: skip
        deliver(con, visits, ("hv-2", "2026-11-02 09:00:00+08"), columns, [
            ("K1", "子", P, "代二", T),  # another agent now
            ("K3", None, None, None, None),  # the record's current version names nobody
        ])  # fmt: skip
        deliver(con, visits, ("hv-3", "2026-11-03 09:00:00+08"), columns, [
            ("K2", "丑二", R, None, None),
            ("K2", "丑三", R, None, None),  # the last line of the latest delivery
        ])  # fmt: skip
    # the hand-staged parts of the mentions read their (empty) raw tables through views, one of them through a seed
    run_dbt(["build", "--select", "+int_person_mentions", "--resource-type", "seed", "--resource-type", "model"],
            warehouse, work, project=project)  # fmt: skip
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select source_id, record_id, role, name, id_number_raw, address "
            "from intermediate.int_person_mentions order by all nulls last"
        ).fetchall()


def test_a_snapshot_counts_from_its_latest_delivery_and_last_line(mentions: list[tuple[object, ...]]) -> None:
    assert [m for m in mentions if m[0] == SNAPSHOT] == [
        (SNAPSHOT, "R1", "subject", "甲", A, "新址二"),
        (SNAPSHOT, None, "subject", "丁", D, "丁址"),
        (SNAPSHOT, None, "subject", "戊", E, "戊址"),
    ]


def test_an_incremental_system_keeps_each_records_latest_version(mentions: list[tuple[object, ...]]) -> None:
    assert [m for m in mentions if m[0] == INCREMENTAL] == [
        (INCREMENTAL, "K1", "agent", "代二", T, None),
        (INCREMENTAL, "K1", "subject", "子", P, None),
        (INCREMENTAL, "K2", "subject", "丑三", R, None),
    ]


def test_nothing_else_is_mentioned(mentions: list[tuple[object, ...]]) -> None:
    assert {m[0] for m in mentions} == {SNAPSHOT, INCREMENTAL}

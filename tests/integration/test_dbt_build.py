"""dbt builds the warehouse from raw tables: real dbt, a real DuckDB file, hand-written deliveries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.dbt import SECRET, run_dbt
from tests.support.raw_tables import create_raw_tables, deliver
from zhongtai.identifiers import make_citizen_id, make_uscc
from zhongtai.keys import pseudonym

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


VILLAGE = "440604010001"  # 龙澄 (居委会) in zhongtai/reference/admin_divisions.csv
GRID = "440604010001001"

# People. A appears everywhere; B is delivered once as a 15-digit number and once as its 18-digit form.
A = make_citizen_id("440604", dt.date(1950, 3, 1), 11)  # a man
B18 = make_citizen_id("440604", dt.date(1969, 7, 20), 22)  # a woman
B15 = B18[:6] + B18[8:17]
C_BROKEN = A[:17] + ("0" if A[17] != "0" else "1")  # a check character that does not fit
D = make_citizen_id("440604", dt.date(1988, 1, 1), 31)  # only in the old hukou extract
E = make_citizen_id("440604", dt.date(2015, 6, 1), 42)  # a girl, full-width in the grid
E_FULL_WIDTH = E.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
F = make_citizen_id("440604", dt.date(1995, 5, 5), 51)

X = make_uscc("9", "1", "440604", "MA4X0001")  # a company, A is its legal representative
Y = make_uscc("9", "1", "440604", "MA4X0002")  # only in the old market extract
Z = make_uscc("9", "2", "440604", "L0000003")  # a sole trader (个体工商户)
V = make_uscc("9", "1", "440604", "MA4X0004")  # applies at the one window, not (yet) in the market extract
W_BROKEN = X[:-1] + ("0" if X[-1] != "0" else "1")


def load_fixture(con: duckdb.DuckDBPyConnection) -> None:
    create_raw_tables(con)
    hukou = "name sex birth_date id_number address"
    same = {"household_no": "H001", "relation_to_head": "户主", "village_code": VILLAGE, "registered_on": "2000-01-01"}
    deliver(con, "hukou__residents", ("hukou-d1", "2026-11-01 08:00:00+08"), hukou, [
        ("张三", "男", "1950-03-01", A, "旧地址1号"),
        ("李四", "女", None, B15, "旧地址2号"),
        ("丁一", "男", "1988-01-01", D, "旧地址3号"),
    ], **same)  # fmt: skip
    # The next day's full extract: D has moved away, A has a new address, and one line is repeated.
    deliver(con, "hukou__residents", ("hukou-d2", "2026-11-02 08:00:00+08"), hukou, [
        ("张\u3000三", "男", "1950-03-01", A, "新地址1号"),
        ("李四", "女", None, B15, "新地址2号"),
        ("王五", "男", "1950-01-01", C_BROKEN, "新地址5号"),
        ("张\u3000三", "男", "1950-03-01", A, "新地址1号"),
    ], **same)  # fmt: skip

    grid = "id name id_number sex phone village_code collected_at"
    same = {"grid_code": GRID, "house_no": "F01", "address": "网格地址"}
    deliver(con, "grid__residents", ("grid-r1", "2026-11-01 09:00:00+08"), grid, [
        (1, "张三 ", A, "男", "138-0013-8000", VILLAGE, "2026-10-30 10:00:00+08"),
        (2, "李四", B18.lower(), "2", None, VILLAGE, "2026-10-30 10:00:00+08"),
        (3, "小红", E_FULL_WIDTH, None, None, None, "2026-10-30 11:00:00+08"),  # only the grid says where
        (4, "无证者", None, "男", None, VILLAGE, "2026-10-30 12:00:00+08"),
    ], **same)  # fmt: skip
    for delivery in ("grid-r2", "grid-r3"):  # A's record updated (a new phone), the change delivered twice
        deliver(con, "grid__residents", (delivery, "2026-11-02 09:00:00+08"), grid, [
            (1, "张三", A, "男", "+86 139 0000 0001", VILLAGE, "2026-11-01 10:00:00+08"),
        ], **same)  # fmt: skip

    events = "id event_no status reported_at closed_at village_code"
    same = {"category": "城市管理", "event_type": "占道经营", "department": "城管局", "grid_code": GRID}
    deliver(con, "grid__events", ("grid-e1", "2026-11-01 09:00:00+08"), events, [
        (1, "EV001", "处理中", "2026-10-01 09:00:00+08", None, None),
        (2, "EV002", "已办结", "2026-10-02 09:00:00+08", "2026-10-05 09:00:00+08", VILLAGE),
    ], **same)  # fmt: skip
    deliver(con, "grid__events", ("grid-e2", "2026-11-02 09:00:00+08"), events, [
        (1, "EV001", "已办结", "2026-10-01 09:00:00+08", "2026-10-03 09:00:00+08", None),
    ], **same)  # fmt: skip

    applications = "application_no applicant_name applicant_id_number applicant_phone"
    same = {"item_code": "P001", "item_name": "高龄津贴申领", "village_code": VILLAGE, "status": "办结",
            "submitted_at": "2026-10-20 10:00:00+08", "updated_at": "2026-10-21 10:00:00+08"}  # fmt: skip
    deliver(con, "onewindow__person_applications", ("ow-pa1", "2026-11-01 10:00:00+08"), applications, [
        ("PA1", "张三", A, "13800138000"),
        ("PA2", "赵六", "440604" + "20991301" + "0011", None),  # born on the 1st of the 13th month
        ("PA3", "孙七", F, "13700000000"),
    ], **same)  # fmt: skip
    same = {"item_code": "E001", "item_name": "食品经营许可", "submitted_at": "2026-10-20 10:00:00+08",
            "updated_at": "2026-10-21 10:00:00+08"}  # fmt: skip
    deliver(con, "onewindow__enterprise_applications", ("ow-ea1", "2026-11-01 10:00:00+08"),
            "application_no enterprise_name uscc agent_name status", [
        ("EA1", "禅城甲公司", X, "钱八", "办结"),
        ("EA2", "禅城丁公司", V, None, "受理"),
    ], **same)  # fmt: skip
    same = {"record_type": "行政处罚", "title": "违规经营", "decided_on": "2026-09-01",
            "authority": "区市场监督管理局", "updated_at": "2026-10-21 10:00:00+08"}  # fmt: skip
    deliver(con, "onewindow__credit_records", ("ow-cr1", "2026-11-01 10:00:00+08"),
            "record_no subject_type subject_name subject_id", [
        ("CR1", "自然人", "张三", A),
        ("CR2", "法人", "禅城甲公司", X),
        ("CR3", "自然人", "王五", C_BROKEN),
    ], **same)  # fmt: skip

    # The credit office's repair register, delivered whole. Its first delivery approved CR2's repair; the next one no
    # longer holds that approval (a register is read as last delivered). CR1 was rejected and applied for again; CR2's
    # review and CR3's application are dated after any as-of date, so they are not known yet.
    repairs = "application_no record_no applied_on review_result reviewed_on"
    same = {"source_id": "onewindow", "subject_name": "张三", "subject_id": A, "review_office": "信用修复科"}
    deliver(con, "xy_credit_repair__repair_applications", ("xr-1", "2026-11-01 08:00:00+08"), repairs, [
        ("XF1", "CR1", "2026-10-01", "不予修复", "2026-10-10"),
        ("XF9", "CR2", "2026-10-01", "准予修复", "2026-10-05"),
    ], **same)  # fmt: skip
    deliver(con, "xy_credit_repair__repair_applications", ("xr-2", "2026-11-02 08:00:00+08"), repairs, [
        ("XF1", "CR1", "2026-10-01", "不予修复", "2026-10-10"),
        ("XF2", "CR1", "2026-10-20", "审查中", None),
        ("XF3", "CR2", "2026-10-25", "准予修复", "2099-01-01"),
        ("XF4", "CR3", "2099-01-01", "审查中", None),
    ], **same)  # fmt: skip

    market = "uscc name entity_type legal_rep_name legal_rep_id_number established_on status"
    same = {"registered_capital": 100, "address": "禅城区某路1号", "village_code": VILLAGE}
    deliver(con, "market_registry__enterprises", ("mr-2026-10", "2026-10-01 08:00:00+08"), market, [
        (X, "禅城甲公司", "有限责任公司", "张三", A, "2010-01-01", "存续"),
        (Y, "禅城乙公司", "有限责任公司", "丁一", D, "2011-01-01", "存续"),
    ], **same)  # fmt: skip
    # next month's full extract: Y is gone, X was revoked, a sole trader and a mistyped code arrive
    deliver(con, "market_registry__enterprises", ("mr-2026-11", "2026-11-01 08:00:00+08"), market, [
        (X, "禅城甲公司", "有限责任公司", "张三", A, "2010-01-01", "吊销"),
        (Z, "李四小卖部", "个体工商户", "李四", B18, "2018-01-01", "存续"),
        (W_BROKEN, "禅城丙公司", "有限责任公司", None, None, "2019-01-01", "存续"),
    ], **same)  # fmt: skip

    # The medical-insurance bureau's designated pharmacies (定点医药机构), monthly snapshots: the older one is
    # replaced; X signed twice (the later agreement counts); the sole trader Z's point is personal data.
    pharmacies = "record_no uscc org_name legal_rep_name event_date"
    same = {"village_code": VILLAGE}
    deliver(con, "yb_designated_pharmacies__records", ("yb-2026-10", "2026-10-01 08:00:00+08"), pharmacies, [
        ("YB1", X, "禅城甲公司", "张三", "2020-01-01"),
    ], **same)  # fmt: skip
    deliver(con, "yb_designated_pharmacies__records", ("yb-2026-11", "2026-11-01 08:00:00+08"), pharmacies, [
        ("YB1", X, " 禅城甲公司 ", "张三", "2021-03-01"),
        ("YB2", X, "禅城甲公司", "张三", "2024-06-01"),
        ("YB3", Z, "李四小卖部", "李四", "2022-01-01"),
    ], **same)  # fmt: skip

    # The village verified its roster (还数于村): B's actual address corrected and accepted, B's sex "corrected" and
    # rejected, E's name corrected and accepted but not yet decided on first delivery, A confirmed as it was, B's
    # relation to the head corrected (the register has everybody as head) and accepted.
    corrections = "correction_id roster_person_key attribute old_value new_value department submitted_at"
    same = {"upload_sha256": "f" * 64, "village_code": VILLAGE, "cadre": "cadre1"}
    deliver(con, "village_verification__corrections", ("vv-c1", "2026-11-03 08:00:00+08"), corrections, [
        (1, person_key(B18), "actual_address", "网格地址", "核对地址8号", "网格", "2026-11-03 07:00:00+08"),
        (2, person_key(B18), "sex", "女", "男", "公安", "2026-11-03 07:00:00+08"),
        (3, person_key(E), "name", "小红", "王小红", "公安", "2026-11-03 07:00:00+08"),
        (4, person_key(A), None, None, None, None, "2026-11-03 07:00:00+08"),
        (5, person_key(B18), "relation_to_head", "户主", "配偶", "公安", "2026-11-03 07:00:00+08"),
    ], **same)  # fmt: skip
    decisions = "correction_id decision department reviewer decided_at reason"
    deliver(con, "village_verification__decisions", ("vv-d1", "2026-11-04 08:00:00+08"), decisions, [
        (1, "accepted", "网格", "grid-reviewer", "2026-11-04 07:00:00+08", None),
        (2, "rejected", "公安", "police-reviewer", "2026-11-04 07:30:00+08", "户籍登记为女，证件号码为女"),
    ])  # fmt: skip
    deliver(con, "village_verification__decisions", ("vv-d2", "2026-11-05 08:00:00+08"), decisions, [
        (3, "accepted", "公安", "police-reviewer", "2026-11-05 07:00:00+08", None),
        (5, "accepted", "公安", "police-reviewer", "2026-11-05 07:10:00+08", None),
    ])  # fmt: skip

    marriage = "registration_no registration_type registered_on husband_name husband_id_number wife_name wife_id_number"
    for delivery in ("cm-1", "cm-1-resent"):  # the same weekly file sent twice
        deliver(con, "civil_marriage__registrations", (delivery, "2026-10-10 08:00:00+08"), marriage, [
            ("M1", "结婚", "2026-10-08", "孙七", F, "周九", "12345"),
        ], office="禅城区民政局")  # fmt: skip


def make_warehouse(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        load_fixture(con)
    return path


# ---------------------------------------------------------------- the build and what it must produce


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt build` (seeds, models, tests) on the fixture warehouse; returns the work folder."""
    work = tmp_path_factory.mktemp("dbt")
    run_dbt(["build"], make_warehouse(work / "warehouse.duckdb"), work)
    return work


@pytest.fixture(scope="module")
def warehouse(build: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(build / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def manifest(build: Path) -> dict[str, Any]:
    return json.loads((build / "target" / "manifest.json").read_text(encoding="utf-8"))


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return con.execute(sql, list(params)).fetchall()


def person_key(id_number: str) -> str:
    return pseudonym(SECRET, "person", id_number)


def age_band(born: dt.date) -> int:
    today = dt.date.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return 0 if age < 18 else 1 if age < 60 else 2 if age < 80 else 3


def test_one_person_per_normalised_id(warehouse: duckdb.DuckDBPyConnection) -> None:
    people = dict(rows(warehouse, "select id_number, person_key from marts.natural_person"))
    # D left with the old hukou extract; C's number is broken; 赵六's birth date does not exist.
    assert set(people) == {A, B18, E, F}
    assert people == {n: person_key(n) for n in people}


def test_fifteen_digit_and_eighteen_digit_forms_are_one_person(warehouse: duckdb.DuckDBPyConnection) -> None:
    [(sources, count)] = rows(
        warehouse,
        "select list(distinct source_id order by source_id), count(*) from marts.person_source_xref "
        "where person_key = ?",
        person_key(B18),
    )
    assert sources == ["grid", "hukou", "market_registry"]
    assert count == 3


def test_broken_ids_are_kept_aside_with_their_reason(warehouse: duckdb.DuckDBPyConnection) -> None:
    unresolved = {
        (r[0], r[1], r[2]): r[3]
        for r in rows(
            warehouse, "select source_id, role, id_number_raw, id_number_reason from marts.person_records_unresolved"
        )
    }
    assert unresolved[("hukou", "resident", C_BROKEN)] == "bad_check"
    assert unresolved[("onewindow", "credit_subject", C_BROKEN)] == "bad_check"
    assert unresolved[("grid", "resident", None)] == "missing"
    assert unresolved[("onewindow", "applicant", "440604209913010011")] == "bad_birth_date"
    assert unresolved[("civil_marriage", "wife", "12345")] == "bad_length"
    # every mention is either resolved or kept aside: nothing dropped
    [(mentions,)] = rows(warehouse, "select count(*) from intermediate.int_person_mentions")
    [(resolved,)] = rows(warehouse, "select count(*) from marts.person_source_xref")
    assert mentions == resolved + len(unresolved)


def test_latest_snapshot_wins_and_duplicates_collapse(warehouse: duckdb.DuckDBPyConnection) -> None:
    hukou = rows(warehouse, "select id_number_raw, address from staging.stg_hukou__residents order by address")
    assert hukou == [(A, "新地址1号"), (B15, "新地址2号"), (C_BROKEN, "新地址5号")]
    enterprises = dict(rows(warehouse, "select uscc, status from marts.legal_person"))
    assert enterprises == {X: "吊销", Z: "存续", V: None}  # Y left with the old extract, W's code is broken


def test_survivorship(warehouse: duckdb.DuckDBPyConnection) -> None:
    [a] = rows(
        warehouse,
        "select name, sex, birth_date, phone, address, household_no, village_code, source_count "
        "from marts.natural_person where id_number = ?",
        A,
    )
    # hukou's name and address (latest extract); the phone A gave the one window, which the seed
    # person_attribute_priority ranks first for phones (self-declared, most recent); four systems know A
    assert a == ("张三", "M", dt.date(1950, 3, 1), "13800138000", "新地址1号", "H001", VILLAGE, 4)
    [b] = rows(warehouse, "select sex, birth_date from marts.natural_person where id_number = ?", B18)
    assert b == ("F", dt.date(1969, 7, 20))  # birth date derived from the number
    [e] = rows(warehouse, "select sex, birth_date, village_code from marts.natural_person where id_number = ?", E)
    assert e == ("F", dt.date(2015, 6, 1), VILLAGE)  # the village from the grid's code


def test_accepted_village_corrections_survive_with_their_provenance_and_rejected_ones_do_not(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    # E's name as the village corrected it beats the grid's; B's sex stays the register's (the correction rejected)
    [e] = rows(warehouse, "select name from marts.natural_person where id_number = ?", E)
    assert e == ("王小红",)
    [b] = rows(warehouse, "select sex from marts.natural_person where id_number = ?", B18)
    assert b == ("F",)
    [provenance] = rows(
        warehouse,
        "select village_code, cadre, submitted_at, approving_department, reviewer, decided_at "
        "from intermediate.int_village_verified_attributes where person_key = ? and attribute = 'name'",
        person_key(E),
    )
    assert provenance[:2] == (VILLAGE, "cadre1") and provenance[3:5] == ("公安", "police-reviewer")
    assert provenance[5] > provenance[2]
    # B's latest actual residence is the one the village corrected
    [actual] = rows(
        warehouse,
        "select address, village_code, source_id, record_id from marts.person_residence "
        "where person_key = ? and residence_kind = 'actual' and is_latest",
        person_key(B18),
    )
    assert actual == ("核对地址8号", VILLAGE, "village_verification", "1")
    # the village's metrics: A, B and E verified of the roster; 4 corrections, 3 accepted (all applied), 1 rejected
    metrics = rows(
        warehouse,
        "select scope_level, residents, verified, submitted, accepted, rejected, applied, median_days_to_apply "
        "from marts.village_verification where scope_code in (?, '440604') order by scope_level desc",
        VILLAGE,
    )
    [roster_size] = rows(warehouse, "select count(*) from marts.village_roster where village_code = ?", VILLAGE)
    verified = rows(
        warehouse,
        "select count(*) from marts.village_roster where village_code = ? and person_key in (?, ?, ?)",
        VILLAGE, person_key(A), person_key(B18), person_key(E),
    )[0][0]  # fmt: skip
    # days to apply: from 11-03 07:00 to the landing of the decisions, 11-04 08:00 (B's address) and 11-05 08:00
    # (E's name, B's relation)
    median = 49 / 24
    for scope, row in zip(("village", "district"), metrics, strict=True):
        assert row[:7] == (scope, roster_size[0], verified, 4, 3, 1, 3), row
        assert abs(row[7] - median) < 1e-9


def test_legal_person_and_open_directory(warehouse: duckdb.DuckDBPyConnection) -> None:
    [x] = rows(
        warehouse, "select org_key, legal_rep_person_key, is_sole_trader from marts.legal_person where uscc = ?", X
    )
    assert x == (pseudonym(SECRET, "org", X), person_key(A), False)
    directory = {r[0] for r in rows(warehouse, "select uscc from marts.enterprise_directory")}
    assert directory == {X}  # the sole trader Z is personal data; V is not in the market registry


def test_credit_records_point_at_their_subjects(warehouse: duckdb.DuckDBPyConnection) -> None:
    credit = {
        r[0]: r[1:] for r in rows(warehouse, "select record_no, subject_type, subject_key from marts.credit_record")
    }
    assert credit == {
        "CR1": ("person", person_key(A)),
        "CR2": ("enterprise", pseudonym(SECRET, "org", X)),
        "CR3": ("person", None),
    }


def test_open_credit_data_names_enterprises_only(warehouse: duckdb.DuckDBPyConnection) -> None:
    # CR2, a penalty of the company X, is published (双公示); the persons' records and the sole trader are not
    publicity = rows(warehouse, "select record_no, uscc, enterprise_name, record_type from marts.credit_publicity")
    assert publicity == [("CR2", X, "禅城甲公司", "行政处罚")]
    assert rows(warehouse, "select count(*) from marts.credit_lists") == [(0,)]
    grade = rows(warehouse, "select uscc, grade, grade_description, score from marts.enterprise_credit_grade")
    assert grade == [(X, "B", "90 分至 104 分", 95)]  # 100, less 5 for one published penalty
    stats = rows(warehouse, "select entity_type, entities, sole_traders from marts.market_entity_statistics")
    assert sum(r[1] for r in stats) == 2 and sum(r[2] for r in stats) == 1  # X and the sole trader Z; V unregistered


def test_public_service_points_and_new_registrations_name_no_person(warehouse: duckdb.DuckDBPyConnection) -> None:
    [village] = rows(warehouse, "select village_name, town_name from marts.village where village_code = ?", VILLAGE)
    points = rows(
        warehouse,
        "select point_type, point_id, point_name, village_code, village_name, town_name, listed_on, department "
        "from marts.public_service_point",
    )
    # X's latest agreement of the latest snapshot; the sole trader Z is left out
    assert points == [("医保定点医药机构", X, "禅城甲公司", VILLAGE, *village, dt.date(2024, 6, 1), "区医疗保障局")]
    registrations = rows(
        warehouse,
        "select month, town_name, entity_type, registered, sole_traders from marts.market_entity_registrations "
        "order by month",
    )
    assert registrations == [  # X (2010) and the sole trader Z (2018); V and the mistyped code are not registered
        (dt.date(2010, 1, 1), village[1], "有限责任公司", 1, 0),
        (dt.date(2018, 1, 1), village[1], "个体工商户", 1, 1),
    ]


def test_the_repair_register_decides_each_records_repair_state(warehouse: duckdb.DuckDBPyConnection) -> None:
    status = {
        r[0]: r[1:]
        for r in rows(
            warehouse,
            "select record_no, repair_state, repair_application_no, repair_application_count, repair_reviewed_on, "
            "is_repaired, is_published from marts.credit_record_status",
        )
    }
    assert status == {
        "CR1": ("applied", "XF2", 2, None, False, True),  # rejected, then applied for again
        "CR2": ("applied", "XF3", 1, None, False, True),  # the superseded delivery's approval does not count
        "CR3": (None, None, None, None, False, True),  # an application after the as-of date is not known yet
    }


def test_villages_and_events(warehouse: duckdb.DuckDBPyConnection) -> None:
    [(villages, towns)] = rows(warehouse, "select count(*), count(distinct town_code) from marts.village")
    assert (villages, towns) == (155, 4)
    roster = rows(warehouse, "select id_number from marts.village_roster where village_code = ? order by 1", VILLAGE)
    assert [r[0] for r in roster] == sorted([A, B18, E])
    [population] = rows(
        warehouse,
        "select residents, male, female, age_0_17, age_18_59, age_60_79, age_80_plus "
        "from marts.village_population where village_code = ?",
        VILLAGE,
    )
    bands = [age_band(born) for born in (dt.date(1950, 3, 1), dt.date(1969, 7, 20), dt.date(2015, 6, 1))]
    assert population == (3, 1, 2, *(bands.count(band) for band in range(4)))
    events = {
        r[0]: r[1:]
        for r in rows(warehouse, "select event_no, status, village_code, days_to_close from marts.grid_event")
    }
    assert events == {"EV001": ("已办结", VILLAGE, 2), "EV002": ("已办结", VILLAGE, 3)}


def test_relations(warehouse: duckdb.DuckDBPyConnection) -> None:
    # household H001 in the latest extract: A and B, and 王五 whose broken number names nobody; D has moved away
    [household] = rows(
        warehouse, "select village_code, address, member_count, unresolved_member_count, source_id from marts.household"
    )
    assert household == (VILLAGE, "新地址1号", 2, 1, "hukou")
    # B's relation as the village corrected it and the register's department accepted, with that provenance
    members = rows(
        warehouse,
        "select person_key, household_no, relation_to_head, is_head, source_id, record_id, match_method "
        "from marts.household_member order by 1",
    )
    assert members == sorted(
        [
            (person_key(A), "H001", "户主", True, "hukou", A, "deterministic_id"),
            (person_key(B18), "H001", "配偶", False, "village_verification", "5", "person_key"),
        ]
    )
    # registered residences from the household register, actual ones from the grid and the village's verification;
    # E's grid record names no village: the grid's
    residences = rows(
        warehouse,
        "select person_key, residence_kind, house_no, address, village_code, grid_code, located_by, is_latest, "
        "source_id from marts.person_residence order by 1, 2, source_id",
    )
    assert residences == sorted(
        [
            (person_key(A), "registered", None, "新地址1号", VILLAGE, None, None, True, "hukou"),
            (person_key(B18), "registered", None, "新地址2号", VILLAGE, None, None, True, "hukou"),
            (person_key(A), "actual", "F01", "网格地址", VILLAGE, GRID, "grid_record", True, "grid"),
            # B's actual address as the village corrected it (accepted after the grid's visit) is the latest
            (person_key(B18), "actual", "F01", "网格地址", VILLAGE, GRID, "grid_record", False, "grid"),
            (person_key(B18), "actual", None, "核对地址8号", VILLAGE, None, None, True, "village_verification"),
            (person_key(E), "actual", "F01", "网格地址", VILLAGE, GRID, "grid_record", True, "grid"),
        ],
        key=lambda r: (r[0], r[1], r[8]),
    )
    premises = rows(warehouse, "select org_key, address, village_code from marts.enterprise_premises order by 1")
    assert premises == sorted(
        [
            (pseudonym(SECRET, "org", X), "禅城区某路1号", VILLAGE),
            (pseudonym(SECRET, "org", Z), "禅城区某路1号", VILLAGE),
        ]
    )
    roles = rows(
        warehouse, "select org_key, person_key, role, match_method from marts.person_enterprise_role order by 1"
    )
    assert roles == sorted(
        [
            (pseudonym(SECRET, "org", X), person_key(A), "legal_representative", "deterministic_id"),
            (pseudonym(SECRET, "org", Z), person_key(B18), "operator", "deterministic_id"),
        ]
    )


# ---------------------------------------------------------------- the catalog facts the platform reads

# Every model under models/marts builds into the marts schema: the marts are the SQL files there.
SHARED = {"int_public_credit_records"}  # ephemeral: a query the marts beside it share, no table of its own
MARTS = {p.stem for p in (ROOT / "dbt_project" / "models" / "marts").rglob("*.sql")} - SHARED
CHANNELS = {"api": "open_data_api", "datasette": "datasette", "roster": "village_rosters"}


def marts(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts" and node["name"] not in SHARED
    }


def test_every_mart_and_column_carries_its_catalog_facts(
    manifest: dict[str, Any], warehouse: duckdb.DuckDBPyConnection
) -> None:
    models = marts(manifest)
    assert set(models) == MARTS
    shared = [manifest["nodes"][f"model.zhongtai.{name}"]["config"]["materialized"] for name in SHARED]
    assert shared == ["ephemeral"] * len(SHARED)
    for name, node in models.items():
        meta = node["config"]["meta"]
        assert node["description"] and meta["title"], name
        assert meta["open_level"] in {"无条件开放", "有条件开放", "不予开放"}, name
        assert meta["security_grade"] in {"一般", "重要", "核心"}, name
        assert meta["owner_department"] and set(meta["publish"]) <= set(CHANNELS), name
        assert node["config"]["contract"]["enforced"], name
        built = [r[0] for r in rows(warehouse, f"select column_name from (describe marts.{name})")]
        assert list(node["columns"]) == built, name
        assert set(meta["primary_key"]) <= set(built), name
        for column in node["columns"].values():
            column_meta = column["config"]["meta"]
            assert column["description"] and column["data_type"] and column_meta["title"], (name, column["name"])
            assert column_meta["field_class"] in {"direct_identifier", "quasi_identifier", "sensitive", "plain"}
        if meta["open_level"] == "无条件开放":
            classes = {c["config"]["meta"]["field_class"] for c in node["columns"].values()}
            assert classes == {"plain"}, f"{name} is open to all but has {classes}"
    assert any(node["config"]["meta"]["open_level"] == "无条件开放" for node in models.values())


def test_exposures_follow_the_publish_meta(manifest: dict[str, Any]) -> None:
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    for channel, exposure in CHANNELS.items():
        published = {name for name, node in marts(manifest).items() if channel in node["config"]["meta"]["publish"]}
        depends = {manifest["nodes"][n]["name"] for n in exposures[exposure]["depends_on"]["nodes"]}
        assert published and depends == published, channel
    # an exposure that is no channel is an internal use: of marts published nowhere
    for name, exposure in exposures.items():
        if name not in CHANNELS.values():
            depends = {manifest["nodes"][n]["name"] for n in exposure["depends_on"]["nodes"]}
            assert depends and not any(marts(manifest)[m]["config"]["meta"]["publish"] for m in depends), name


def test_analyst_marts_follow_their_sources(warehouse: duckdb.DuckDBPyConnection) -> None:
    """marts/analyst: one profile per person and per household, keys only, counts that add up to their lists."""

    def one(sql: str) -> object:
        return warehouse.execute(sql).fetchone()[0]  # type: ignore[index]

    assert one("select count(*) from marts.person_profile") == one("select count(*) from marts.natural_person") > 0
    assert one("select count(*) from marts.household_profile") == one("select count(*) from marts.household")
    assert one(
        "select count(*) from marts.household_profile p join marts.household h on p.household_key = h.household_no"
    ) == 0  # fmt: skip
    assert one("select count(*) from marts.person_profile where residence_status is null") == 0
    assert one("select sum(persons) from marts.life_event_count") == one(
        "select count(*) from (select distinct l.person_key, l.event_type, date_trunc('month', l.event_date), "
        "p.village_code from marts.life_events l join marts.natural_person p using (person_key))"
    )
    assert one("select count(*) from marts.person_enterprise_link") == one(
        "select count(*) from marts.person_enterprise_role"
    )
    assert one("select sum(residents) from marts.village_profile") == one(
        "select count(*) from marts.natural_person where village_code in (select village_code from marts.village)"
    )

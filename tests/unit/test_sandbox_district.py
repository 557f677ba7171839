"""The synthetic district: reproducible, faithful to Chancheng's figures, and its truth matches what is delivered."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from stdnum.cn import ric, uscc

from sandbox.district import AS_OF, District, build_district
from sandbox.reference_builder import build as build_reference
from sandbox.render import Deliveries, build_deliveries
from sandbox.scales import get_scale
from zhongtai.identifiers import InvalidIdentifier, normalise_uscc, parse_citizen_id
from zhongtai.reference import load_divisions, load_grids

FRAMES = [
    "persons",
    "households",
    "enterprises",
    "marriages",
    "person_applications",
    "enterprise_applications",
    "credit_records",
    "grid_events",
]


@pytest.fixture(scope="module")
def district() -> District:
    return build_district(get_scale("tiny"), seed=7)


@pytest.fixture(scope="module")
def deliveries(district: District) -> Deliveries:
    return build_deliveries(district)


def test_reference_has_chanchengs_figures() -> None:
    div = load_divisions()
    villages = div.filter(pl.col("level") == "village")
    assert div.filter(pl.col("level") == "district")["code"].to_list() == ["440604"]
    assert div.filter(pl.col("level") == "town")["name"].to_list() == ["祖庙街道", "石湾镇街道", "张槎街道", "南庄镇"]
    assert villages.height == 155
    assert (villages["unit_type"] == "村委会").sum() == 54
    assert (villages["unit_type"] == "居委会").sum() == 101
    assert villages.filter(pl.col("unit_type") == "村委会")["name"].str.ends_with("村委会").all()
    assert villages.filter(pl.col("unit_type") == "居委会")["name"].str.ends_with("社区居委会").all()
    assert (villages["code"].str.len_chars() == 12).all()
    assert (villages["code"].str.slice(0, 9) == villages["parent_code"]).all()
    grids = load_grids()
    assert grids.height == 462 and grids["grid_code"].n_unique() == 462
    per_village = grids.group_by("village_code").len()
    assert per_village.height == 155 and per_village["len"].is_between(2, 4).all()
    assert (grids["grid_code"].str.slice(0, 12) == grids["village_code"]).all()


def test_committed_reference_matches_its_builder() -> None:
    divisions, grids = build_reference()
    assert load_divisions().to_dicts() == divisions
    assert load_grids().to_dicts() == grids


def test_same_seed_same_district(district: District, deliveries: Deliveries) -> None:
    again = build_district(get_scale("tiny"), seed=7)
    for name in FRAMES:
        assert_frame_equal(getattr(district, name), getattr(again, name))
    again_deliveries = build_deliveries(again)
    for name, frame in deliveries.tables.items():
        assert_frame_equal(frame, again_deliveries.tables[name])
    assert_frame_equal(deliveries.source_records, again_deliveries.source_records)
    other = build_district(get_scale("tiny"), seed=8)
    assert not other.persons["citizen_id"].equals(district.persons["citizen_id"])


def test_scale_is_respected(district: District) -> None:
    assert district.persons.height == 2000
    assert district.enterprises.height == 300


def test_citizen_ids_valid_by_stdnum_and_consistent(district: District) -> None:
    p = district.persons
    assert p["citizen_id"].n_unique() == p.height
    for row in p.iter_rows(named=True):
        number = row["citizen_id"]
        assert ric.is_valid(number), number
        assert ric.get_birth_date(number) == row["birth_date"]
        assert (int(number[16]) % 2 == 1) == (row["sex"] == "男")
    assert 0.10 < p["is_migrant"].mean() < 0.20
    assert p.filter(~pl.col("is_migrant"))["citizen_id"].str.starts_with("4406").all()
    assert p["birth_date"].max() <= AS_OF


def test_households_have_one_head_and_sane_sizes(district: District) -> None:
    p = district.persons
    per = p.group_by("household_no").agg(n=pl.len(), heads=(pl.col("relation") == "户主").sum())
    assert per["heads"].eq(1).all() and per["n"].is_between(1, 6).all()
    assert set(p["relation"].unique()) <= {"户主", "配偶", "子", "女", "父母"}
    assert p["grid_code"].str.slice(0, 12).eq(p["village_code"]).all()
    adults = p.filter((pl.lit(AS_OF) - pl.col("birth_date")).dt.total_days() >= 16 * 366)
    assert adults["phone"].str.contains(r"^1[358]\d{9}$").all()


def test_usccs_valid_by_stdnum_with_valid_org_code(district: District) -> None:
    e = district.enterprises
    assert e["uscc"].n_unique() == e.height
    for code in e["uscc"]:
        assert uscc.is_valid(code), code
        assert normalise_uscc(code) == code  # also checks the embedded GB 11714 organisation code
    individual = e["entity_type"] == "个体工商户"
    assert e.filter(individual)["uscc"].str.starts_with("92440604").all()
    assert e.filter(~individual)["uscc"].str.starts_with("91440604").all()
    assert 0.3 < individual.mean() < 0.5


def test_marriages_are_lawful(district: District) -> None:
    p = district.persons.select("person_id", "sex", "birth_date")
    m = district.marriages.join(
        p.rename({"person_id": "husband_person_id", "sex": "hs", "birth_date": "hb"}), on="husband_person_id"
    ).join(p.rename({"person_id": "wife_person_id", "sex": "ws", "birth_date": "wb"}), on="wife_person_id")
    assert m.height == district.marriages.height > 0
    assert (m["hs"] == "男").all() and (m["ws"] == "女").all()
    assert (m["registered_on"] >= AS_OF - dt.timedelta(days=5 * 366)).all()
    assert ((m["registered_on"] - m["hb"]).dt.total_days() >= 22 * 365).all()
    assert ((m["registered_on"] - m["wb"]).dt.total_days() >= 20 * 365).all()


def test_every_delivered_id_matches_its_truth(district: District, deliveries: Deliveries) -> None:
    truth = dict(district.persons.select("person_id", "citizen_id").iter_rows())
    records = deliveries.source_records
    assert set(records["id_noise"].drop_nulls()) <= {
        "missing",
        "broken_check",
        "old15",
        "full_width",
        "lower_x",
        "no_id_field",
    }
    for noise in ("missing", "broken_check", "old15", "full_width", "lower_x"):
        assert (records["id_noise"] == noise).sum() > 0, noise
    for row in records.iter_rows(named=True):
        value, noise = row["id_as_delivered"], row["id_noise"]
        try:
            outcome = parse_citizen_id(value, today=AS_OF).number
        except InvalidIdentifier as err:
            outcome = err.reason.value
        expected = {"missing": "missing", "no_id_field": "missing", "broken_check": "bad_check"}.get(
            noise, truth[row["person_id"]]
        )
        assert outcome == expected, row
        if noise == "broken_check":
            assert not ric.is_valid(value)


def test_every_delivered_credit_code_matches_its_truth(district: District, deliveries: Deliveries) -> None:
    truth = dict(district.enterprises.select("enterprise_id", "uscc").iter_rows())
    for row in deliveries.enterprise_records.iter_rows(named=True):
        try:
            outcome = normalise_uscc(row["uscc_as_delivered"])
        except InvalidIdentifier as err:
            outcome = err.reason.value
        expected = {"missing": "missing", "broken_check": "bad_check"}.get(
            row["uscc_noise"], truth[row["enterprise_id"]]
        )
        assert outcome == expected, row


def test_row_faults_are_few_and_marked(deliveries: Deliveries) -> None:
    faults = deliveries.source_records.group_by("system", "fault").len().drop_nulls("fault")
    assert set(faults["fault"]) == {"duplicate_row", "bad_date_row"}
    assert faults.filter(pl.col("fault") == "bad_date_row")["system"].to_list() == ["civil_marriage"]
    assert faults.filter(pl.col("fault") == "duplicate_row")["system"].to_list() == ["hukou"]
    marriages = deliveries.tables["civil_marriage/registrations"]
    unparseable = marriages.filter(pl.col("登记日期").str.to_date("%Y-%m-%d", strict=False).is_null())["登记日期"]
    assert sorted(unparseable) == ["2023-13-45", "未知"]
    hukou = deliveries.tables["hukou/residents"]
    assert hukou.height - hukou.unique().height == (deliveries.source_records["fault"] == "duplicate_row").sum()


def test_the_repair_register_names_delivered_penalties_with_every_kind_of_review(
    district: District, deliveries: Deliveries
) -> None:
    from sandbox.credit_repair import APPROVED, ENTITY, HEADERS, PENDING, REJECTED, SYSTEM_ID

    register = deliveries.credit_repairs
    assert register.height >= 8 and register["application_no"].n_unique() == register.height
    assert register.select("source_id", "record_no").n_unique() == register.height
    # every application names a penalty an upstream system really delivers, and its applicant is that subject
    onewindow = deliveries.tables["onewindow/credit_records"].filter(pl.col("recordType") == "行政处罚")
    penalties = set(onewindow["recordNo"]) | set(deliveries.tables["sj_penalties/records"]["record_no"])
    assert set(register["record_no"]) <= penalties
    assert set(register["source_id"]) <= {"onewindow", "sj_penalties"}
    truth_ids = set(district.persons["citizen_id"]) | set(district.enterprises["uscc"])
    assert set(register["subject_id"]) <= truth_ids
    # approved and in effect, approved before the shortest publication period ended, rejected, under review
    assert set(register["state"]) == {"effective", "approved", "rejected", "applied"}
    approved = register.filter(pl.col("review_result") == APPROVED)
    assert approved.filter(pl.col("reviewed_on") < pl.col("repairable_from")).height > 0
    later = approved.select(pl.max_horizontal("reviewed_on", "repairable_from"))
    assert (approved["effective_on"] == later.to_series()).all()
    assert (register.filter(pl.col("state") == "effective")["effective_on"] <= AS_OF).all()
    assert (register.filter(pl.col("state") == "approved")["effective_on"] > AS_OF).all()
    assert set(register.filter(pl.col("state") == "rejected")["review_result"]) == {REJECTED}
    pending = register.filter(pl.col("review_result") == PENDING)
    assert pending.height > 0 and pending["reviewed_on"].is_null().all()
    reviewed = register.filter(pl.col("review_result") != PENDING)
    assert (reviewed["applied_on"] <= reviewed["reviewed_on"]).all() and (reviewed["reviewed_on"] < AS_OF).all()
    assert (register["decided_on"] < register["applied_on"]).all() and (register["applied_on"] < AS_OF).all()
    # delivered with the register's own headers, every value as text, one row per application
    delivered = deliveries.tables[f"{SYSTEM_ID}/{ENTITY}"]
    assert delivered.columns == list(HEADERS.values())
    assert all(dtype == pl.String for dtype in delivered.dtypes) and delivered.height == register.height

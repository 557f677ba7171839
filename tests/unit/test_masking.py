"""Every audience's policy applied to every field class, checked on real values through the generated SQL."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from catalog.datasets import Channel, Dataset, Field, FieldClass
from catalog.masking import Audience, CatalogError, Kind, check_channels, mask_sql, masked_select, output_fields

D, Q, S, P = "direct_identifier", "quasi_identifier", "sensitive", "plain"

PERSON = Dataset(
    id="person",
    title="人员",
    open_level="不予开放",
    security_grade="核心",
    owner_department="区政务服务数据管理局",
    primary_key=("person_key",),
    relation="person",
    fields=(
        Field(name="person_key", title="人员标识", field_class=P, data_type="varchar"),
        Field(name="name", title="姓名", field_class=D, data_type="varchar"),
        Field(name="id_number", title="公民身份号码", field_class=D, data_type="varchar"),
        Field(name="phone", title="联系电话", field_class=D, data_type="varchar"),
        Field(name="passport", title="护照号", field_class=D, data_type="varchar", mask="text"),
        Field(name="birth_date", title="出生日期", field_class=Q, data_type="date"),
        Field(name="age", title="年龄", field_class=Q, data_type="integer"),
        Field(name="sex", title="性别", field_class=Q, data_type="varchar"),
        Field(name="health_status", title="健康状况", field_class=S, data_type="varchar"),
        Field(name="village_code", title="村居代码", field_class=P, data_type="varchar"),
    ),
)
ROW = {
    "person_key": "pk1",
    "name": "张三丰",
    "id_number": "44060419901231123X",
    "phone": "13812345678",
    "passport": "E12345678",
    "birth_date": dt.date(1990, 12, 31),
    "age": 35,
    "sex": "男",
    "health_status": "良好",
    "village_code": "440604001001",
}


def run(dataset: Dataset, audience: str, rows: list[dict]) -> list[dict]:
    con = duckdb.connect()
    cols = ", ".join(f"{f.name} {f.data_type}" for f in dataset.fields)
    con.execute(f"create table {dataset.relation} ({cols})")
    for row in rows:
        con.execute(f"insert into {dataset.relation} values ({', '.join('?' for _ in row)})", list(row.values()))
    cur = con.execute(masked_select(dataset, audience))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


EXPECTED = {
    "public": {"person_key": "pk1", "village_code": "440604001001"},
    "enterprise": {
        "person_key": "pk1", "birth_year": 1990, "age_band": "30-39", "sex": "男", "village_code": "440604001001",
    },
    "analyst": {
        "person_key": "pk1", "birth_year": 1990, "age_band": "30-39", "sex": "男", "health_status": "良好",
        "village_code": "440604001001",
    },
    "village_cadre": {
        "person_key": "pk1", "name": "张三丰", "id_number": "440604********123X", "phone": "138****5678",
        "passport": "***", "birth_date": dt.date(1990, 12, 31), "age": 35, "sex": "男", "village_code": "440604001001",
    },
    "steward": ROW,
}  # fmt: skip


@pytest.mark.parametrize("audience", list(Audience))
def test_policy_on_every_field_class(audience: Audience) -> None:
    assert run(PERSON, audience, [ROW]) == [EXPECTED[audience]]
    assert [o.name for o in output_fields(PERSON, audience)] == list(EXPECTED[audience])


def test_design_examples() -> None:
    """DESIGN §6 decision 5: ID 440604********123X, phone 138****5678, name 张**."""
    [row] = run(PERSON, "village_cadre", [ROW])
    assert (row["id_number"], row["phone"]) == ("440604********123X", "138****5678")
    # No audience gets masked names today (cadres see them whole); the rule is still the documented one.
    con = duckdb.connect()
    for value, masked in [("张三丰", "张**"), ("张三", "张**"), ("", "")]:
        assert con.execute(f"select {mask_sql('v', Kind.name)} from (select ? as v)", [value]).fetchone() == (masked,)


def test_masks_keep_shape_of_short_and_old_values_and_nulls() -> None:
    rows = [
        {**ROW, "person_key": "pk1", "id_number": "440604901231123", "phone": "0757-82345678"},
        {**ROW, "person_key": "pk2", "id_number": "12345", "phone": "110", "name": None},
        {**ROW, "person_key": "pk3", "id_number": None, "phone": None, "passport": None},
    ]
    out = run(PERSON, "village_cadre", rows)
    assert [(r["id_number"], r["phone"], r["name"], r["passport"]) for r in out] == [
        ("440604*****1123", "075******5678", "张三丰", "***"),
        ("*****", "***", None, "***"),
        (None, None, "张三丰", None),
    ]


def test_generalised_columns_are_renamed_and_retitled() -> None:
    outs = {o.name: o for o in output_fields(PERSON, "analyst")}
    assert outs["birth_year"].title == "出生年份"
    assert outs["birth_year"].data_type == "integer"
    assert outs["age_band"].title == "年龄段"


def test_channel_must_keep_the_primary_key() -> None:
    hidden_key = Dataset(**{**PERSON.model_dump(), "primary_key": ("id_number",), "publish": (Channel.api,)})
    with pytest.raises(CatalogError, match="person: primary key \\['id_number'\\] is not kept by the public policy"):
        check_channels([hidden_key])
    check_channels([PERSON.model_copy(update={"publish": (Channel.api, Channel.datasette, Channel.roster)})])


def test_field_class_values_are_closed() -> None:
    assert {c.value for c in FieldClass} == {D, Q, S, P}

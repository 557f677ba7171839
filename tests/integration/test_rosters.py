"""Village rosters (还数于村) published from the fixture warehouse, read back with openpyxl: sheets, Chinese headers
and codes, masking per the cadre policy, frozen header, filter, validation, CSV, and the change sheet."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from orchestration.publish import WRITERS, publish
from tests.support.marts import make_warehouse
from zhongtai.settings import Settings

# The roster writer alone: the other channels' writers add a publish's worth of CPU to every test and nothing here reads
# what they write.
ROSTERS = [w for w in WRITERS if w.name == "rosters"]

pytestmark = pytest.mark.integration

POPULATION = (
    "自然人键", "村居代码", "姓名", "性别", "出生日期", "公民身份号码", "联系电话", "户号", "地址", "与户主关系",
    "户籍地地址", "实际居住地地址", "实际居住地网格编码",
)  # fmt: skip
LEGAL = ("法人键", "名称", "统一社会信用代码", "市场主体类型", "法定代表人", "住所", "登记状态")
HOUSES = ("房屋编号", "地址", "户籍地人数", "实际居住地人数", "租住房屋人数", "产权房屋人数")
CHANGES = ("表", "变化", "键", "姓名或名称", "项目", "原值", "新值")
# What a cadre may correct, and the validation each carries.
VALIDATED = {
    "姓名": "textLength",
    "性别": "list",
    "出生日期": "date",
    "与户主关系": "list",
    "实际居住地地址": "textLength",
}
CHANGED = "pk000005"  # the resident whose address the second publish changes; lives in the sixth village
CHANGED_VILLAGE = "440604002006"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path / "data")
    make_warehouse(s)
    return s


def rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    return list(book[sheet].iter_rows(values_only=True))


def warehouse(settings: Settings, sql: str, read_only: bool = True) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=read_only) as con:
        return con.execute(sql).fetchall()


def test_every_village_gets_population_legal_persons_and_houses(settings: Settings, dbt_manifest: Path) -> None:
    result = publish(settings, dbt_manifest, ROSTERS)
    folder = result.path / "rosters"
    books = sorted(folder.glob("*.xlsx"))
    assert len(books) == result.rosters == 12
    truth = {
        r[0]: r[1:]
        for r in warehouse(settings, "select person_key, village_code, id_number, phone from marts.village_roster")
    }
    relation = dict(warehouse(settings, "select person_key, relation_to_head from marts.household_member"))
    actual = dict(
        warehouse(settings, "select person_key, address from marts.person_residence where residence_kind = 'actual'")
    )
    seen: dict[str, tuple] = {}
    for path in books:
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["人口", "法人", "房屋", "本次变化"]
        for sheet, headers in zip(book.worksheets, (POPULATION, LEGAL, HOUSES, CHANGES), strict=True):
            assert next(sheet.iter_rows(values_only=True)) == headers, (path.name, sheet.title)
            assert sheet.freeze_panes == "A2"
            assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        people = book["人口"]
        validations = {str(v.sqref): v for v in people.data_validations.dataValidation}
        for title, kind in VALIDATED.items():
            letter = get_column_letter(POPULATION.index(title) + 1)
            assert validations[f"{letter}2:{letter}1048576"].type == kind, title
        assert validations["D2:D1048576"].formula1 == '"男,女"'
        assert len(validations) == len(VALIDATED)  # masked and derived columns are not offered for correction
        population = list(people.iter_rows(values_only=True))[1:]
        for row in population:
            assert row[1] == path.stem and row[3] in ("男", "女")
            seen[row[0]] = row
        # the CSV holds the same rows as text
        with (folder / f"{path.stem}.csv").open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
        assert tuple(table[0]) == POPULATION and [r[0] for r in table[1:]] == [r[0] for r in population]
        assert [r[4] for r in table[1:]] == [r[4].date().isoformat() for r in population]
    assert set(seen) == set(truth) and len(seen) == 400
    for key, (village, id_number, phone) in truth.items():
        row = seen[key]
        assert row[1] == village
        assert row[5] == id_number[:6] + "********" + id_number[-4:] and row[6] == phone[:3] + "****" + phone[-4:]
        assert row[9] == relation[key] and row[11] == actual[key]
    assert rows(folder / "440604004012.xlsx", "人口") == [POPULATION]  # nobody lives there: headers only

    # Legal persons where registered or with premises: a sole trader's code is masked, a company's is not.
    legal = [r for path in books for r in rows(path, "法人")[1:]]
    located = warehouse(
        settings,
        "select count(*) from (select org_key, village_code from marts.legal_person "
        "union select org_key, village_code from marts.enterprise_premises)",
    )[0][0]
    assert len(legal) == located > 240
    traders = [r for r in legal if r[3] == "个体工商户"]
    assert traders and all("*" in r[2] for r in traders)
    assert all(len(r[2]) == 18 and "*" not in r[2] for r in legal if r[3] != "个体工商户")

    houses = rows(folder / "440604001001.xlsx", "房屋")[1:]
    assert houses and all(isinstance(n, int) for r in houses for n in r[2:])
    assert sum(r[2] for r in houses) == warehouse(
        settings, "select count(*) from marts.person_residence where residence_kind = 'registered' "
        "and village_code = '440604001001'"
    )[0][0]  # fmt: skip
    first = rows(folder / "440604001001.xlsx", "本次变化")
    assert first[1][0] == "首次发布，无可比较的上一版本"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["villages"]["440604001001"]["rows"]["population"] == 37 and index["previous_version"] is None


def test_the_change_sheet_lists_what_changed_since_the_previous_version(settings: Settings, dbt_manifest: Path) -> None:
    first = publish(settings, dbt_manifest, ROSTERS)
    name = warehouse(settings, f"select name from marts.village_roster where person_key = '{CHANGED}'")[0][0]
    old_address = warehouse(
        settings,
        f"select address from marts.person_residence where person_key = '{CHANGED}' and residence_kind = 'actual'",
    )[0][0]
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            f"update marts.person_residence set address = '佛山市禅城区新址路8号' "
            f"where person_key = '{CHANGED}' and residence_kind = 'actual'"
        )
        # the real mart delivers sex as M / F: cadres read 男 / 女 all the same, and no change is reported for it
        con.execute("update marts.village_roster set sex = case sex when '男' then 'M' else 'F' end")
    second = publish(settings, dbt_manifest, ROSTERS)
    folder = second.path / "rosters"
    changes = rows(folder / f"{CHANGED_VILLAGE}.xlsx", "本次变化")
    assert changes[0] == CHANGES
    people = [r for r in changes[1:] if r[0] == "人口"]
    assert people == [("人口", "变更", CHANGED, name, "实际居住地地址", old_address, "佛山市禅城区新址路8号")]
    houses = [r[1] for r in changes[1:] if r[0] == "房屋"]
    assert "新增" in houses  # the new address is a house the village did not have
    for path in folder.glob("*.xlsx"):
        assert {r[3] for r in rows(path, "人口")[1:]} <= {"男", "女"}
        if path.stem != CHANGED_VILLAGE:
            assert rows(path, "本次变化") == [CHANGES], path.name
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["previous_version"] == first.version
    assert index["villages"][CHANGED_VILLAGE]["changes"]["changed"] == 1 + houses.count("变更")

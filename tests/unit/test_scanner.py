"""What the personal-data scan recognises, and which audience may see what."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb

from catalog.datasets import Dataset, Field
from catalog.masking import Audience, masked_select, output_fields
from catalog.scanner import Finding, entitled, findings_in, mask_sample, scan_version
from zhongtai.identifiers import make_citizen_id, make_uscc

ID = make_citizen_id("440604", dt.date(1990, 1, 2), 7)
SOLE = make_uscc("9", "2", "440604", "MA0000A1")
COMPANY = make_uscc("9", "1", "440604", "MA0000A1")


def found(value: object, names: frozenset[str] = frozenset()) -> set[Finding]:
    return {f for f, _ in findings_in(value, names)}


def test_identifiers_are_found_inside_text_and_look_alikes_are_not() -> None:
    assert found(ID) == {Finding.citizen_id}
    assert found(f"申请人身份证{ID}，电话13812345678") == {Finding.citizen_id, Finding.mobile}
    assert found(ID[:17] + ("0" if ID[17] != "0" else "1")) == set()  # bad check character
    assert found("440604010001001") == set()  # a grid code, not an old 15-digit ID number
    assert found(SOLE) == {Finding.sole_trader_uscc} and found(COMPANY) == set()
    assert found("a3f13812345678bc") == set()  # digits inside a hex key
    assert found("138****5678") == set()
    assert found("张伟", frozenset({"张伟"})) == {Finding.person_name}


def test_entitlement_follows_the_masking_policies() -> None:
    assert entitled(Audience.village_cadre, Finding.person_name)
    assert not entitled(Audience.village_cadre, Finding.citizen_id)
    assert not any(entitled(Audience.public, f) for f in Finding)
    assert all(entitled(Audience.steward, f) for f in Finding)
    assert mask_sample(ID, Finding.citizen_id) == ID[:6] + "********" + ID[-4:]


def test_a_sole_traders_code_is_masked_row_by_row() -> None:
    d = Dataset(
        id="legal_person",
        title="法人",
        open_level="有条件开放",
        security_grade="重要",
        owner_department="x",
        primary_key=("org_key",),
        relation="marts.legal_person",
        fields=(
            Field(name="org_key", title="键", field_class="plain"),
            Field(
                name="uscc",
                title="代码",
                field_class="quasi_identifier",
                mask="id_number",
                personal_when="is_sole_trader",
            ),
            Field(name="is_sole_trader", title="个体", field_class="plain"),
        ),
    )
    sql = masked_select(d, Audience.analyst)
    assert 'case when "is_sole_trader" then null else "uscc" end as "uscc"' in sql
    assert [o.when_personal for o in output_fields(d, Audience.steward)] == [None, None, None]


def test_a_published_csv_is_scanned_cell_by_cell_as_its_audience_gets_it(tmp_path: Path) -> None:
    """Quoted fields with commas, quotes and line breaks; an ID number in the middle of text; a name alone in a cell;
    a grid code that only looks like an old ID number. The open extracts are public: all but the code are hits."""
    person = make_citizen_id("440604", dt.date(1990, 3, 7), 21)
    extract = tmp_path / "open" / "notes" / "notes.csv"
    extract.parent.mkdir(parents=True)
    with extract.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["编号", "备注, 说明", "联系人"])
        writer.writerow(["1", f'他说"见证件 {person}"，\n另起一行', "欧阳娜娜"])
        writer.writerow(["2", "440604010001001", "无"])
        writer.writerow(["3", "", ""])
    with duckdb.connect() as con:
        hits = scan_version(tmp_path, names=["欧阳娜娜"], connect=lambda: con.cursor())
    seen = sorted((h.artefact, h.table, h.column, h.finding.value, h.count) for h in hits)
    assert seen == [
        ("open/notes/notes.csv", "notes", "备注, 说明", "citizen_id", 1),
        ("open/notes/notes.csv", "notes", "联系人", "person_name", 1),
    ]


def test_every_sheet_of_every_roster_workbook_is_scanned_as_its_audience_gets_it(tmp_path: Path) -> None:
    """Four workbooks (read ahead on other threads while one is scanned), the last with a second sheet holding an ID
    number in a sentence and a name alone in a cell; scanned as if the rosters were public, only those two are hits."""
    import xlsxwriter

    person = make_citizen_id("440604", dt.date(1985, 6, 1), 33)
    (tmp_path / "rosters").mkdir()
    for n in range(4):
        book = xlsxwriter.Workbook(str(tmp_path / "rosters" / f"44060401000{n}.xlsx"))
        book.add_worksheet("名册").write_row(0, 0, ["编号", "备注"])
        if n == 3:
            sheet = book.add_worksheet("核实")
            sheet.write_row(0, 0, ["编号", "说明", "联系人"])
            sheet.write_row(1, 0, ["1", f"证件 {person} 已核", "欧阳娜娜"])
            sheet.write_row(2, 0, ["2", "440604010001001", "无"])
        book.close()
    with duckdb.connect() as con:
        hits = scan_version(
            tmp_path, names=["欧阳娜娜"], connect=lambda: con.cursor(), audiences={"rosters": Audience.public}
        )
    seen = sorted((h.artefact, h.table, h.column, h.finding.value, h.count) for h in hits)
    assert seen == [
        ("rosters/440604010003.xlsx", "核实", "联系人", "person_name", 1),
        ("rosters/440604010003.xlsx", "核实", "说明", "citizen_id", 1),
    ]

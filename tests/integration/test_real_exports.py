"""Department exports the sandbox never produces, through the real CLI, the real loader and a real DuckDB file:
`sources infer` on every bad delivery, a paged JSON export with nested records, a TSV with lines holding two
faults, a two-sheet workbook with totals, and `sources add`."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from catalog.registry import SourceSystem, load_registry
from orchestration.ingestion import ingest_source
from orchestration.ingestion.ingest import open_warehouse
from zhongtai.cli import app
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_deliveries"


def _infer(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "zhongtai"), "sources", "infer", str(path)], capture_output=True, text=True, check=False
    )


def _infer_in_process(path: Path) -> subprocess.CompletedProcess[str]:
    """The same command through the CLI's own app in this process (no interpreter start per file); an exception that
    escaped the command would have been a traceback, and is shown as one."""
    done = CliRunner().invoke(app, ["sources", "infer", str(path)])
    stderr = done.stderr
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        stderr += "Traceback (escaped the command): " + "".join(traceback.format_exception(done.exception))
    return subprocess.CompletedProcess(["zhongtai", "sources", "infer", str(path)], done.exit_code, done.stdout, stderr)


def test_infer_prints_a_draft_or_one_line_of_reason_for_every_bad_delivery() -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    assert len(files) >= 40
    results = {path: _infer_in_process(path) for path in files}
    # the installed command answers as the app does in process: a draft, a reason and a file that is no delivery
    for name in ("sb_export_20261130_p1.json", "sb_export_error_answer.json", "make_corpus.py"):
        real, in_process = _infer(CORPUS / name), results[CORPUS / name]
        assert (real.returncode, real.stdout, real.stderr) == (
            in_process.returncode,
            in_process.stdout,
            in_process.stderr,
        )
    drafts, reasons, failures = 0, 0, []
    for path, done in results.items():
        if "Traceback" in done.stdout + done.stderr:
            failures.append(f"{path.name}: traceback\n{done.stderr[-2000:]}")
        elif done.returncode == 0:
            entry = yaml.safe_load(done.stdout)
            SourceSystem.model_validate(entry)  # a draft is a valid entry, ready for review
            drafts += 1
        elif done.stdout or len(done.stderr.strip().splitlines()) != 1:
            failures.append(f"{path.name}: exit {done.returncode} without one line of reason: {done.stderr!r}")
        else:
            assert done.stderr.startswith(f"cannot draft an entry from {path}: "), done.stderr
            reasons += 1
    assert not failures, "\n".join(failures)
    assert drafts >= 25 and reasons >= 8, (drafts, reasons)
    # the shapes this corpus is for: each gets a draft, or the reason it cannot
    assert results[CORPUS / "sb_export_20261130_p1.json"].returncode == 0
    assert "no list of records" in results[CORPUS / "sb_export_error_answer.json"].stderr
    assert "not a delivery format" in results[CORPUS / "make_corpus.py"].stderr


PAGED_ENTRY = {
    "id": "sb_paged",
    "title": "社保参保登记（分页导出）",
    "description": "分页 JSON 导出，记录在 data.list，人员信息嵌套。",
    "owner_department": "区人力资源和社会保障局",
    "connector": {"kind": "file_drop", "location": "{upstream}/drops/sb_paged"},
    "format": {"kind": "json", "record_path": "data.list", "pages": r"_p(\d+)", "page_total": "data.total"},
    "schedule": "daily",
    "freshness_hours": 48,
    "delivery_mode": "snapshot",
    "entities": [
        {
            "name": "records",
            "title": "参保登记",
            "locator": "sb_export_*_p*.json",
            "primary_key": ["ywbh"],
            "fields": [
                {"name": "ywbh", "header": "ywbh", "required": True, "title": "业务编号"},
                {"name": "name", "header": "xm", "path": "person.xm", "canonical": "person_name", "title": "姓名"},
                {"name": "id_number", "header": "sfzhm", "path": "person.sfzhm", "canonical": "citizen_id",
                 "title": "身份证号"},
                {"name": "sex", "header": "xb", "path": "person.xb", "canonical": "sex", "title": "性别"},
                {"name": "birth_date", "header": "csrq", "path": "person.csrq", "type": "date",
                 "date_format": "%Y%m%d", "canonical": "birth_date", "title": "出生日期"},
                {"name": "phone", "header": "lxdh", "path": "contact.lxdh", "canonical": "phone", "title": "联系电话"},
                {"name": "address", "header": "jzdz", "path": "contact.jzdz", "canonical": "address",
                 "title": "居住地址"},
                {"name": "insured_on", "header": "cbrq", "type": "date", "date_format": "%Y/%m/%d",
                 "title": "参保日期"},
                {"name": "paid", "header": "jfje", "type": "decimal", "title": "缴费金额"},
                {"name": "tags", "header": "tags", "title": "标签"},
            ],
        }
    ],
}  # fmt: skip


def test_a_paged_nested_json_export_loads_as_one_delivery_with_every_value_in_its_column(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    source = SourceSystem.model_validate(PAGED_ENTRY)
    drops = settings.upstream / "drops" / "sb_paged"
    drops.mkdir(parents=True)
    shutil.copy(CORPUS / "sb_export_20261130_p1.json", drops)
    [waiting] = ingest_source(settings, source)
    assert (waiting.landed, waiting.rows_loaded) == (0, 0)  # 3 of 5 records: the delivery is still arriving
    shutil.copy(CORPUS / "sb_export_20261130_p2.json", drops)
    [first] = ingest_source(settings, source)
    assert (first.landed, first.rows_loaded, first.rows_quarantined, first.files_quarantined) == (1, 4, 1, 0)
    [again] = ingest_source(settings, source)  # the same pages seen again: not landed, not loaded twice
    assert (again.landed, again.rows_loaded) == (0, 0)

    con = open_warehouse(settings)
    try:
        rows = con.execute(
            "select ywbh, name, id_number, sex, birth_date, phone, address, insured_on, paid, tags, _line "
            "from raw.sb_paged__records order by _line"
        ).fetchall()
        quarantine = con.execute(
            "select line, column_name, reason_code from raw._quarantine where source_id = 'sb_paged'"
        ).fetchall()
        deliveries = con.execute(
            "select file_name, rows_delivered, rows_loaded, rows_quarantined, schema_drift from raw._deliveries "
            "where source_id = 'sb_paged'"
        ).fetchall()
    finally:
        con.close()
    d = dt.date
    assert rows == [
        ("SB202611300001", "陈小明", "44060419900101123X", "男", d(1990, 1, 1), "13800138000",
         "禅城区祖庙街道岭南大道1号", d(2026, 1, 5), pytest.approx(1200.5), '["在职", "城镇职工"]', 1),
        ("SB202611300002", "黄丽华", "440604198512310026", "女", d(1985, 12, 31), "13900139000",
         "禅城区石湾镇街道公园路8号", d(2026, 11, 30), 980, "[]", 2),
        ("SB202611300003", "王𠮷", "440604200002290010", "男", d(2000, 2, 29), None,
         "禅城区张槎街道", d(2025, 12, 31), pytest.approx(15.5), '["灵活就业"]', 3),
        ("SB202611300004", "李秀英", "440604197208150043", "女", d(1972, 8, 15), "13712345678",
         "禅城区南庄镇吉利大道", d(2026, 3, 9), 300, "[]", 4),
    ]  # fmt: skip
    assert quarantine == [(5, "birth_date", "bad_date")]  # the 13th month, once, numbered on across pages
    assert deliveries == [("sb_export_20261130_p1-2.json.zip", 5, 4, 1, None)]


def test_a_record_path_the_delivery_does_not_have_quarantines_the_file_with_where_it_stops(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    entry = PAGED_ENTRY | {"id": "sb_moved", "connector": {"kind": "file_drop", "location": "{upstream}/drops/m"}}
    entry["format"] = {"kind": "json", "record_path": "data.list"}
    entry["entities"] = [PAGED_ENTRY["entities"][0] | {"locator": "*.json"}]  # type: ignore[index]
    drops = settings.upstream / "drops" / "m"
    drops.mkdir(parents=True)
    shutil.copy(CORPUS / "sb_export_wrong_record_path.json", drops)
    [summary] = ingest_source(settings, SourceSystem.model_validate(entry))
    [load] = summary.loads
    assert load.status == "quarantined"
    assert load.error is not None and load.error.startswith("bad_record_path: ")
    assert "no 'data' at the top level (found: status, result)" in load.error


def _csv_source(sid: str, fmt: dict, locator: str, fields: list[dict]) -> SourceSystem:  # type: ignore[type-arg]
    return SourceSystem.model_validate(
        {
            "id": sid,
            "title": sid,
            "description": "部门导出样例",
            "owner_department": "测试局",
            "connector": {"kind": "file_drop", "location": f"{{upstream}}/drops/{sid}"},
            "format": fmt,
            "schedule": "daily",
            "freshness_hours": 24,
            "delivery_mode": "snapshot",
            "entities": [{"name": "records", "title": "记录", "locator": locator, "primary_key": [], "fields": fields}],
        }
    )


def _drop(settings: Settings, sid: str, name: str) -> None:
    folder = settings.upstream / "drops" / sid
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / name, folder)


def test_a_malformed_tsv_line_is_quarantined_once_whatever_its_faults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    fields = [
        {"name": "record_no", "header": "编号", "required": True, "title": "编号"},
        {"name": "name", "header": "姓名", "title": "姓名"},
        {"name": "id_number", "header": "身份证号", "title": "身份证号"},
    ]
    source = _csv_source("tsv_case", {"kind": "csv", "delimiter": "\t"}, "*.tsv", fields)
    _drop(settings, "tsv_case", "tsv_two_faults_per_line.tsv")
    [summary] = ingest_source(settings, source)
    assert (summary.rows_loaded, summary.rows_quarantined) == (3, 2)
    con = open_warehouse(settings)
    try:
        quarantined = con.execute(
            "select line, reason_code, reason from raw._quarantine where source_id = 'tsv_case' order by line"
        ).fetchall()
        loaded = con.execute("select record_no, _line from raw.tsv_case__records order by _line").fetchall()
    finally:
        con.close()
    assert [(line, code) for line, code, _ in quarantined] == [
        (3, "malformed_row:too_many_columns"),
        (5, "malformed_row:unquoted_value"),
    ]
    assert "多余1\t多余2" in quarantined[0][2] and "TOO MANY COLUMNS" in quarantined[1][2]  # every fault named
    assert loaded == [("T001", 2), ("T003", 4), ("T005", 6)]


def test_a_workbook_sheet_loads_without_its_total_and_signature_rows(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    fields = [
        {"name": "seq", "header": "序号", "type": "integer", "title": "序号"},
        {"name": "name", "header": "参保人姓名", "required": True, "title": "参保人姓名"},
        {"name": "id_number", "header": "身份证号", "title": "身份证号"},
        {
            "name": "insured_on",
            "header": "参保日期",
            "type": "date",
            "date_format": "%Y年%m月%d日",
            "title": "参保日期",
        },
        {"name": "registered_on", "header": "登记日期", "type": "date", "title": "登记日期"},
        {"name": "paid", "header": "缴费金额", "type": "decimal", "title": "缴费金额"},
    ]
    fmt = {"kind": "xlsx", "sheet": "参保人员名单", "header_row": 2}
    _drop(settings, "book", "xlsx_two_sheets_with_totals.xlsx")
    [summary] = ingest_source(settings, _csv_source("book", fmt, "*.xlsx", fields))
    assert (summary.rows_loaded, summary.rows_quarantined, summary.files_quarantined) == (3, 0, 0)
    con = open_warehouse(settings)
    try:
        rows = con.execute(
            "select seq, name, insured_on, registered_on, paid from raw.book__records order by _line"
        ).fetchall()
    finally:
        con.close()
    d = dt.date
    assert rows == [
        (1, "陈小明", d(2026, 1, 5), d(2026, 1, 5), 1200.5),
        (2, "黄丽华", d(2026, 11, 30), d(2026, 11, 30), 980),
        (3, "李秀英", d(2025, 12, 31), d(2025, 12, 31), 300),
    ]


def test_sources_add_checks_the_sample_and_registers_it_once(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    command = [str(BIN / "zhongtai"), "sources", "add", "--registry-dir", str(registry)]
    env_data = ["--data-dir", str(tmp_path / "data")]
    sample = CORPUS / "jy_pinyin_gb18030.csv"
    added = subprocess.run(
        [*command, str(sample), "--id", "jy_pinyin", *env_data],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    assert "4 rows loaded, 0 quarantined" in added.stdout
    entry = load_registry(registry)["jy_pinyin"]
    fields = {f.header: f for f in entry.entities[0].fields}
    assert {h: fields[h].canonical for h in ("xm", "zjbh", "xb", "csrq", "lxdh", "dwbm")} == {
        "xm": "person_name",
        "zjbh": "citizen_id",  # not a known label: every value is a valid ID number
        "xb": "sex",
        "csrq": "birth_date",
        "lxdh": "phone",
        "dwbm": "uscc",
    }
    assert (fields["csrq"].type, fields["csrq"].date_format) == ("date", "%Y%m%d")
    assert entry.format.encoding == "gb18030"

    again = subprocess.run(
        [*command, str(sample), "--id", "jy_pinyin", *env_data], capture_output=True, text=True, check=False
    )
    assert again.returncode == 1 and "already registered" in again.stdout
    taken = subprocess.run(
        [*command, str(sample), "--id", "hukou", *env_data], capture_output=True, text=True, check=False
    )
    assert taken.returncode == 1 and "'hukou' is already registered" in taken.stdout
    assert sorted(p.name for p in registry.iterdir()) == ["jy_pinyin.yaml"]


def test_the_real_export_fixtures_are_committed_as_their_script_writes_them(tmp_path: Path) -> None:
    import runpy

    shutil.copy(CORPUS / "make_real_exports.py", tmp_path / "make_real_exports.py")
    runpy.run_path(str(tmp_path / "make_real_exports.py"), run_name="__main__")
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != "make_real_exports.py")
    assert len(written) == 7
    for name in written:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name


def test_sources_add_writes_into_the_first_extra_registry_folder_by_default(tmp_path: Path) -> None:
    import os

    extra, second = tmp_path / "extra", tmp_path / "second"
    env = {**os.environ, "ZHONGTAI_REGISTRY_DIRS": f"{extra}{os.pathsep}{second}", "ZHONGTAI_DATA_DIR": str(tmp_path)}
    added = subprocess.run(
        [str(BIN / "zhongtai"), "sources", "add", str(CORPUS / "xlsx_two_sheets_with_totals.xlsx"), "--id", "roster"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    assert "3 rows loaded, 0 quarantined" in added.stdout  # the total and signature rows are not records
    entry = load_registry(extra)["roster"]
    assert (entry.format.sheet, entry.format.header_row) == ("参保人员名单", 2)
    assert not second.exists()

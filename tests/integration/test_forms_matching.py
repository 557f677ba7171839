"""Report-form item matching measured on the sandbox's historical forms against their ground truth, and the
`zhongtai forms match` command against a published catalog (a real `dbt parse` of the project)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from catalog.datasets import Dataset, load_datasets
from catalog.forms import FormError, Matcher, read_template
from catalog.forms.evaluate import score, target_key
from catalog.forms.matcher import ELEMENTS
from sandbox import DEFAULT_SEED
from sandbox.forms import SPEC, generate_forms

pytestmark = pytest.mark.integration
ZHONGTAI = str(Path(sys.executable).parent / "zhongtai")


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> Path:
    """The run's one `dbt parse` of the real project (tests/conftest.py)."""
    return dbt_manifest


@pytest.fixture(scope="module")
def datasets(manifest: Path) -> list[Dataset]:
    return load_datasets(manifest)


@pytest.fixture(scope="module")
def sandbox_forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("forms")
    generate_forms(root, root / "truth", DEFAULT_SEED)
    return root / "forms", json.loads((root / "truth" / "forms.json").read_text(encoding="utf-8"))


def test_sandbox_forms_look_like_the_districts(
    sandbox_forms: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    folder, truth = sandbox_forms
    assert len(truth) == 500 and len({f["department"] for f in truth}) == 18
    share = sum(f["fully_derivable"] for f in truth) / len(truth)
    assert 0.6 <= share <= 0.72, share  # about two thirds, as in Chancheng (65.6 %)
    labels = [i["label"] for f in truth for i in f["items"]]
    assert any("岁以上" in x for x in labels) and any("满意" in x for x in labels)
    assert any(any("\uff01" <= c <= "\uff5e" for c in x) for x in labels), "no full-width label"
    assert any(c in x for x in labels for c in "號數戶證"), "no traditional characters"
    grouped = next(f for f in truth if any(i["group"] for i in f["items"]))
    ws = openpyxl.load_workbook(folder / grouped["file"]).worksheets[0]
    assert any(r.max_col > r.min_col and r.min_row == 3 for r in ws.merged_cells.ranges), "no merged group header"
    # the same seed writes the same forms
    again = tmp_path / "again"
    generate_forms(again, again / "truth", DEFAULT_SEED)
    assert json.loads((again / "truth" / "forms.json").read_text(encoding="utf-8")) == truth


def test_ground_truth_labels_are_not_the_matchers_dictionary(sandbox_forms: tuple[Path, list[dict[str, Any]]]) -> None:
    """The forms' labels come from the sandbox's own variant list; many are worded as no dictionary name is."""
    import yaml

    matcher_names = {
        n for e in yaml.safe_load(ELEMENTS.read_text(encoding="utf-8"))["elements"].values() for n in e["names"]
    }
    sandbox_spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    variants = {v for c in sandbox_spec["concepts"].values() if "truth" in c for v in c["labels"]}
    unlisted = variants - matcher_names
    assert len(unlisted) / len(variants) >= 0.5, sorted(variants & matcher_names)
    _, truth = sandbox_forms
    written = [i["label"] for f in truth for i in f["items"] if i["dataset"]]
    assert sum(label not in matcher_names for label in written) / len(written) >= 0.6


def test_matching_reaches_precision_and_recall_on_the_sandbox_forms(
    datasets: list[Dataset], sandbox_forms: tuple[Path, list[dict[str, Any]]]
) -> None:
    folder, truth = sandbox_forms
    matcher = Matcher(datasets)
    assert not matcher.skipped, f"dictionary elements the catalog does not hold: {matcher.skipped}"
    pairs = []
    for form in truth:
        matches = matcher.match_template(read_template(folder / form["file"]))
        assert [m.label for m in matches] == [i["label"] for i in form["items"]], form["file"]
        for m, item in zip(matches, form["items"], strict=True):
            assert 0.0 <= m.confidence <= 1.0 and m.reason
            pairs.append((item["label"], target_key(item["dataset"], item["field"]), target_key(m.dataset, m.field)))
    result = score(pairs)
    wrong = result.pop("wrong")
    print(result)
    assert result["precision"] >= 0.95 and result["recall"] >= 0.90, (result, wrong[:30])
    assert result["true_negatives"] > 200  # items no platform holds are among them, and stay unmatched


def _template(path: Path, rows: list[list[Any]], merges: list[str] = ()) -> Path:  # type: ignore[assignment]
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


@pytest.mark.parametrize("merged_down", [True, False], ids=["merged-down", "group-merged-only"])
def test_one_form_item_by_item(datasets: list[Dataset], tmp_path: Path, merged_down: bool) -> None:
    """A merged two-row header, units that convert, an age aggregate, notes, an item no platform holds."""
    path = _template(
        tmp_path / "f.xlsx",
        [
            ["2026年村居基本情况统计表"],
            ["序号", "村（居）名稱", "人口情况", None, None, "企业注册资本总额（元）", "党员人数（人）"],
            [None, None, "60岁以上老人数（人）", "８０岁及以上人口", "男性人口", None, None],
            ["1", None, None, None, None, None, None],
            ["注：数据截至上月末。"],
            ["填表人：", None, "审核人："],
        ],
        ["A1:G1", "C2:E2", *(["A2:A3", "B2:B3", "F2:F3", "G2:G3"] if merged_down else [])],
    )
    template = read_template(path)
    assert template.title == "2026年村居基本情况统计表" and template.notes == ["注：数据截至上月末。"]
    assert [i.group for i in template.items] == [None, "人口情况", "人口情况", "人口情况", None, None]
    got = {m.label: m for m in Matcher(datasets).match_template(template)}
    assert (got["村（居）名稱"].dataset, got["村（居）名稱"].field) == ("village", "village_name")
    assert (got["60岁以上老人数（人）"].dataset, got["60岁以上老人数（人）"].field) == (
        "village_population",
        "age_60_79 + age_80_plus",
    )
    assert got["60岁以上老人数（人）"].aggregate
    assert got["８０岁及以上人口"].field == "age_80_plus"
    assert got["男性人口"].field == "male"
    capital = got["企业注册资本总额（元）"]
    assert (capital.dataset, capital.field, capital.unit_factor) == ("legal_person", "sum(registered_capital)", 10000)
    assert "单位换算" in capital.reason
    assert got["党员人数（人）"].dataset is None and got["党员人数（人）"].field is None


def test_sample_values_decide_and_refuse(datasets: list[Dataset], tmp_path: Path) -> None:
    """A GB 11643 number in the example row names its column; a date that is not one refuses the label's match."""
    path = _template(
        tmp_path / "r.xlsx",
        [
            ["序号", "姓名", "编码值", "出生日期", "联系电话"],
            ["示例", "张三", "11010519491231002X", "不详", "13800138000"],
        ],
    )
    got = {m.label: m for m in Matcher(datasets).match_template(read_template(path))}
    assert (got["编码值"].dataset, got["编码值"].field) == ("village_roster", "id_number")
    assert "校验" in got["编码值"].reason
    assert got["出生日期"].dataset is None and "示例值不符" in got["出生日期"].reason
    assert got["联系电话"].field == "phone" and got["联系电话"].confidence >= 0.95


def test_a_confirmed_match_teaches_the_matcher(datasets: list[Dataset], tmp_path: Path) -> None:
    path = _template(tmp_path / "t.xlsx", [["序号", "村居名称", "常住居民（人）"]])
    before = Matcher(datasets).match_template(read_template(path))[1]
    assert before.dataset is None
    taught = Matcher(datasets, learned={"village_residents": ["常住居民"]}).match_template(read_template(path))[1]
    assert (taught.dataset, taught.field, taught.confidence) == ("village_population", "residents", 0.99)
    with pytest.raises(KeyError, match="no_such_element"):
        Matcher(datasets, learned={"no_such_element": ["x"]})


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([["只有一个标题"]], "no_header"),
        ([["序号", "编号"], ["1", "2"]], "no_items"),
        ([["序号", "姓名", "说" * 500]], "label_too_long"),
    ],
)
def test_bad_templates_are_named(rows: list[list[Any]], code: str, tmp_path: Path) -> None:
    with pytest.raises(FormError) as err:
        read_template(_template(tmp_path / "bad.xlsx", rows))
    assert err.value.code == code


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("序号,姓名\n", encoding="utf-8")
    with pytest.raises(FormError) as err:
        read_template(path)
    assert err.value.code == "not_a_workbook"


@pytest.fixture
def published(manifest: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A data directory whose latest publish was built from `manifest`, as publish writes it."""
    version = tmp_path / "data" / "published" / "v20261130T000000Z"
    version.mkdir(parents=True)
    (version / "manifest.json").write_text(json.dumps({"manifest_path": str(manifest)}), encoding="utf-8")
    (version.parent / "current").symlink_to(version.name, target_is_directory=True)
    yield os.environ | {"ZHONGTAI_DATA_DIR": str(tmp_path / "data"), "DO_NOT_TRACK": "1"}


def test_cli_forms_match_prints_each_item(
    published: dict[str, str], sandbox_forms: tuple[Path, list[dict[str, Any]]]
) -> None:
    folder, truth = sandbox_forms
    form = next(f for f in truth if not f["fully_derivable"] and any(i["group"] for i in f["items"]))
    out = subprocess.run(
        [ZHONGTAI, "forms", "match", str(folder / form["file"]), "--json"],
        env=published,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert [set(i) for i in items] == [{"label", "dataset", "field", "confidence", "reason"}] * len(form["items"])
    assert [i["label"] for i in items] == [i["label"] for i in form["items"]]
    held = [i for i in items if i["dataset"] is None]
    assert held and all(i["field"] is None for i in held)
    table = subprocess.run(
        [ZHONGTAI, "forms", "match", str(folder / form["file"])], env=published, capture_output=True, text=True
    )
    assert table.returncode == 0 and f"of {len(items)} items already held" in table.stdout
    bad = subprocess.run(
        [ZHONGTAI, "forms", "match", str(folder / "nope.xlsx")], env=published, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "not an Excel workbook" in bad.stdout


def test_cli_sandbox_forms_writes_templates_and_truth(tmp_path: Path) -> None:
    env = os.environ | {"ZHONGTAI_DATA_DIR": str(tmp_path / "data"), "DO_NOT_TRACK": "1"}
    out = subprocess.run(
        [ZHONGTAI, "sandbox", "forms", "--count", "40", "--seed", "3"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    sandbox_dir = tmp_path / "data" / "sandbox"
    truth = json.loads((sandbox_dir / "truth" / "forms.json").read_text(encoding="utf-8"))
    summary = json.loads((sandbox_dir / "truth" / "forms_summary.json").read_text(encoding="utf-8"))
    assert len(truth) == 40 == len(list((sandbox_dir / "forms").glob("*.xlsx")))
    derivable = sum(f["fully_derivable"] for f in truth)
    assert summary["fully_derivable_forms"] == derivable and summary["reduction_rate"] == round(derivable / 40, 4)
    assert sum(d["forms"] for d in summary["per_department"].values()) == 40
    assert f"40 forms ({derivable} fully derivable" in out.stdout

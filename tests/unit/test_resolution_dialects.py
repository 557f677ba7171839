"""The person model's SQL per engine: the committed model is person_settings() written for DuckDB, Spark gets the same
levels in its own spelling, and the string measures keep DuckDB's meaning (UTF-8 bytes) on both."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.engines import portable
from orchestration.engines.portable import SPARK_JARO_WINKLER, jaro_winkler_utf8
from orchestration.engines.spark import spark_env, splink_conf
from orchestration.resolution.model import load_person_model, model_for
from zhongtai.settings import Settings


def test_the_committed_model_is_person_settings_written_for_duckdb() -> None:
    """The trained JSON's SQL is what person_settings() renders for DuckDB: rendering for DuckDB changes nothing, so
    DuckDB runs exactly the model as trained (and a comparison changed in code but not retrained fails here)."""
    model = load_person_model()
    assert model_for(model, "duckdb") == model


def test_spark_gets_the_same_parameters_in_its_own_spelling() -> None:
    model = load_person_model()
    spark = model_for(model, "spark")
    conditions = [level["sql_condition"] for c in spark["comparisons"] for level in c["comparison_levels"]]
    assert not [c for c in conditions if "jaro_winkler_similarity" in c or '"' in c]
    byte_view = "decode(encode({}, 'UTF-8'), 'ISO-8859-1')"
    assert any(f"levenshtein({byte_view.format('name_l')}, {byte_view.format('name_r')}) <= 3" in c for c in conditions)
    assert f"{SPARK_JARO_WINKLER}(`address_l`, `address_r`) >= 0.9" in conditions

    def parameters(m: dict) -> list:  # type: ignore[type-arg]
        return [
            (c["output_column_name"], lv.get("label_for_charts"), lv.get("m_probability"), lv.get("u_probability"),
             lv.get("tf_adjustment_column"))
            for c in m["comparisons"] for lv in c["comparison_levels"]
        ]  # fmt: skip

    assert parameters(spark) == parameters(model)
    assert [r["blocking_rule"] for r in spark["blocking_rules_to_generate_predictions"]] == [
        r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]
    ]


def test_duckdb_measures_strings_in_utf8_bytes() -> None:
    """Why utf8_bytes exists: DuckDB 1.5's levenshtein and jaro_winkler_similarity count bytes. Should a DuckDB
    release count characters instead, the trained levels would change meaning on DuckDB: this fails first."""
    with duckdb.connect() as con:
        lev, jw = con.sql("select levenshtein('张伟', '章伟'), jaro_winkler_similarity('张伟', '章伟')").fetchone()  # type: ignore[misc]
    assert lev == 2  # one character, two of its three bytes
    assert jw == pytest.approx(7 / 9)  # over characters: 2/3
    assert portable.utf8_bytes("x", "duckdb") == "x"


def test_the_spark_jaro_winkler_is_duckdbs() -> None:
    """The Python UDF behind portable.jaro_winkler on Spark gives DuckDB's jaro_winkler_similarity, to the bit."""
    import pandas as pd

    pairs = [("佛山市禅城区南庄镇华围上海街84号1708房", "佛山市禅城区南庄镇华围石家庄路385号2006房"), ("张伟", "章伟"),
             ("3201021990010112345", "9131000MA1K2L3M4N"), ("abc", "abd")]  # fmt: skip
    with duckdb.connect() as con:
        duck = [con.execute("select jaro_winkler_similarity(?, ?)", list(p)).fetchone()[0] for p in pairs]  # type: ignore[index]
    udf = jaro_winkler_utf8(pd.Series([p[0] for p in pairs] + [None]), pd.Series([p[1] for p in pairs] + ["x"]))
    assert udf.tolist()[:-1] == duck
    assert pd.isna(udf.tolist()[-1])


def test_full_match_takes_plain_patterns_only() -> None:
    with pytest.raises(ValueError, match="quotes"):
        portable.full_match("x", "it's", "spark")
    assert portable.full_match("x", "[0-9]{17}", "duckdb") == "regexp_full_match(x, '[0-9]{17}')"


def test_splinks_jar_is_there() -> None:
    assert Path(splink_conf()["spark.jars"]).is_file()


def test_every_spark_process_of_a_run_reads_one_conf_under_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPARK_CONF_DIR", raising=False)
    settings = Settings(
        data_dir=tmp_path, engine="spark", spark_master="local[3]", spark_conf={"spark.driver.memory": "3g"}
    )
    env = spark_env(settings)
    lines = (Path(env["SPARK_CONF_DIR"]) / "spark-defaults.conf").read_text(encoding="utf-8").splitlines()
    conf = dict(line.split(" ", 1) for line in lines if not line.startswith("#"))
    assert conf["spark.master"] == "local[3]"
    assert conf["spark.driver.memory"] == "3g"
    assert conf["spark.sql.catalogImplementation"] == "hive"
    root = str(tmp_path.resolve())
    assert root in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert conf["spark.sql.warehouse.dir"].startswith(root) and conf["spark.local.dir"].startswith(root)
    assert env["ZHONGTAI_SPARK_SOURCES"].startswith(root)


def test_a_deployments_spark_conf_dir_is_the_whole_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path / "deployed"))
    settings = Settings(data_dir=tmp_path / "data", engine="spark", spark_conf={"spark.driver.memory": "3g"})
    assert spark_env(settings)["SPARK_CONF_DIR"] == str(tmp_path / "deployed")
    assert not (tmp_path / "data" / "spark" / "conf").exists()

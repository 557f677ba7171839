"""What the command line says when a setting is wrong or a step fails: the setting or the error, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from dagster._utils.error import SerializableErrorInfo
from typer.testing import CliRunner

from orchestration import dbt, execute
from orchestration.execute import RunReport, error_text
from zhongtai.cli import ERROR_LINES, app


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"ZHONGTAI_ENGINE": "bogus"}, "ZHONGTAI_ENGINE='bogus': Input should be 'duckdb' or 'spark'"),
        ({"ZHONGTAI_ROSTER_MIN_CELL": "five"}, "ZHONGTAI_ROSTER_MIN_CELL='five': Input should be a valid integer"),
        ({"ZHONGTAI_SPARK_CONF": "{spark.master: local}"}, "ZHONGTAI_SPARK_CONF: not JSON"),
    ],
)
def test_a_wrong_setting_is_named_and_nothing_runs(tmp_path: Path, env: dict[str, str], said: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zhongtai.cli", "status", "--data-dir", str(tmp_path / "data")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in " ".join(done.stdout.split()), done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "data").exists()


def _error(cls_name: str, message: str, cause: SerializableErrorInfo | None = None) -> SerializableErrorInfo:
    return SerializableErrorInfo(message=message, stack=[], cls_name=cls_name, cause=cause)


def test_a_steps_error_is_the_innermost_one() -> None:
    validation = _error("ValidationError", "1 validation error for Settings\nspark_conf\n  Input should be a dict\n")
    retried = _error("RetryRequestedFromPolicy", "Exceeded max_retries of 2\n", cause=validation)
    assert error_text(retried) == "1 validation error for Settings\nspark_conf\n  Input should be a dict"
    assert error_text(_error("KeyError", "")) == "KeyError"
    assert error_text(None) == "no error was reported"


def test_run_prints_what_failed_each_failed_step(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    long = "\n".join(f"line {n} [of the error]" for n in range(1, ERROR_LINES + 4))
    report = RunReport(
        success=False,
        seconds=1.0,
        failed_steps=["ingest_hukou", "dbt_models"],
        errors={"ingest_hukou": "ConnectionError: 127.0.0.1:9 refused the connection", "dbt_models": long},
    )
    monkeypatch.setattr(execute, "run_all", lambda *args, **kwargs: report)
    monkeypatch.setenv("ZHONGTAI_RUN_IN_PROCESS", "1")
    result = CliRunner().invoke(app, ["run", "--data-dir", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    hukou = lines.index("failed step ingest_hukou")
    assert lines[hukou + 1] == "ConnectionError: 127.0.0.1:9 refused the connection"
    models = lines.index("failed step dbt_models")
    assert lines[models + 1 : models + 1 + ERROR_LINES] == long.splitlines()[:ERROR_LINES]  # markup printed as is
    assert lines[models + 1 + ERROR_LINES] == "… 3 more lines in the Dagster UI's run log"


@pytest.mark.parametrize("command", [["dbt", "prepare"], ["run"], ["forms", "match"]])
def test_a_project_dbt_cannot_parse_is_dbts_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    """A model dbt cannot read (here one cut off mid-expression), as dbt says it, from every command that parses."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: broken\nversion: '1.0'\nprofile: broken\n")
    (project / "profiles.yml").write_text(
        f"broken:\n  target: d\n  outputs:\n    d:\n      type: duckdb\n      path: {tmp_path / 'w.duckdb'}\n"
    )
    (project / "models" / "cut_off.sql").write_text("select {{ ref(\n")
    monkeypatch.setattr(dbt, "assemble_project", lambda registry, root: (project, True))
    monkeypatch.setenv("ZHONGTAI_RUN_IN_PROCESS", "1")
    template = tmp_path / "form.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    book.save(template)
    args = [*command, *([str(template)] if command[0] == "forms" else []), "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert f"✗ dbt cannot parse the project at {project}" in said
    assert "Compilation Error in model cut_off (models/cut_off.sql)" in said
    assert result.exception is None or isinstance(result.exception, SystemExit)

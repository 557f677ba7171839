"""A run's dbt steps start from the parse state of the manifest (dagster-dbt copies `partial_parse.msgpack` into each
invocation's target folder) instead of parsing the whole project again: a full parse is ~17 s of CPU at `tiny`."""

from __future__ import annotations

from orchestration.dbt import project_dir
from zhongtai.settings import Settings


def test_the_runs_dbt_steps_parsed_partially(small_run: Settings) -> None:
    logs = sorted((project_dir(small_run) / "target").glob("dbt_*/dbt.log"))
    steps = {log.parent.name.split("-")[0] for log in logs}
    assert {"dbt_prepare", "dbt_models"} <= steps
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert "Partial parsing enabled" in text, log
        assert "Starting full parse" not in text, log

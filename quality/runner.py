"""Run an expectation suite with Great Expectations on a DataFrame drawn from the warehouse.

GX's SQL path does not work on DuckDB (DESIGN.md §9), so suites validate pandas frames.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from quality.suites import Suite


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | None
    unexpected_count: int
    sample: list[str]  # the shapes of a few unexpected values (see `shape`), never the values themselves

    def __str__(self) -> str:
        where = f" on {self.column}" if self.column else ""
        return f"{self.expectation}{where}: {self.unexpected_count} unexpected, e.g. {self.sample[:3]}"


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    rows: int
    failures: list[Failure]


# Modules GX would import for its Spark integration, which it does not need to validate pandas frames: pyspark
# (installed for dbt-spark, issue 15) costs a second of start-up in every process that validates, and its Spark
# Connect client calls sys.exit(0) on import in a process whose __main__ has no file (pytest-xdist's workers).
_SPARK_HIDDEN_FROM_GX = ("pyspark", "pyspark.sql.connect")


@lru_cache(maxsize=1)
def gx() -> Any:
    """great_expectations, imported with the Spark modules not yet loaded hidden from it (GX then treats Spark as not
    installed); a module loaded already, by dbt-spark in the same process, stays as it is."""
    hidden = [name for name in _SPARK_HIDDEN_FROM_GX if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "import pyspark" raises ImportError while hidden
    try:
        import great_expectations
        import great_expectations.expectations
    finally:
        for name in hidden:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]
    return great_expectations


@lru_cache(maxsize=1)
def _batch_definition() -> Any:
    """One ephemeral GX context with one pandas data asset, built once per process and reused by every suite.

    Building them costs more than most validations (GX serialises its whole project config on each addition),
    and nothing in them depends on the suite: each validation passes its own frame and its own suite.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx().get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("zhongtai").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole")


def shape(value: object) -> str:
    """A value's shape, which says what is wrong with a format without keeping the value: digits → 9, Latin letters →
    A or a, CJK characters → 字, everything else as it is ("4406O4199001O11234" → "9999A99999999A9999",
    "王小明" → "字字字").

    Failed checks are kept in the warehouse and shown in Dagster: their samples may come from any column, ID numbers
    and names included, so only shapes are kept. A one-character value (a code such as "M") says nothing of a person
    and is kept as it is. Long values are cut at 40 characters.
    """
    text = str(value)
    if len(text) <= 1:
        return text
    out = []
    for ch in text[:40]:
        if ch.isdigit():
            out.append("9")
        elif ch.isascii() and ch.isalpha():
            out.append("A" if ch.isupper() else "a")
        elif "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            out.append("字")
        else:
            out.append(ch)
    return "".join(out) + ("…" if len(text) > 40 else "")


def _run(frame: pd.DataFrame, name: str, expectations: list[Any], result_format: str) -> Any:
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    gx_suite = gx().ExpectationSuite(name=name)
    for expectation in expectations:
        gx_suite.add_expectation(expectation)
    return batch.validate(gx_suite, result_format=result_format)


def validate(suite: Suite, frame: pd.DataFrame) -> SuiteResult:
    """Every expectation's verdict first (GX's BOOLEAN_ONLY), then the counts and samples of the failed ones alone.

    Most expectations pass, and a verdict is all a pass needs: SUMMARY makes GX compute each one's unexpected
    values, their counts and a sample as extra metrics, about a third of the CPU of a validation. Each
    expectation is validated on its own terms, so the failed ones validated again give the same counts and samples
    as they would have in the first validation.
    """
    gxe = gx().expectations
    expectations = [getattr(gxe, e.kind)(**e.kwargs) for e in suite.expectations]
    verdicts = _run(frame, suite.name, expectations, "BOOLEAN_ONLY")
    failed = [r.expectation_config.to_domain_obj() for r in verdicts.results if not r.success]
    failures = []
    if failed:
        details = _run(frame, suite.name, failed, "SUMMARY")
        for r in details.results:
            config = r.expectation_config
            info = r.result or {}
            failures.append(
                Failure(
                    expectation=config.type if config else "?",
                    column=(config.kwargs.get("column") if config else None),
                    unexpected_count=int(info.get("unexpected_count") or 0),
                    sample=[shape(v) for v in (info.get("partial_unexpected_list") or [])][:5],
                )
            )
    return SuiteResult(suite.name, bool(verdicts.success), len(verdicts.results), len(frame), failures)

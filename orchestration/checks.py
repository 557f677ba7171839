"""Great Expectations suites as Dagster asset checks; blocking ones stop the publish step."""

import dagster as dg

from orchestration.sources import WAREHOUSE_POOL
from quality.runner import validate
from quality.suites import SUITES, Suite
from zhongtai.duckdb import connect
from zhongtai.settings import Settings


def build_check(suite: Suite, settings: Settings) -> dg.AssetChecksDefinition:
    schema, table = suite.table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, table]),
        name=f"gx_{suite.name}",
        description=suite.description,
        blocking=suite.blocking,
        pool=WAREHOUSE_POOL,
    )
    def _check() -> dg.AssetCheckResult:
        con = connect(settings.warehouse_path, read_only=True, settings=settings, extensions=())
        try:
            frame = con.execute(f"select * from {suite.table}").df()
        finally:
            con.close()
        result = validate(suite, frame)
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
            metadata={
                "rows": result.rows,
                "expectations": result.evaluated,
                "failures": "\n".join(str(f) for f in result.failures) or "none",
            },
        )

    return _check


def build_checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    return [build_check(suite, settings) for suite in SUITES]

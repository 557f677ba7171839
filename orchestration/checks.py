"""Great Expectations suites as Dagster asset checks; blocking ones stop the publish step."""

import dagster as dg
import duckdb

from catalog.datasets import Dataset
from catalog.registry import Registry
from orchestration.sources import WAREHOUSE_POOL
from quality.runner import validate
from quality.suites import Suite, all_suites
from zhongtai.duckdb import connect
from zhongtai.settings import Settings


def build_checks(
    settings: Settings, registry: Registry, datasets: list[Dataset], asset_keys: set[dg.AssetKey]
) -> list[dg.AssetChecksDefinition]:
    """The suites whose table is an asset here, one step per source system (and one for the marts).

    Hundreds of sources give hundreds of suites; one Dagster step each would cost more in step overhead than
    the validation itself, so each group runs in one step over one read-only connection.
    """
    groups: dict[str, list[Suite]] = {}
    for suite in all_suites(registry, datasets):
        if dg.AssetKey(suite.table.split(".")) not in asset_keys:
            continue
        schema, table = suite.table.split(".")
        groups.setdefault(table.split("__")[0] if schema == "raw" else schema, []).append(suite)
    return [build_group_check(name, suites, settings) for name, suites in sorted(groups.items())]


def _result(suite: Suite, con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    key = dg.AssetKey(suite.table.split("."))
    try:
        frame = con.execute(suite.sql).df()
    except duckdb.CatalogException:
        # A registered source that has delivered nothing yet has no raw table: nothing to hold against it.
        return dg.AssetCheckResult(
            asset_key=key, check_name=f"gx_{suite.name}", passed=True, metadata={"note": "not loaded yet"}
        )
    result = validate(suite, frame)
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=f"gx_{suite.name}",
        passed=result.success,
        severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": result.rows,
            "expectations": result.evaluated,
            "failures": "\n".join(str(f) for f in result.failures) or "none",
        },
    )


def build_group_check(name: str, suites: list[Suite], settings: Settings) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            name=f"gx_{s.name}", asset=dg.AssetKey(s.table.split(".")), description=s.description, blocking=s.blocking
        )
        for s in suites
    ]

    @dg.multi_asset_check(specs=specs, name=f"gx_{name}", pool=WAREHOUSE_POOL)
    def _checks():  # type: ignore[no-untyped-def]
        con = connect(settings.warehouse_path, read_only=True, settings=settings, extensions=())
        try:
            for suite in suites:
                yield _result(suite, con)
        finally:
            con.close()

    return _checks

"""Great Expectations suites as Dagster asset checks; blocking ones stop the publish step.

A source suite sees only its source entity's latest delivery. While that entity received nothing new, the
suite would see the very same rows again, so its last result (kept by zhongtai.bookkeeping in the warehouse,
keyed by the suite's definition and the entity's deliveries) is reported again instead of validating anew: a
check that failed keeps failing, with the same failures, until a new delivery or a changed suite decides
otherwise. An entity that never delivered (an upload source's raw table exists, empty, before its first file) is
a state of its deliveries too: validated once, then reused until its first delivery. Mart suites always validate:
the marts are rebuilt on every run.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.metadata import version

import dagster as dg
import duckdb

from catalog.datasets import Dataset
from catalog.registry import Registry
from orchestration.resources import WarehouseResource
from orchestration.sources import WAREHOUSE_POOL
from quality.runner import validate
from quality.suites import Suite, all_suites
from zhongtai import bookkeeping


def build_checks(
    registry: Registry,
    datasets: list[Dataset],
    asset_keys: set[dg.AssetKey],
    ingest_steps: Mapping[dg.AssetKey, str] | None = None,
) -> list[dg.AssetChecksDefinition]:
    """The suites whose table is an asset here, one step per ingest step (and one for the marts).

    Hundreds of sources give hundreds of suites; one Dagster step each would cost more in step overhead than
    the validation itself. A raw table's suites run in a step named after the step that ingests it (one per
    hand-staged system, one per department for the generic legacy systems), each over one connection.
    """
    ingest_steps = ingest_steps or {}
    groups: dict[str, list[Suite]] = {}
    for suite in all_suites(registry, datasets):
        key = dg.AssetKey(suite.table.split("."))
        if key not in asset_keys:
            continue
        schema, table = suite.table.split(".")
        if schema == "raw":
            group = ingest_steps[key].removeprefix("ingest_") if key in ingest_steps else table.split("__")[0]
        else:
            group = schema
        groups.setdefault(group, []).append(suite)
    return [build_group_check(name, suites) for name, suites in sorted(groups.items())]


@lru_cache(maxsize=1)
def _gx_version() -> str:
    return version("great-expectations")


_FINGERPRINTS: dict[int, tuple[Suite, str]] = {}


def suite_fingerprint(suite: Suite) -> str:
    """Changes when the suite does (or the GX that runs it): then no earlier result of it is reused.

    Kept per suite object: the suites are built once with the definitions and never change (frozen), while
    `asdict` deep-copies every expectation's arguments (a third of a reused check's CPU).
    """
    known = _FINGERPRINTS.get(id(suite))
    if known is not None and known[0] is suite:
        return known[1]
    text = json.dumps([asdict(suite), _gx_version()], sort_keys=True, default=str)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    _FINGERPRINTS[id(suite)] = (suite, fingerprint)
    return fingerprint


# What the deliveries of an entity that never delivered are keyed by (an upload source's raw table exists empty
# until its first file): md5 digests are never this.
NO_DELIVERIES = "none"


@dataclass(frozen=True)
class Stored:
    passed: bool
    rows: int
    expectations: int
    failures: str
    run_id: str
    validated_at: dt.datetime


def _stored(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, tuple[str, Stored]]:
    return {name: (row[0], Stored(*row[1:])) for name, row in bookkeeping.stored_suite_results(con, names).items()}


def _check_result(suite: Suite, stored: Stored, *, reused: bool) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(suite.table.split(".")),
        check_name=f"gx_{suite.name}",
        passed=stored.passed,
        severity=dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": stored.rows,
            "expectations": stored.expectations,
            "failures": stored.failures,
            "reused": reused,
            "validated_in_run": stored.run_id,
            "validated_at": stored.validated_at.isoformat(),
            **(
                {"note": "no new delivery since this suite was validated: the result of that validation holds"}
                if reused
                else {}
            ),
        },
    )


def _validate(suite: Suite, con: duckdb.DuckDBPyConnection, run_id: str) -> Stored | None:
    """Validate now; None when the table does not exist yet."""
    try:
        frame = con.execute(suite.sql).df()
    except duckdb.CatalogException:
        return None
    result = validate(suite, frame)
    return Stored(
        passed=result.success,
        rows=result.rows,
        expectations=result.evaluated,
        failures="\n".join(str(f) for f in result.failures) or "none",
        run_id=run_id,
        validated_at=dt.datetime.now(dt.UTC),
    )


def run_suites(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], run_id: str
) -> Iterator[tuple[Suite, Stored | None, bool]]:
    """(suite, result or None when its table does not exist yet, whether the result was reused), suite by suite."""
    deliveries = bookkeeping.delivery_fingerprints(con)
    stored = _stored(con, [s.name for s in suites if s.deliveries_of])
    for suite in suites:
        fingerprint = None
        if suite.deliveries_of:
            fingerprint = f"{suite_fingerprint(suite)}:{deliveries.get(suite.deliveries_of, NO_DELIVERIES)}"
            earlier = stored.get(suite.name)
            if earlier and earlier[0] == fingerprint:
                yield suite, earlier[1], True
                continue
        result = _validate(suite, con, run_id)
        if result is not None and fingerprint is not None:
            bookkeeping.store_suite_result(con, suite.name, fingerprint, list(asdict(result).values()))
        yield suite, result, False


def build_group_check(name: str, suites: list[Suite]) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            name=f"gx_{s.name}", asset=dg.AssetKey(s.table.split(".")), description=s.description, blocking=s.blocking
        )
        for s in suites
    ]

    @dg.multi_asset_check(specs=specs, name=f"gx_{name}", pool=WAREHOUSE_POOL, can_subset=True)
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        selected = context.selected_asset_check_keys
        chosen = [s for s in suites if dg.AssetCheckKey(dg.AssetKey(s.table.split(".")), f"gx_{s.name}") in selected]
        # Read-write, for the results table: the step is in the warehouse pool like every other writer.
        con = warehouse.connect(read_only=False)
        try:
            for suite, result, reused in run_suites(con, chosen, context.run.run_id):
                if result is None:
                    # A registered source that has delivered nothing yet has no raw table: nothing to hold against it.
                    yield dg.AssetCheckResult(
                        asset_key=dg.AssetKey(suite.table.split(".")),
                        check_name=f"gx_{suite.name}",
                        passed=True,
                        metadata={"note": "not loaded yet"},
                    )
                else:
                    yield _check_result(suite, result, reused=reused)
        finally:
            con.close()

    return _checks

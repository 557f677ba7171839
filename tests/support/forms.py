"""The report-form tests' world: a fixture-warehouse publish whose villages carry the district's real codes (accounts
and forms must name real villages), and the accounts of the people who use the form pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.api import published_copy
from tests.support.marts import WAREHOUSE_SQL, rename_villages
from zhongtai.settings import Settings

PASSWORD = "a-long-test-password-12"
DEPARTMENT, OTHER_DEPARTMENT = "区民政局", "区卫生健康局"


def real_villages(count: int = 12) -> list[str]:
    return sorted(accounts.village_names())[:count]


def published_with_real_villages(folder: Path, manifest: Path) -> tuple[Settings, dict[str, str]]:
    """The fixture warehouse with its 12 villages renamed to the district's first 12 codes, published once;
    returns the settings and the renaming (fixture code → real code)."""
    return published_copy(folder / "data", manifest, prepare=_real_village_codes), _renaming()


@cache
def _renaming() -> dict[str, str]:
    """fixture village code → the real code it is given: the i-th in order → the district's i-th."""
    with duckdb.connect() as con:
        con.execute(WAREHOUSE_SQL.read_text(encoding="utf-8"))
        fixture = [r[0] for r in con.execute("select village_code from marts.village order by 1").fetchall()]
    return dict(zip(fixture, real_villages(len(fixture)), strict=True))


def _real_village_codes(con: duckdb.DuckDBPyConnection) -> None:
    rename_villages(con, _renaming(), schema="marts")


def add_form_accounts(settings: Settings, cadre_village: str) -> None:
    """A clerk of DEPARTMENT and one of OTHER_DEPARTMENT, a steward, the village's cadre and another's."""
    upgrade(settings)
    other_village = next(v for v in real_villages() if v != cadre_village)
    with session_scope(settings) as db:
        for username, role, scope in [
            ("clerk", Role.department_reviewer, DEPARTMENT),
            ("clerk-other", Role.department_reviewer, OTHER_DEPARTMENT),
            ("steward", Role.steward, None),
            ("cadre", Role.cadre, cadre_village),
            ("cadre-other", Role.cadre, other_village),
            ("analyst", Role.analyst, None),
        ]:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope)

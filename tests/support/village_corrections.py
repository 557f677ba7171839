"""The correction loop (还数于村) before the later run of the integration tests: through the real app, a village's
cadre corrects one resident's actual address and another's name in the downloaded roster and uploads it; the grid's
department accepts the address, the household register's department rejects the name with a reason. The later
run's rosters then show the one and not the other (test_village_corrections.py)."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import openpyxl

from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Role
from tests.support.api import published_copy
from tests.support.marts import rename_villages
from tests.support.operational import form_token, served_api, sign_in
from zhongtai.settings import Settings

PASSWORD = "a-long-test-password-11"
NEW_ADDRESS = "佛山市禅城区核对更正路11号"
NEW_NAME = "错改的名字"
REJECTION = "户籍登记的姓名无误，请勿更改"
ADDRESS, NAME = "实际居住地地址", "姓名"


# The fixture warehouse's first two villages under codes of the district's real villages, which cadre accounts name.
VILLAGE, OTHER_VILLAGE = "440604010001", "440604010002"
RENAMED = {"440604001001": VILLAGE, "440604001002": OTHER_VILLAGE}


def published_fixture_rosters(data: Path, manifest: Path) -> Settings:
    """The fixture warehouse (villages renamed to real codes) published once: rosters without a pipeline run."""
    return published_copy(data, manifest, prepare=_renamed)


def _renamed(con: duckdb.DuckDBPyConnection) -> None:
    rename_villages(con, RENAMED)


@dataclass(frozen=True)
class VillageCorrections:
    village_code: str
    moved: str  # person key whose actual address was corrected and accepted
    old_address: str | None
    renamed: str  # person key whose name was "corrected" and rejected
    old_name: str
    accepted_id: int
    rejected_id: int
    cadre: str
    reviewers: tuple[str, str]  # (accepting, rejecting)


def _village(settings: Settings) -> str:
    """The first village of the district whose roster has at least two residents."""
    index = json.loads((settings.current_snapshot / "rosters" / "index.json").read_text(encoding="utf-8"))
    known = accounts.village_names()
    return next(
        code for code, v in sorted(index["villages"].items()) if code in known and v["rows"].get("population", 0) >= 2
    )


def edited(workbook: bytes, edits: dict[int, dict[str, object]]) -> bytes:
    """The downloaded workbook with cells of the 人口 sheet changed: {row number: {header: new value}}."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book["人口"]
    headers = [c.value for c in sheet[1]]
    for row, cells in edits.items():
        for title, value in cells.items():
            sheet.cell(row=row, column=headers.index(title) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send_corrections(later: Settings) -> VillageCorrections:
    """Accounts for one village's cadre and the two owning departments, then upload, accept and reject."""
    from apis.corrections.owners import owner_department

    village = _village(later)
    grid, police = owner_department(later, "actual_address"), owner_department(later, "name")
    assert grid and police and grid != police
    upgrade(later)
    with session_scope(later) as db:
        for username, role, scope in [
            ("cadre-loop", Role.cadre, village),
            ("reviewer-grid", Role.department_reviewer, grid),
            ("reviewer-hukou", Role.department_reviewer, police),
        ]:
            accounts.add_account(db, username=username, role=role, password=PASSWORD, scope=scope)
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(later.data_dir), "DO_NOT_TRACK": "1"}
    with served_api(env) as base:
        with closing(sign_in(base, "cadre-loop", PASSWORD)) as cadre:
            original = cadre.get(f"/cadre/{village}/roster.xlsx").content
            rows = list(
                openpyxl.load_workbook(io.BytesIO(original), read_only=True)["人口"].iter_rows(values_only=True)
            )
            headers = list(rows[0])
            moved, renamed = rows[1], rows[2]
            token = form_token(cadre, f"/cadre/{village}/")
            workbook = edited(original, {2: {ADDRESS: NEW_ADDRESS}, 3: {NAME: NEW_NAME}})
            files = {"workbook": ("花名册.xlsx", workbook, "application/octet-stream")}
            page = cadre.post(f"/cadre/{village}/upload", data={"csrf_token": token}, files=files).text
            assert "已提交属主部门审核" in page, page[:2000]
            cases = dict(
                re.findall(r'<tr id="correction-(\d+)" class="status-pending">\s*<td>\d+</td><td>([^<]+)</td>', page)
            )
        ids = {key: int(case) for case, key in cases.items()}
        _decide(base, "reviewer-grid", ids[moved[0]], "accept", "")
        _decide(base, "reviewer-hukou", ids[renamed[0]], "reject", REJECTION)
    return VillageCorrections(
        village_code=village,
        moved=moved[0],
        old_address=moved[headers.index(ADDRESS)],
        renamed=renamed[0],
        old_name=renamed[headers.index(NAME)],
        accepted_id=ids[moved[0]],
        rejected_id=ids[renamed[0]],
        cadre="cadre-loop",
        reviewers=("reviewer-grid", "reviewer-hukou"),
    )


def _decide(base: str, username: str, case: int, decision: str, reason: str) -> None:
    with closing(sign_in(base, username, PASSWORD)) as reviewer:
        token = form_token(reviewer, "/department/corrections/")
        data = {"csrf_token": token, "decision": decision, "reason": reason}
        response = reviewer.post(f"/department/corrections/{case}/decide", data=data)
        assert response.status_code == 303, response.text[:1000]


def population_rows(workbook: bytes) -> list[tuple[object, ...]]:
    """The 人口 sheet as a person's Excel shows it, header first."""
    return list(openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)["人口"].iter_rows(values_only=True))


@contextmanager
def as_cadre(later: Settings) -> Iterator[httpx.Client]:
    """The app started on the later run's data, the loop's cadre signed in."""
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(later.data_dir), "DO_NOT_TRACK": "1"}
    with served_api(env) as base, closing(sign_in(base, "cadre-loop", PASSWORD)) as cadre:
        yield cadre

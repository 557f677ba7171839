"""The sandbox's cadres send their corrections before the later run (还数于村): for every village whose deliveries
carry planted discrepancies, that village's cadre downloads the roster through the real app, keeps the rows of the
residents the sandbox sends back (`sandbox corrections`: fixes, mistakes, confirmations), writes the new values into
them with openpyxl and uploads the workbook; then each owning department's reviewer accepts the fixes and rejects the
mistakes with the sandbox's reason. test_sandbox_corrections.py checks the later run's rosters and metrics against the
ground truth."""

from __future__ import annotations

import io
import json
import os
from contextlib import closing
from dataclasses import dataclass

import openpyxl
import polars as pl
from sqlalchemy import select

from apis.corrections.owners import owner_department
from apis.operational import accounts
from apis.operational.db import session_scope, upgrade
from apis.operational.models import Correction, Role
from sandbox.village_corrections import village_corrections
from tests.support.operational import form_token, served_api, sign_in
from zhongtai.settings import Settings

PASSWORD = "sandbox-cadres-password-11"
SHEET = "人口"


@dataclass(frozen=True)
class SandboxCorrections:
    sent: pl.DataFrame  # the sandbox's corrections, as `village_corrections` writes them
    shown: dict[tuple[str, str], str]  # (person key, attribute) → what the roster showed before the correction
    cases: dict[tuple[str, str], int]  # (person key, attribute) → the case id the app gave it


def send_sandbox_corrections(later: Settings, *, exclude: str | None = None) -> SandboxCorrections:
    """Upload every planted village's corrections (but `exclude`'s, which another test's cadre corrects) and decide
    every case as its owning department, all through the served app."""
    sent = village_corrections(later)
    if exclude:
        sent = sent.filter(pl.col("village_code") != exclude)
    index = json.loads((later.current_snapshot / "rosters" / "index.json").read_text(encoding="utf-8"))
    spec = index["sheets"]["population"]
    title_of = {name: title for title, name in spec["fields"].items()}
    villages = sorted(sent["village_code"].unique().to_list())
    reviewers = {owner_department(later, a) for a in sent["attribute"].drop_nulls().unique().to_list()}
    assert None not in reviewers
    upgrade(later)
    with session_scope(later) as db:
        for code in villages:
            accounts.add_account(db, username=f"sbx-cadre-{code}", role=Role.cadre, password=PASSWORD, scope=code)
        for n, department in enumerate(sorted(reviewers)):  # type: ignore[type-var]
            accounts.add_account(
                db, username=f"sbx-reviewer-{n}", role=Role.department_reviewer, password=PASSWORD, scope=department
            )
    reviewer_of = {department: f"sbx-reviewer-{n}" for n, department in enumerate(sorted(reviewers))}  # type: ignore[type-var]
    shown: dict[tuple[str, str], str] = {}
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(later.data_dir), "DO_NOT_TRACK": "1"}
    with served_api(env) as base:
        for code in villages:
            rows = sent.filter(pl.col("village_code") == code)
            with closing(sign_in(base, f"sbx-cadre-{code}", PASSWORD)) as cadre:
                original = cadre.get(f"/cadre/{code}/roster.xlsx")
                assert original.status_code == 200, original.text[:500]
                workbook, before = _corrected(original.content, rows, spec["key"][0], title_of)
                shown.update(before)
                token = form_token(cadre, f"/cadre/{code}/")
                files = {"workbook": (f"{code}.xlsx", workbook, "application/octet-stream")}
                page = cadre.post(f"/cadre/{code}/upload", data={"csrf_token": token}, files=files).text
                assert "已提交属主部门审核" in page, page[:3000]
        with session_scope(later) as db:
            found = db.execute(
                select(Correction.id, Correction.person_key, Correction.attribute, Correction.department).where(
                    Correction.village_code.in_(villages), Correction.attribute.is_not(None)
                )
            ).all()
        cases = {(key, attribute): case for case, key, attribute, _ in found}
        departments = {case: department for case, _, _, department in found}
        decided = sent.filter(pl.col("decision").is_not_null())
        assert set(cases) == set(zip(decided["person_key"], decided["attribute"], strict=True)), "one case per change"
        for department, username in reviewer_of.items():
            with closing(sign_in(base, username, PASSWORD)) as reviewer:
                token = form_token(reviewer, "/department/corrections/")
                for row in decided.iter_rows(named=True):
                    case = cases[(row["person_key"], row["attribute"])]
                    if departments[case] != department:
                        continue
                    data = {"csrf_token": token, "decision": row["decision"], "reason": row["reason"] or ""}
                    response = reviewer.post(f"/department/corrections/{case}/decide", data=data)
                    assert response.status_code == 303, response.text[:1000]
    return SandboxCorrections(sent, shown, cases)


def _corrected(
    workbook: bytes, rows: pl.DataFrame, key_title: str, title_of: dict[str, str]
) -> tuple[bytes, dict[tuple[str, str], str]]:
    """The roster with only the residents sent back left (the other rows emptied) and the sandbox's new values
    written in; returns it with what the roster showed in each corrected cell."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book[SHEET]
    headers = [c.value for c in sheet[1]]
    key_column = headers.index(key_title)
    changes: dict[str, list[tuple[str, str]]] = {}
    for row in rows.iter_rows(named=True):
        changes.setdefault(row["person_key"], [])
        if row["attribute"] is not None:
            changes[row["person_key"]].append((row["attribute"], row["new_value"]))
    shown: dict[tuple[str, str], str] = {}
    found = set()
    for cells in sheet.iter_rows(min_row=2):
        key = cells[key_column].value
        if key not in changes:
            for cell in cells:
                cell.value = None
            continue
        found.add(key)
        for attribute, value in changes[key]:
            cell = cells[headers.index(title_of[attribute])]
            shown[(key, attribute)] = _text(cell.value)
            cell.value = value
    missing = set(changes) - found
    assert not missing, f"residents the sandbox sends back but the roster lacks: {sorted(missing)[:5]}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), shown


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()  # type: ignore[no-any-return]
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)

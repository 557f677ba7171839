"""Village cadres' pages (还数于村): each cadre sees their own village only — its roster overview and downloads."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentCadre, Principal, in_scope
from apis.corrections.metrics import refresh_applied, village_metrics
from apis.corrections.problems import problems_path, write_problems
from apis.corrections.submit import earlier_upload, submit
from apis.deps import SettingsDep
from apis.operational.accounts import village_names
from apis.operational.db import session_scope
from apis.operational.models import Correction
from apis.pages.cadre_rosters import DOWNLOADS, record, record_download, village_roster
from apis.roster_upload import MAX_BYTES, UploadCheck, check_upload
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/cadre", include_in_schema=False)

SHEET_TITLES = {"population": "人口", "legal_persons": "法人", "houses": "房屋"}
STATUS_TITLES = {"confirmed": "核对无误", "pending": "待审核", "accepted": "已采纳", "rejected": "不采纳"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGE_TITLES = {"added": "新增", "removed": "移出", "changed": "变更"}


@router.get("/")
def cadre_home(cadre: CurrentCadre) -> Response:
    """Cadre: go to the page of the village the account is scoped to."""
    return RedirectResponse(f"/cadre/{cadre.scope}/", status_code=303)


@router.get("/{village_code}/")
def village(request: Request, cadre: CurrentCadre, settings: SettingsDep, village_code: str) -> Response:
    """Cadre of this village only (another village's code answers 404): counts, last refresh, changes, downloads."""
    in_scope(cadre, village_code)
    return village_page(request, cadre, settings, village_code)


def village_page(
    request: Request,
    cadre: Principal,
    settings: Settings,
    village_code: str,
    upload: UploadCheck | None = None,
    problems_url: str | None = None,
) -> Response:
    roster = village_roster(settings, village_code)
    name = (roster.summary.get("name") if roster else None) or village_names().get(village_code, village_code)
    with session_scope(settings) as db:
        refresh_applied(db, settings)
        metrics = village_metrics(db, settings, [village_code])
        corrections = db.scalars(
            select(Correction)
            .where(Correction.village_code == village_code, Correction.status != "confirmed")
            .order_by(Correction.id.desc())
            .limit(200)
        ).all()
    return render(
        request,
        "cadre/village.html",
        principal=cadre,
        heading=f"{name} 村（居）数据",
        village_code=village_code,
        village_name=name,
        roster=roster,
        sheet_titles=SHEET_TITLES,
        change_titles=CHANGE_TITLES,
        upload=upload,
        problems_url=problems_url,
        metrics=metrics,
        corrections=corrections,
        status_titles=STATUS_TITLES,
    )


@router.post("/{village_code}/upload", dependencies=[CsrfChecked])
async def upload(
    request: Request,
    cadre: CurrentCadre,
    settings: SettingsDep,
    village_code: str,
    workbook: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Cadre of this village only: a corrected roster checked row by row against the version serving now. Each bad
    row comes back with its reasons (on the page and as a sheet) and nothing is applied; a roster without bad rows
    becomes corrections and confirmations, dropped for the pipeline; the same file is taken once (all audited)."""
    in_scope(cadre, village_code)
    roster = village_roster(settings, village_code)
    result: UploadCheck | None = None
    problems_url = None
    if roster is None:
        result = UploadCheck("尚未发布本村（居）的花名册，无法核对")
    elif workbook is None or not workbook.filename:
        result = UploadCheck("请选择要上传的花名册文件")
    else:
        data = await workbook.read(MAX_BYTES + 1)
        sha256 = hashlib.sha256(data).hexdigest()
        result = check_upload(data, village_code, roster)
        what = {"village_code": village_code, "version": roster.version, "file": workbook.filename, "sha256": sha256}
        with session_scope(settings) as db:
            earlier = earlier_upload(db, village_code, sha256) if result.ok else None
            if earlier is not None:
                result = UploadCheck(
                    f"这个文件已于 {earlier.uploaded_at:%Y-%m-%d %H:%M} UTC 上传过（{earlier.file_name}），不再重复处理"
                )
                what["duplicate_of"] = earlier.delivery_file
            elif result.ok:
                what["delivery"] = submit(
                    db, settings, cadre, roster, village_code, workbook.filename, sha256, result
                ).delivery_file
        if result.problems:
            write_problems(settings, village_code, sha256, result.problems)
            problems_url = f"/cadre/{village_code}/problems/{sha256}.xlsx"
        record(
            settings,
            cadre,
            "roster_upload",
            {
                **what,
                "accepted": result.ok,
                "bad_rows": len(result.problems),
                "corrected": result.corrected if result.ok else 0,
                "confirmed": result.confirmed if result.ok else 0,
                "person_keys": result.person_keys,
            },
        )
    return village_page(request, cadre, settings, village_code, upload=result, problems_url=problems_url)


@router.get("/{village_code}/roster.xlsx")
def download_workbook(cadre: CurrentCadre, settings: SettingsDep, village_code: str) -> Response:
    """Cadre of this village only: the roster workbook of the version serving now (audited)."""
    return _download(cadre, settings, village_code, "xlsx")


@router.get("/{village_code}/roster.csv")
def download_csv(cadre: CurrentCadre, settings: SettingsDep, village_code: str) -> Response:
    """Cadre of this village only: the population sheet as CSV of the version serving now (audited)."""
    return _download(cadre, settings, village_code, "csv")


def _download(cadre: Principal, settings: Settings, village_code: str, kind: str) -> Response:
    """The file, recorded in the audit log; back to the village page while no roster is published."""
    in_scope(cadre, village_code)
    roster = village_roster(settings, village_code)
    if roster is None or not roster.file(village_code, kind).is_file():
        return RedirectResponse(f"/cadre/{village_code}/", status_code=303)
    record_download(settings, cadre, roster, village_code, kind)
    path = roster.file(village_code, kind)
    return FileResponse(path, media_type=DOWNLOADS[kind][1], filename=f"{village_code}-{roster.version}.{kind}")


@router.get("/{village_code}/problems/{sha256}.xlsx")
def download_problems(cadre: CurrentCadre, settings: SettingsDep, village_code: str, sha256: str) -> Response:
    """Cadre of this village only: the bad rows of an upload and their reasons, as a sheet (404 for any other)."""
    in_scope(cadre, village_code)
    path = problems_path(settings, village_code, sha256)
    if path is None or not path.is_file():
        raise HTTPException(status_code=404, detail="没有这份上传的问题清单")
    record(settings, cadre, "roster_problems_download", {"village_code": village_code, "sha256": sha256})
    return FileResponse(path, media_type=XLSX, filename=f"{village_code}-问题行-{sha256[:8]}.xlsx")

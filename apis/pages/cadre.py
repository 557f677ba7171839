"""Village cadres' pages (还数于村): each cadre sees their own village only — its roster overview and downloads."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentCadre, Principal, in_scope
from apis.deps import SettingsDep
from apis.operational.accounts import village_names
from apis.pages.cadre_rosters import DOWNLOADS, record, record_download, village_roster
from apis.roster_upload import MAX_BYTES, UploadCheck, check_upload
from apis.templating import render
from zhongtai.settings import Settings

router = APIRouter(prefix="/cadre", include_in_schema=False)

SHEET_TITLES = {"population": "人口", "legal_persons": "法人", "houses": "房屋"}
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
    request: Request, cadre: Principal, settings: Settings, village_code: str, upload: UploadCheck | None = None
) -> Response:
    roster = village_roster(settings, village_code)
    name = (roster.summary.get("name") if roster else None) or village_names().get(village_code, village_code)
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
    )


@router.post("/{village_code}/upload", dependencies=[CsrfChecked])
async def upload(
    request: Request,
    cadre: CurrentCadre,
    settings: SettingsDep,
    village_code: str,
    workbook: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Cadre of this village only: a corrected roster checked row by row against the version serving now; each bad
    row comes back with its reasons and nothing is applied (audited with the rows' persons)."""
    in_scope(cadre, village_code)
    roster = village_roster(settings, village_code)
    result: UploadCheck | None = None
    if roster is None:
        result = UploadCheck("尚未发布本村（居）的花名册，无法核对")
    elif workbook is None or not workbook.filename:
        result = UploadCheck("请选择要上传的花名册文件")
    else:
        data = await workbook.read(MAX_BYTES + 1)
        result = check_upload(data, village_code, roster)
        record(
            settings,
            cadre,
            "roster_upload",
            {
                "village_code": village_code,
                "version": roster.version,
                "file": workbook.filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "accepted": result.ok,
                "bad_rows": len(result.problems),
                "person_keys": result.person_keys,
            },
        )
    return village_page(request, cadre, settings, village_code, upload=result)


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

"""What the department, steward and cadre form pages share: how a form's gate answer is shown, and the audited
download of a form filled for one village."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from apis import audit_trail
from apis.auth import Principal
from apis.form_fill import NotPublished, filled_workbook, forms_database
from apis.operational import forms
from apis.operational.accounts import village_names
from apis.operational.models import ReportForm
from zhongtai.settings import Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_TITLES = {
    "refused": "不予下发：全部数据项平台已有，改为自动报表",
    "prefilled": "准予下发：部分数据项由平台预填",
    "allowed": "准予下发：平台暂无其中的数据项",
}
DOWNLOAD_TITLES = {"refused": "自动报表", "prefilled": "预填报表", "allowed": "空白表样"}


def form_page_context(settings: Settings, db: Session, form: ReportForm, link: str) -> dict[str, Any]:
    """A form's items with what each derives from, the other forms asking for the same, and its downloads."""
    try:
        forms_database(settings)
        published = True
    except NotPublished:
        published = False
    names = village_names()
    return {
        "heading": f"《{form.title}》",
        "form": form,
        "status_title": STATUS_TITLES[form.status],
        "download_title": DOWNLOAD_TITLES[form.status],
        "frequency": forms.FREQUENCIES.get(form.frequency, form.frequency),
        "held": sum(i.derivable for i in form.items),
        "duplicates": forms.duplicates(db, form),
        "downloads": [(v.code, names.get(v.code, v.code), link.format(code=v.code)) for v in form.villages],
        "published": published,
    }


def download(settings: Settings, who: Principal, form: ReportForm, village: str) -> Response:
    """The filled workbook as an attachment; recorded in the audit log (it may hold the village's people)."""
    data, filled = filled_workbook(settings, form, village, village_names().get(village, village))
    audit_trail.record(
        settings, who, "填表报数：按报表格式导出本村（居）已有数据", "form_download",
        {"form_id": form.id, "village_code": village, "version": filled.version, "rows": filled.rows},
    )  # fmt: skip
    name = f"form-{form.id}-{village}-{filled.version}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})

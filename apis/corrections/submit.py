"""A roster that passed the row-by-row check becomes corrections: one case per changed attribute, for the department
that owns it, and one "confirmed, no change" per row returned as it was. They are kept in the operational database
and dropped as one delivery of the village-verification source; the same file is taken once per village."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from apis.auth import Principal
from apis.corrections.delivery import SOURCE_ID, write_delivery
from apis.corrections.owners import owner_department
from apis.operational.models import Correction, CorrectionStatus, CorrectionUpload, now
from apis.pages.cadre_rosters import VillageRoster
from apis.roster_upload import SHEET, UploadCheck
from catalog.registry import load_registry, registry_dirs
from zhongtai.settings import Settings


def earlier_upload(db: Session, village_code: str, sha256: str) -> CorrectionUpload | None:
    """The upload of this very file to this village, if it was taken already."""
    return db.scalar(
        select(CorrectionUpload).where(CorrectionUpload.village_code == village_code, CorrectionUpload.sha256 == sha256)
    )


def _fallback_department(settings: Settings) -> str:
    return load_registry(*registry_dirs(settings.registry_dirs))[SOURCE_ID].owner_department


def submit(
    db: Session,
    settings: Settings,
    cadre: Principal,
    roster: VillageRoster,
    village_code: str,
    file_name: str,
    sha256: str,
    check: UploadCheck,
) -> CorrectionUpload:
    """Record the upload's corrections and confirmations and drop them for the pipeline (in the caller's unit of
    work: if the file cannot be written, nothing is recorded)."""
    assert check.ok, "only a roster without bad rows is taken"
    fields: dict[str, str] = roster.sheets[SHEET].get("fields", {})
    at = now()
    upload = CorrectionUpload(
        village_code=village_code,
        account_id=cadre.account_id,
        username=cadre.username,
        file_name=file_name[:255],
        sha256=sha256,
        roster_version=roster.version,
        delivery_file="",
        uploaded_at=at,
    )
    db.add(upload)
    for row in check.rows:
        common = {"village_code": village_code, "person_key": row.key, "row_number": row.row}
        if not row.changes:
            upload.corrections.append(
                Correction(**common, status=CorrectionStatus.confirmed, submitted_by=cadre.username, submitted_at=at)
            )
        for title, old, new in row.changes:
            attribute = fields.get(title, title)
            upload.corrections.append(
                Correction(
                    **common,
                    attribute=attribute,
                    title=title,
                    old_value=old or None,
                    new_value=new,
                    department=owner_department(settings, attribute) or _fallback_department(settings),
                    status=CorrectionStatus.pending,
                    submitted_by=cadre.username,
                    submitted_at=at,
                )
            )
    db.flush()  # ids for the delivery
    path = write_delivery(
        settings,
        "corrections",
        f"{village_code}_{upload.id:08d}",
        (
            {
                "correction_id": c.id,
                "upload_sha256": sha256,
                "village_code": village_code,
                "roster_person_key": c.person_key,
                "attribute": c.attribute,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "department": c.department,
                "cadre": c.submitted_by,
                "submitted_at": c.submitted_at,
            }
            for c in upload.corrections
        ),
    )
    upload.delivery_file = path.name
    return upload

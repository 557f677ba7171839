"""Department reviewers decide the applications for their department's conditional datasets, and see those
datasets' usage; every grant and refusal goes into the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from apis.auth import CsrfChecked, CurrentReviewer, Principal, record
from apis.deps import OperationalDb, SettingsDep
from apis.operational import applications
from apis.operational.models import DataApplication, now
from apis.pages.enterprise import published_datasets
from apis.templating import render

router = APIRouter(prefix="/department/applications", include_in_schema=False)


def _own(db: OperationalDb, reviewer: Principal, application_id: int) -> DataApplication:
    """An application for this reviewer's department; another department's answers 404."""
    found = applications.of_department(db, reviewer.scope, application_id)
    if found is None:
        raise HTTPException(status_code=404, detail="没有此申请 (no such application)")
    return found


@router.get("/")
def applications_home(
    request: Request, reviewer: CurrentReviewer, db: OperationalDb, settings: SettingsDep
) -> Response:
    """Department reviewer: the department's applications (pending first) and its datasets' usage."""
    owned = [d["id"] for d in published_datasets(settings).values() if d["owner_department"] == reviewer.scope]
    return render(
        request,
        "department/applications.html",
        principal=reviewer,
        applications=applications.list_for_department(db, reviewer.scope),
        usage=applications.usage_of_datasets(db, owned),
        now=now(),
    )


def _detail(
    request: Request, reviewer: Principal, found: DataApplication, error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "department/application.html",
        principal=reviewer,
        application=found,
        error=error,
        now=now(),
        status_code=status,
    )


@router.get("/{application_id}")
def application_page(request: Request, reviewer: CurrentReviewer, db: OperationalDb, application_id: int) -> Response:
    """Department reviewer, own department's applications only."""
    return _detail(request, reviewer, _own(db, reviewer, application_id))


def _decide(
    request: Request,
    reviewer: Principal,
    db: OperationalDb,
    settings: SettingsDep,
    application_id: int,
    **how: str | bool,
) -> Response:
    found = _own(db, reviewer, application_id)
    try:
        applications.decide(db, found, by=reviewer.username, **how)  # type: ignore[arg-type]
    except applications.ApplicationError as exc:
        return _detail(request, reviewer, found, error=str(exc), status=400)
    record(
        settings,
        who=reviewer.username,
        role=reviewer.role.value,
        action="application_approved" if how["approve"] else "application_rejected",
        what={
            "application": found.id,
            "uscc": found.enterprise.uscc,
            "dataset": found.dataset_id,
            "fields": found.field_list,
            "expires_at": found.expires_at.isoformat(),
            "reason": found.reason,
        },
    )
    return RedirectResponse(f"/department/applications/{found.id}", status_code=303)


@router.post("/{application_id}/approve", dependencies=[CsrfChecked])
def approve(
    request: Request, reviewer: CurrentReviewer, db: OperationalDb, settings: SettingsDep, application_id: int
) -> Response:
    """Department reviewer: grant the application's fields until its expiry."""
    return _decide(request, reviewer, db, settings, application_id, approve=True)


@router.post("/{application_id}/reject", dependencies=[CsrfChecked])
def reject(
    request: Request,
    reviewer: CurrentReviewer,
    db: OperationalDb,
    settings: SettingsDep,
    application_id: int,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Department reviewer: refuse the application, with a reason the enterprise sees."""
    return _decide(request, reviewer, db, settings, application_id, approve=False, reason=reason)

"""Deciding one case of a review queue (a department's village corrections, a steward's person matches): the decision
is stored and dropped as its own delivery in one transaction, then audited; a refused decision shows the queue again
with why, and a case that is not found answers 404."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from apis.corrections.delivery import write_delivery
from apis.operational.db import session_scope
from zhongtai.settings import Settings


class DecisionRefused(Exception):
    """A decision that cannot be taken; `message` says why, for the page (404: no such case)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def drop_decision(settings: Settings, source_id: str, decision_id: int, row: Mapping[str, Any]) -> Path:
    """One decision as its own delivery of the upload source `source_id`: `decisions_<id>.csv`, never rewritten."""
    return write_delivery(settings, "decisions", f"{decision_id:010d}", [row], source_id=source_id)


def decide_queued_case(
    settings: Settings,
    decide: Callable[[Session], dict[str, Any]],
    audit: Callable[[dict[str, Any]], None],
    queue_page: Callable[[str, int], Response],
    then: str,
) -> Response:
    """Run `decide` in one transaction; it returns what the audit event says of the decision. Once committed, audit
    it and send the browser to `then` (303). Refused: 404 as an error page, anything else as the queue page with the
    message and its status."""
    try:
        with session_scope(settings) as db:
            what = decide(db)
    except DecisionRefused as refused:
        if refused.status_code == 404:
            raise HTTPException(status_code=404, detail=refused.message) from None
        return queue_page(refused.message, refused.status_code)
    audit(what)
    return RedirectResponse(then, status_code=303)

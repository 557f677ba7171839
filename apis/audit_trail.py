"""One line to put a signed-in person's action into the hash-chained audit log, with what it concerned."""

from __future__ import annotations

from typing import Any

from apis.auth import Principal
from zhongtai import audit
from zhongtai.settings import Settings


def record(settings: Settings, principal: Principal, purpose: str, action: str, what: dict[str, Any]) -> None:
    """`what` names the person keys concerned under "person_keys", so `zhongtai audit who-looked-at` finds it."""
    audit.append(
        audit.log_path(settings.root),
        who=principal.username,
        role=principal.role.value,
        purpose=purpose,
        action=action,
        what=what,
    )

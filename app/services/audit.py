"""Writing the audit trail: who did what to which object, with what result (UTC)."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEntry, User


def record_audit(
    action: str,
    *,
    actor: User | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    result: str = "ok",
    detail: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        result=result,
        detail=(detail or None) and detail[:500],
    )
    db.session.add(entry)
    return entry

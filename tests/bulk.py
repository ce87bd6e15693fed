"""Many reports at once, for tests and measurements at real size: plain INSERTs through
SQLAlchemy Core (executemany), not through the services, so 10,000 reports take seconds.
No events, no search index, no mail: only what the board and the lists read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Report, Support
from app.models.base import utcnow

# Per hundred reports: the status and, for ended ones, whether that was recent.
STATUS_MIX = (
    [("new", False)] * 40
    + [("in_progress", False)] * 25
    + [("escalated", False)] * 15
    + [("resolved", True)] * 5
    + [("explained", True)] * 3
    + [("merged", True)] * 2
    + [("resolved", False)] * 10
)


def fill_reports(
    count: int,
    *,
    departments: list[int],
    coaches: list[int],
    reporters: list[int],
    supporters: list[int] = (),
    now: datetime | None = None,
    chunk: int = 5000,
) -> None:
    """Insert `count` reports spread over statuses, departments, coaches and three years;
    one in eight has up to three supporters. Call inside an app context; commits."""
    now = now or utcnow()
    year = now.year
    first = (db.session.scalar(select(func.max(Report.number)).where(Report.year == year)) or 0) + 1
    first_id = (db.session.scalar(select(func.max(Report.id))) or 0) + 1
    rows, supports = [], []
    for i in range(count):
        status, recent = STATUS_MIX[i % len(STATUS_MIX)]
        created = now - timedelta(minutes=37 * (count - i))
        if status in ("new", "in_progress", "escalated"):
            # Every fifth open report has been quiet for 30 days or more.
            activity = created if i % 5 else min(created, now - timedelta(days=30 + i % 40))
        else:
            activity = now - timedelta(days=(i % 20) if recent else 200 + i % 300)
        activity = max(activity, created)
        rows.append(
            {
                "id": first_id + i,
                "year": year,
                "number": first + i,
                "rule": f"Regel {first + i}: formulier vraagt {('papier', 'handtekening', 'bewijs')[i % 3]} opnieuw",
                "problem": "Inwoners moeten opnieuw langskomen.",
                "origin": "unknown",
                "department_id": departments[i % len(departments)] if departments and i % 6 else None,
                "reporter_id": reporters[i % len(reporters)],
                "is_anonymous": False,
                "status": status,
                "assignee_id": None if status == "new" else coaches[i % len(coaches)],
                "version": 1 if status == "new" else 3,
                "last_activity_at": activity,
                "resolved_at": activity if status == "resolved" else None,
                "created_at": created,
                "updated_at": activity,
            }
        )
        if supporters and i % 8 == 0:
            for supporter in supporters[: 1 + i % 3]:
                supports.append(
                    {"report_id": first_id + i, "user_id": supporter, "anonymous": False, "created_at": created}
                )
        if len(rows) >= chunk:
            db.session.execute(insert(Report.__table__), rows)
            rows = []
    if rows:
        db.session.execute(insert(Report.__table__), rows)
    if supports:
        db.session.execute(insert(Support.__table__), supports)
    if db.engine.dialect.name == "postgresql":
        # Explicit ids: move the sequence past them.
        db.session.execute(
            select(
                func.setval(func.pg_get_serial_sequence("report", "id"), select(func.max(Report.id)).scalar_subquery())
            )
        )
    db.session.commit()

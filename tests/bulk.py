"""Many reports at once, for lists at real size (browser tests, statement counts, the
Mijn meldingen measurement): rows written with one executemany per table, not through
app.services.reports (which takes about a millisecond per report). Only what a list needs:
the report, its 'submitted' event, and optionally a coach's step and supports. The search
index is not filled (its mapper events do not see core inserts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.anonymity import pseudonym
from app.extensions import db
from app.models import Event, Report, Support, User
from app.models.base import utcnow

BULK_YEAR = 2025


def bulk_reports(
    reporter: User,
    count: int,
    *,
    anonymous_every: int = 0,
    taken_on_by: User | None = None,
    department_ids: tuple[int, ...] = (),
    supporters: tuple[User, ...] = (),
    rule: str = "Bulkregel {i} die in de weg zit",
    newest: datetime | None = None,
) -> list[int]:
    """`count` reports by `reporter`, one minute apart (all before `newest`, default now);
    every `anonymous_every`-th one anonymous. With `taken_on_by` every other report is in
    progress, with a public status step by that coach that is later than the report itself
    (so newest activity and newest report differ). Each of `supporters` supports every
    report. Returns the ids, oldest first. The caller commits."""
    newest = newest or utcnow()
    first = (db.session.scalar(db.select(db.func.max(Report.number)).where(Report.year == BULK_YEAR)) or 0) + 1
    own_pseudonym = pseudonym(reporter.id)
    rows = []
    for i in range(count):
        created = newest - timedelta(minutes=2 * count - i)
        anonymous = bool(anonymous_every) and i % anonymous_every == 0
        taken = taken_on_by is not None and i % 2 == 1
        rows.append(
            {
                "year": BULK_YEAR,
                "number": first + i,
                "rule": rule.format(i=i),
                "problem": f"Het gaat mis bij melding {i}.",
                "origin": "unknown",
                "department_id": department_ids[i % len(department_ids)] if department_ids else None,
                "reporter_id": None if anonymous else reporter.id,
                "reporter_pseudonym": own_pseudonym if anonymous else None,
                "is_anonymous": anonymous,
                "status": "in_progress" if taken else "new",
                "assignee_id": taken_on_by.id if taken else None,
                "version": 1,
                # A step taken later moves a report up: 'newest activity' is not 'newest report'.
                "last_activity_at": created + timedelta(minutes=count) if taken else created,
                "created_at": created,
                "updated_at": created,
            }
        )
    db.session.execute(Report.__table__.insert(), rows)
    ids = list(
        db.session.scalars(
            db.select(Report.id)
            .where(Report.year == BULK_YEAR, Report.number.between(first, first + count - 1))
            .order_by(Report.number)
        )
    )
    events = []
    for report_id, row in zip(ids, rows, strict=True):
        events.append(
            {
                "report_id": report_id,
                "actor_id": row["reporter_id"],
                "kind": "submitted",
                "from_status": None,
                "to_status": "new",
                "text": "Anoniem gemeld." if row["is_anonymous"] else None,
                "is_public": True,
                "created_at": row["created_at"],
            }
        )
        if row["status"] == "in_progress":
            events.append(
                {
                    "report_id": report_id,
                    "actor_id": row["assignee_id"],
                    "kind": "status_changed",
                    "from_status": "new",
                    "to_status": "in_progress",
                    "text": None,
                    "is_public": True,
                    "created_at": row["last_activity_at"],
                }
            )
    db.session.execute(Event.__table__.insert(), events)
    if supporters:
        db.session.execute(
            Support.__table__.insert(),
            [
                {"report_id": report_id, "user_id": supporter.id, "anonymous": False, "created_at": row["created_at"]}
                for supporter in supporters
                for report_id, row in zip(ids, rows, strict=True)
            ],
        )
    return ids

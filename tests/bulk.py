"""Many reports at once, for lists and the board at real size (browser tests, statement
counts, measurements): rows written with one executemany per table through SQLAlchemy Core,
not through app.services.reports (about a millisecond per report), so 10,000 reports take
seconds. Only what the board and the lists read, and no mail; bulk_reports also fills the
search index (the mapper events that do it per report do not see core inserts).

bulk_reports: one user's reports (Mijn meldingen), with optional steps and supports.
fill_reports: a board's worth of reports by many, in a mix of statuses."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.anonymity import pseudonym
from app.extensions import db
from app.models import Event, Report, Support, User
from app.models.base import utcnow
from app.search import index_row, write_index

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
    # The search index, as app.search writes it for each report (Alle meldingen searches it).
    write_index(
        db.session.connection(), [index_row(i, row["rule"], row["problem"]) for i, row in zip(ids, rows, strict=True)]
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

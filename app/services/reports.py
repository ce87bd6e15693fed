"""The red button: submitting reports, supporting them, and what a reporter may see."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_, text
from sqlalchemy.exc import IntegrityError

from app.anonymity import is_reporter, pseudonym, reported_by, supported_by
from app.clock import local
from app.extensions import db
from app.models import Department, Event, Origin, Report, ReportStatus, Support, User
from app.models.base import INT_MAX, utcnow
from app.models.report import NOTE_MAX, REFERENCE_MAX, REFERENCE_YEARS, RULE_MAX, TEXT_MAX, EventKind
from app.services import DomainError

REFERENCE_RE = re.compile(r"^RK-([0-9]{4})-([0-9]{4,10})$", re.IGNORECASE)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field: str, message: str, maximum: int) -> str:
    value = _clean(value)
    if not value:
        raise DomainError(message, field=field)
    if len(value) > maximum:
        raise DomainError(f"Gebruik maximaal {maximum} tekens.", field=field)
    return value


def _optional(value: str | None, field: str, maximum: int) -> str | None:
    value = _clean(value)
    if len(value) > maximum:
        raise DomainError(f"Gebruik maximaal {maximum} tekens.", field=field)
    return value or None


def record_event(
    report: Report,
    kind: EventKind,
    *,
    actor: User | None,
    text: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    is_public: bool = True,
    at: datetime | None = None,
) -> Event:
    """Append a line to the report's timeline. Events are never changed afterwards."""
    event = Event(
        created_at=at or utcnow(),
        report=report,
        actor_id=actor.id if actor is not None else None,
        kind=kind.value,
        text=text,
        from_status=from_status,
        to_status=to_status,
        is_public=is_public,
    )
    db.session.add(event)
    return event


# Serialises numbering on PostgreSQL for the rest of the transaction (SQLite already
# serialises writers: every write transaction starts IMMEDIATE).
REPORT_NUMBER_LOCK = 7_531_595


def _next_number(year: int) -> int:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REPORT_NUMBER_LOCK})
    current = db.session.scalar(db.select(db.func.max(Report.number)).where(Report.year == year))
    return (current or 0) + 1


def find_by_submission_key(reporter: User, key: str | None) -> Report | None:
    if not key:
        return None
    return db.session.scalar(db.select(Report).where(Report.submission_key == key, reported_by(reporter)))


def submit_report(
    reporter: User,
    *,
    rule: str,
    problem: str,
    effect: str | None = None,
    suggestion: str | None = None,
    origin: str = Origin.UNKNOWN.value,
    department_id: int | None = None,
    anonymous: bool = False,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Record a new report. Submitting the same form twice returns the first report."""
    rule = _required(rule, "rule", "Vul in welke regel u tegenaan loopt.", RULE_MAX)
    problem = _required(problem, "problem", "Beschrijf wat er misgaat.", TEXT_MAX)
    effect = _optional(effect, "effect", TEXT_MAX)
    suggestion = _optional(suggestion, "suggestion", TEXT_MAX)
    if origin not in {o.value for o in Origin}:
        raise DomainError("Kies een van de mogelijkheden.", field="origin")
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None or not department.active:
            raise DomainError("Kies een afdeling uit de lijst.", field="department_id")

    existing = find_by_submission_key(reporter, submission_key)
    if existing is not None:
        return existing

    now = now or utcnow()
    year = local(now).year
    for _attempt in range(5):
        report = Report(
            year=year,
            number=_next_number(year),
            rule=rule,
            problem=problem,
            effect=effect,
            suggestion=suggestion,
            origin=origin,
            department=department,
            # Anonymous: only the keyed pseudonym, never the id (app.anonymity).
            reporter_id=None if anonymous else reporter.id,
            reporter_pseudonym=pseudonym(reporter.id) if anonymous else None,
            is_anonymous=anonymous,
            status=ReportStatus.NEW.value,
            submission_key=submission_key or None,
            created_at=now,
            updated_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except IntegrityError:
            # Another submission took this number at the same moment, or this very
            # form was submitted twice in parallel.
            existing = find_by_submission_key(reporter, submission_key)
            if existing is not None:
                return existing
            continue
        record_event(
            report,
            EventKind.SUBMITTED,
            actor=None if anonymous else reporter,
            to_status=ReportStatus.NEW.value,
            text="Anoniem gemeld." if anonymous else None,
            at=now,
        )
        return report
    raise DomainError("Het lukte niet om de melding op te slaan. Probeer het opnieuw.")


def support_report(user: User, report: Report, note: str | None = None) -> Support:
    """'Ik loop hier ook tegenaan': one support per user per report."""
    note = _optional(note, "note", NOTE_MAX)
    state = following(user, [report]).get(report.id)
    if state == OWN:
        raise DomainError("U heeft deze regel zelf gemeld.", field="note")
    if not report.is_open:
        raise DomainError(
            "Deze melding is al afgehandeld. Doe een nieuwe melding als u er nog steeds tegenaan loopt.",
            field="note",
        )
    if state == SUPPORTED:
        raise DomainError("U heeft al aangegeven dat u hier ook tegenaan loopt.", field="note")
    support = Support(report_id=report.id, user_id=user.id, note=note)
    try:
        with db.session.begin_nested():
            db.session.add(support)
    except IntegrityError as error:  # a double click racing itself
        raise DomainError("U heeft al aangegeven dat u hier ook tegenaan loopt.", field="note") from error
    record_event(report, EventKind.SUPPORTED, actor=user, text=note)
    return support


FORGOTTEN_REPORTER = "Bewaartermijn verstreken: wie deze melding deed, is niet meer vastgelegd."
FORGOTTEN_LINK = (
    "Bewaartermijn verstreken: de koppeling tussen deze anonieme melding en wie hem deed of volgde, is vernietigd."
)


def forget_anonymous_links(before: datetime, *, dry_run: bool = False) -> int:
    """Destroy the pseudonyms that link anonymous reporters and followers to reports that
    ended for good before `before`: from then on nobody, not even the application with its
    key, can tell who made or followed them. Returns the number of reports concerned."""
    settled = db.select(Report.id).where(Report.is_settled, Report.last_activity_at < before)
    reports = db.session.scalars(
        db.select(Report).where(
            Report.id.in_(settled),
            or_(
                Report.reporter_pseudonym.is_not(None),
                Report.id.in_(db.select(Support.report_id).where(Support.follower_pseudonym.is_not(None))),
            ),
        )
    ).all()
    if not dry_run:
        for report in reports:
            report.reporter_pseudonym = None
            for support in report.supports:
                support.follower_pseudonym = None
            record_event(report, EventKind.NOTE, actor=None, is_public=False, text=FORGOTTEN_LINK)
    return len(reports)


def forget_reporters(before: datetime, *, dry_run: bool = False) -> int:
    """Named reporters of reports that ended for good before `before` are no longer
    recorded at all; the report and what was learnt from it stay."""
    reports = db.session.scalars(
        db.select(Report).where(Report.is_settled, Report.reporter_id.is_not(None), Report.last_activity_at < before)
    ).all()
    if not dry_run:
        for report in reports:
            report.reporter_id = None
            report.is_anonymous = True
            record_event(report, EventKind.NOTE, actor=None, is_public=False, text=FORGOTTEN_REPORTER)
    return len(reports)


def parse_reference(reference: str) -> tuple[int, int] | None:
    """(year, number) of a reference such as RK-2026-0012; None for anything that cannot be
    one (also a year or number no report can have), so a lookup never reaches the database
    with a number its column cannot hold."""
    reference = reference.strip()
    match = REFERENCE_RE.match(reference) if len(reference) <= REFERENCE_MAX else None
    if not match:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    if year not in REFERENCE_YEARS or not 1 <= number <= INT_MAX:
        return None
    return year, number


def get_by_reference(reference: str) -> Report | None:
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    year, number = parsed
    return db.session.scalar(db.select(Report).where(Report.year == year, Report.number == number))


def my_reports(user: User) -> list[Report]:
    """The user's own reports, named and anonymous, newest first."""
    return list(
        db.session.scalars(
            db.select(Report).where(reported_by(user)).order_by(Report.created_at.desc(), Report.id.desc())
        )
    )


OWN = "own"
SUPPORTED = "supported"


def following(user: User, reports: list[Report]) -> dict[int, str]:
    """Report id -> OWN (the user reported it, also anonymously) or SUPPORTED (the user
    already said 'ik loop hier ook tegenaan', also anonymously) for those of `reports`
    where 'ik loop hier ook tegenaan' is no longer for this user: the same checks as
    `support_report`, for a list, in one query. Only ever shown to the user themselves."""
    state = {report.id: OWN for report in reports if is_reporter(user, report)}
    others = [report.id for report in reports if report.id not in state]
    if others:
        supported = db.session.scalars(
            db.select(Support.report_id).where(Support.report_id.in_(others), supported_by(user))
        )
        state.update(dict.fromkeys(supported, SUPPORTED))
    return state


def supported_reports(user: User) -> list[tuple[Report, Support]]:
    """The reports the user follows as a supporter (also anonymously, after a merge)."""
    rows = db.session.execute(
        db.select(Report, Support)
        .join(Support, Support.report_id == Report.id)
        .where(supported_by(user))
        .order_by(Support.created_at.desc(), Support.id.desc())
    )
    return [(row[0], row[1]) for row in rows]

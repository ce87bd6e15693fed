"""The red button: submitting reports, supporting them, and what a reporter may see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, or_, text
from sqlalchemy.exc import IntegrityError

from app.anonymity import (
    is_reporter,
    recorded_as,
    reported_by,
    reporter_terms,
    supported_by,
    supporter_terms,
)
from app.clock import local
from app.extensions import db
from app.i18n import N_, StoredText
from app.models import Department, Event, Origin, Report, ReportStatus, Support, User
from app.models.base import INT_MAX, utcnow
from app.models.report import (
    NOTE_MAX,
    REFERENCE_MAX,
    REFERENCE_YEARS,
    RULE_MAX,
    TEXT_MAX,
    EventKind,
    format_reference,
)
from app.paging import PER_PAGE, Page, Slot
from app.search import support_count
from app.services import DomainError
from app.services.impact import Estimate, store_estimate
from app.services.webhook_events import emit_report_event

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


# The line an anonymous report's submission writes on its timeline (app.i18n.StoredText).
SUBMITTED_ANONYMOUSLY = StoredText(N_("Anoniem gemeld."))


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
    """Append a line to the report's timeline. Events are never changed afterwards. The
    one place webhooks hear of reports from (app.services.webhook_events: submitted, status changed)."""
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
    emit_report_event(report, kind.value, from_status=from_status, to_status=to_status)
    return event


# Serialises numbering on PostgreSQL for the rest of the transaction (SQLite already
# serialises writers: every write transaction starts IMMEDIATE, app/transactions.py).
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
    estimate: Estimate | None = None,
    attachments: list | None = None,
) -> Report:
    """Record a new report. Submitting the same form twice returns the first report.
    `estimate`: the reporter's impact estimate (app.services.impact.Estimate), if given.
    `attachments`: files already cleaned (app.services.attachments.clean_files), stored
    with the new report (not again with the first report of a double submit)."""
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

    # The same form sent again meets the unique submission key below (no lookup first:
    # that would cost every submission a query for the rare double click).
    now = now or utcnow()
    year = local(now).year
    reporter_id, reporter_pseudonym = recorded_as(reporter, anonymous)
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
            # Anonymous: only the keyed pseudonym, never the id (app.anonymity.recorded_as).
            reporter_id=reporter_id,
            reporter_pseudonym=reporter_pseudonym,
            is_anonymous=anonymous,
            status=ReportStatus.NEW.value,
            submission_key=submission_key or None,
            created_at=now,
            updated_at=now,
        )
        if estimate is not None:
            store_estimate(report, estimate)
        try:
            # The report and its first timeline line in one flush.
            with db.session.begin_nested():
                db.session.add(report)
                record_event(
                    report,
                    EventKind.SUBMITTED,
                    actor=None if anonymous else reporter,
                    to_status=ReportStatus.NEW.value,
                    text=SUBMITTED_ANONYMOUSLY.store() if anonymous else None,
                    at=now,
                )
        except IntegrityError:
            # Another submission took this number at the same moment, or this very
            # form was submitted twice in parallel.
            existing = find_by_submission_key(reporter, submission_key)
            if existing is not None:
                return existing
            continue
        if attachments:
            from app.services.attachments import add_attachments

            add_attachments(report, reporter, attachments, at=now)
        return report
    raise DomainError("Het lukte niet om de melding op te slaan. Probeer het opnieuw.")


def support_report(user: User, report: Report, note: str | None = None, attachments: list | None = None) -> Support:
    """'Ik loop hier ook tegenaan': one support per user per report. `attachments`: files
    already cleaned (app.services.attachments.clean_files) that come with it."""
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
    if attachments:
        from app.services.attachments import add_attachments

        add_attachments(report, user, attachments, support=support)
    return support


FORGOTTEN_REPORTER = StoredText(N_("Bewaartermijn verstreken: wie deze melding deed, is niet meer vastgelegd.")).store()
FORGOTTEN_LINK = StoredText(
    N_("Bewaartermijn verstreken: de koppeling tussen deze anonieme melding en wie hem deed of volgde, is vernietigd.")
).store()


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
        from app.services.attachments import forget_reporter_files

        for report in reports:
            # What they added goes with the link: a file can identify its uploader.
            forget_reporter_files(report)
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
        from app.services.attachments import forget_reporter_files

        for report in reports:
            forget_reporter_files(report)
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


def typed_reference(value: str | None) -> str | None:
    """A reference as someone types it in a search or merge field, with or without its
    'RK-' (2026-0012), as the canonical RK-2026-0012; None when it cannot be one."""
    value = (value or "").strip().upper()
    if not value.startswith("RK-"):
        value = "RK-" + value
    parsed = parse_reference(value)
    return format_reference(*parsed) if parsed else None


def get_by_reference(reference: str) -> Report | None:
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    year, number = parsed
    return db.session.scalar(db.select(Report).where(Report.year == year, Report.number == number))


def my_reports(user: User, *, limit: int | None = None) -> list[Report]:
    """The user's own reports, named and anonymous, newest first (the first `limit`)."""
    stmt = db.select(Report).where(reported_by(user)).order_by(Report.created_at.desc(), Report.id.desc())
    return list(db.session.scalars(stmt.limit(limit) if limit is not None else stmt))


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


# --- Mijn meldingen: what a user follows, a page at a time -------------------------------


@dataclass
class FollowedReport:
    report: Report
    reported: bool  # the user made it, named or anonymously
    support: Support | None  # how the user follows it as a supporter, if they do
    supporters: int  # how many colleagues run into it (its supports, counted)


def _followed(user: User, *columns):
    """One SELECT per way a user can follow a report (app.anonymity's terms): each is
    served by its own index, where an OR of them would scan the table."""
    selects = [db.select(*columns).where(term) for term in reporter_terms(user)]
    for term in supporter_terms(user):
        # The user's supports first (OFFSET 0 keeps PostgreSQL from merging this into the
        # outer query): otherwise, expecting the average number of supports, it walks every
        # report newest first looking for this user's, the whole table for someone with none.
        theirs = db.select(Support.report_id).where(term).offset(0).subquery()
        selects.append(db.select(*columns).join(theirs, theirs.c.report_id == Report.id))
    return selects


def _followed_total(user: User):
    """How many reports the user follows, as a column: made (named or anonymously) or
    supports. Counted per way of following, each on its index (a union of thousands of ids
    would be sorted first): a report is named or anonymous, never both; supports are
    counted once per report, and not on the user's own reports (an anonymous report merged
    into another of theirs makes them an anonymous supporter of their own report)."""
    made = [
        db.select(db.func.count()).select_from(Report).where(term).scalar_subquery() for term in reporter_terms(user)
    ]
    supported = (
        db.select(db.func.count(db.distinct(Support.report_id)))
        .join(Report, Report.id == Support.report_id)
        .where(supported_by(user), ~db.func.coalesce(reported_by(user), false()))
        .scalar_subquery()
    )
    return sum(made, supported)


def followed_count(user: User) -> int:
    """How many reports the user follows (_followed_total), in one statement."""
    return db.session.scalar(db.select(_followed_total(user))) or 0


NEWEST_ACTIVITY_KEY = (Report.id, Report.last_activity_at)
NEWEST_ACTIVITY = (Report.last_activity_at.desc(), Report.id.desc())


def followed_reports(user: User, *, page: int | None = None, per_page: int = PER_PAGE) -> Page[FollowedReport]:
    """A page of the reports the user follows, newest activity first: two statements
    whatever the number of reports (the page with its total and supporters, then how the
    user follows each); one more when the page asked for is past the end, or is empty."""
    offset = ((page or 1) - 1) * per_page
    items, total = _followed_page(user, offset, per_page)
    if total is None:  # nothing on the page asked for: count apart
        total = followed_count(user)
    slot = Slot.of(page, total, per_page)
    if slot.offset != offset:  # past the end: the last page instead
        items, _ = _followed_page(user, slot.offset, per_page)
    return Page(items, slot)


def _followed_page(user: User, offset: int, size: int) -> tuple[list[FollowedReport], int | None]:
    """The followed reports at `offset`, and how many the user follows in all (None when
    there are none at that offset). Each way of following gives its own newest reports (an
    index walk, not a sort of everything), and the union of those holds the page."""
    enough = offset + size
    newest = [
        db.select(q.order_by(*NEWEST_ACTIVITY).limit(enough).subquery()) for q in _followed(user, *NEWEST_ACTIVITY_KEY)
    ]
    keys = db.union(*newest).subquery()
    # The page's keys first, then only those reports (a far page joins 25 rows, not all).
    shown = (
        db.select(keys).order_by(keys.c.last_activity_at.desc(), keys.c.id.desc()).offset(offset).limit(size).subquery()
    )
    total = _followed_total(user).label("total")
    items, totals = _followed_items(user, shown, total)
    return items, (totals[0] if totals else None)


def _followed_items(user: User, shown, *extra) -> tuple[list[FollowedReport], list]:
    """The reports whose keys `shown` (id, last_activity_at) selects, newest activity
    first, with their supporters and how `user` follows each, and the `extra` column of
    each row: two statements."""
    rows = db.session.execute(
        db.select(Report, support_count(Report.id), *extra)
        .join(shown, shown.c.id == Report.id)
        .order_by(shown.c.last_activity_at.desc(), shown.c.id.desc())
    ).all()
    supports: dict[int, Support] = {}
    if rows:
        for support in db.session.scalars(
            db.select(Support)
            .where(Support.report_id.in_([row[0].id for row in rows]), supported_by(user))
            .order_by(Support.created_at, Support.id)
        ):
            supports.setdefault(support.report_id, support)
    items = [FollowedReport(row[0], is_reporter(user, row[0]), supports.get(row[0].id), row[1]) for row in rows]
    return items, [row[2] for row in rows] if extra else []


def followed_reports_after(user: User, after: tuple[datetime, int] | None, limit: int) -> list[FollowedReport]:
    """The reports the user follows, in followed_reports' order (newest activity first),
    that come after the report whose (last_activity_at, id) is `after`: the first `limit`.
    A keyset page (the API's cursor): the same few statements wherever the page is."""
    selects = _followed(user, *NEWEST_ACTIVITY_KEY)
    if after is not None:
        moment, report_id = after
        before = or_(Report.last_activity_at < moment, and_(Report.last_activity_at == moment, Report.id < report_id))
        selects = [q.where(before) for q in selects]
    newest = [db.select(q.order_by(*NEWEST_ACTIVITY).limit(limit).subquery()) for q in selects]
    keys = db.union(*newest).subquery()
    shown = db.select(keys).order_by(keys.c.last_activity_at.desc(), keys.c.id.desc()).limit(limit).subquery()
    return _followed_items(user, shown)[0]

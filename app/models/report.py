"""Reports (meldingen), the support they gather, and their append-only timeline."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext
from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, and_, cast, or_
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import N_
from app.models.base import UTCDateTime, utcnow
from app.models.user import Department, User

if TYPE_CHECKING:
    from app.models.dossier import Dossier

# How long each kind of text may be: the columns below, and every form and service that
# checks what a person typed, use these (never a number of their own).
RULE_MAX = 200  # which rule: one line
TEXT_MAX = 5000  # a text someone writes: what goes wrong, an explanation, a note, an answer
NOTE_MAX = 1000  # a supporter's note ('ik loop hier ook tegenaan')
# A line of the timeline: up to two texts (an explanation and what changed) and a sentence
# around them.
EVENT_TEXT_MAX = 2 * TEXT_MAX + 1000
SUBMISSION_KEY_MAX = 64  # the hidden key that makes a double submit one report
# A reference as typed (RK-2026-0012), and the years and numbers a reference can have.
REFERENCE_MAX = 30
REFERENCE_YEARS = range(2000, 3000)


class ReportStatus(str, enum.Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    EXPLAINED = "explained"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return gettext(STATUS_LABELS[self])


STATUS_LABELS = {
    ReportStatus.NEW: N_("Nieuw"),
    ReportStatus.IN_PROGRESS: N_("In behandeling"),
    ReportStatus.RESOLVED: N_("Opgelost"),
    ReportStatus.ESCALATED: N_("Geëscaleerd"),
    ReportStatus.EXPLAINED: N_("Uitgelegd"),
    ReportStatus.MERGED: N_("Samengevoegd"),
}

# The labels are the msgids of the catalogs (app/i18n.py): show them through .label or
# app.formatting, which translate them.

# What each status means, in plain words, where a reporter first meets it (B1: no jargon
# without its explanation).
STATUS_MEANINGS = {
    ReportStatus.NEW: N_(
        "De ontregelcoaches hebben de melding nog niet opgepakt. Ze bespreken elke nieuwe melding in hun wekelijkse overleg."
    ),
    ReportStatus.IN_PROGRESS: N_("Een ontregelcoach zoekt uit of en hoe de regel anders kan."),
    ReportStatus.RESOLVED: N_("De regel is aangepast of het probleem is op een andere manier weggenomen."),
    ReportStatus.ESCALATED: N_(
        "Geëscaleerd betekent: de regel komt uit een landelijke wet of regeling, die de gemeente niet zelf kan veranderen. Juridische Zaken legt hem voor aan het Rijk en houdt bij wat het antwoordt."
    ),
    ReportStatus.EXPLAINED: N_("De regel blijft. De ontregelcoach legt uit waarom."),
    ReportStatus.MERGED: N_("Een collega meldde dezelfde regel. Deze melding loopt verder bij die andere melding."),
}

# Open: not yet ended. The one definition is Report.is_open below.
OPEN_STATUSES = (ReportStatus.NEW.value, ReportStatus.IN_PROGRESS.value)
# Ended for good (escalated: once its dossier is closed). The one definition: Report.is_settled.
SETTLED_STATUSES = (ReportStatus.RESOLVED.value, ReportStatus.EXPLAINED.value, ReportStatus.MERGED.value)


class Origin(str, enum.Enum):
    OWN = "own"
    NATIONAL = "national"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return gettext(ORIGIN_LABELS[self])


ORIGIN_LABELS = {
    Origin.OWN: N_("Eigen regel of werkwijze van de gemeente"),
    Origin.NATIONAL: N_("Landelijke wet of regeling"),
    Origin.UNKNOWN: N_("Weet ik niet"),
}


# The impact estimate (app.services.impact): how often the rule bites, and the minutes each
# case costs the inhabitant (or entrepreneur) and the municipality's staff.
CASES_MAX = 1_000_000  # cases per month
MINUTES_MAX = 10_000  # minutes per case (about a week of work)
MONTHS_PER_YEAR = 12


class Affected(str, enum.Enum):
    """Who the rule mostly affects: the groups a coach reports to management about."""

    INHABITANTS = "inhabitants"
    ENTREPRENEURS = "entrepreneurs"
    ORGANISATIONS = "organisations"
    STAFF = "staff"
    OTHER = "other"

    @property
    def label(self) -> str:
        return gettext(AFFECTED_LABELS[self])


AFFECTED_LABELS = {
    Affected.INHABITANTS: N_("Inwoners"),
    Affected.ENTREPRENEURS: N_("Ondernemers"),
    Affected.ORGANISATIONS: N_("Maatschappelijke organisaties en instellingen"),
    Affected.STAFF: N_("Alleen medewerkers van de gemeente"),
    Affected.OTHER: N_("Anders"),
}


def hours_per_year(cases_per_month, minutes_per_case):
    """The one formula of the impact estimate: hours saved per year = cases per month × 12 ×
    minutes per case / 60. Works on numbers and on SQL expressions alike (give SQL a float
    operand: an integer product can pass 2^31 on PostgreSQL)."""
    return cases_per_month * MONTHS_PER_YEAR * minutes_per_case / 60


class Report(db.Model):
    __table_args__ = (
        UniqueConstraint("year", "number"),
        # Mijn meldingen: a user's reports, named or anonymous, newest activity first
        # (app.services.reports.followed_reports); also every lookup by reporter.
        Index("ix_report_reporter_activity", "reporter_id", "last_activity_at", "id"),
        Index("ix_report_pseudonym_activity", "reporter_pseudonym", "last_activity_at", "id"),
        # The board: a column's first page and the counts per status (migration 0009_board).
        Index("ix_report_status_created_at", "status", "created_at", "id"),
        Index("ix_report_status_last_activity_at", "status", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(RULE_MAX))
    problem: Mapped[str] = mapped_column(String(TEXT_MAX))
    effect: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    suggestion: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    origin: Mapped[str] = mapped_column(String(20), default=Origin.UNKNOWN.value)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # Who reported it: the user id of a named report; for an anonymous report only the keyed
    # pseudonym (app.anonymity), never the id. Both empty once the reporter is forgotten
    # (retention).
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reporter_pseudonym: Mapped[str | None] = mapped_column(String(64))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.NEW.value, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    explanation: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), index=True)
    # Makes a double submit of the same form create one report.
    submission_key: Mapped[str | None] = mapped_column(String(SUBMISSION_KEY_MAX), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The impact estimate (app.services.impact): all four set, or none. Given by the reporter
    # or a coach; confirmed by the coach who solves the report (who and when; the reporter is
    # never recorded, so an anonymous reporter's estimate names nobody).
    impact_cases_per_month: Mapped[int | None] = mapped_column(Integer)
    impact_minutes_inhabitant: Mapped[int | None] = mapped_column(Integer)
    impact_minutes_staff: Mapped[int | None] = mapped_column(Integer)
    impact_affected: Mapped[str | None] = mapped_column(String(20))
    impact_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    impact_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Set by the coach who ends the report: its texts may appear in the open data (app.opendata.data).
    text_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last time a coach or legal user did something with it; drives 'overdue'.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Its first steps, for the lead times on Inzicht (set once by app.services.workflow's
    # transitions; an undone weekly-session decision restores them): when it first left
    # Nieuw, and when it first ended (opgelost, uitgelegd, geëscaleerd or samengevoegd).
    taken_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department | None] = relationship(lazy="joined")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    impact_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[impact_confirmed_by_id])
    dossier: Mapped[Dossier | None] = relationship(back_populates="reports")
    supports: Mapped[list[Support]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Support.created_at"
    )
    events: Mapped[list[Event]] = relationship(back_populates="report", order_by="Event.created_at, Event.id")

    # Optimistic locking: UPDATEs carry WHERE version = <loaded>. The workflow raises the
    # version itself, only for changes another coach must not silently overwrite.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def reference(self) -> str:
        return format_reference(self.year, self.number)

    @property
    def status_enum(self) -> ReportStatus:
        return ReportStatus(self.status)

    def note_first_steps(self, from_status: str, to_status: str, at: datetime) -> None:
        """Keep when the report first left Nieuw and when it first ended (Inzicht's lead
        times), for a change of status from `from_status` to `to_status` at `at`."""
        if from_status == ReportStatus.NEW.value and to_status != from_status and self.taken_on_at is None:
            self.taken_on_at = at
        if to_status not in OPEN_STATUSES and self.decided_at is None:
            self.decided_at = at

    # --- the rules about a report's state, each usable in Python and in SQL ---------------

    @hybrid_property
    def is_open(self) -> bool:
        """Not yet ended: new or in progress."""
        return self.status in OPEN_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return is_open_status(cls.status)

    @hybrid_property
    def is_settled(self) -> bool:
        """Ended for good: nothing more will happen that the reporter needs to hear. An
        escalated report is settled once its dossier is closed."""
        if self.status in SETTLED_STATUSES:
            return True
        return self.status == ReportStatus.ESCALATED.value and self.dossier is not None and not self.dossier.is_open

    @is_settled.inplace.expression
    @classmethod
    def _is_settled_expression(cls):
        from app.models.dossier import Dossier

        closed_dossier = db.select(Dossier.id).where(Dossier.id == cls.dossier_id, ~Dossier.is_open).exists()
        return or_(cls.status.in_(SETTLED_STATUSES), and_(cls.status == ReportStatus.ESCALATED.value, closed_dossier))

    @hybrid_method
    def is_overdue(self, cutoff: datetime) -> bool:
        """Open, and nobody did anything with it since `cutoff` (see overdue_cutoff)."""
        return self.is_open and self.last_activity_at < cutoff

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls, cutoff: datetime):
        return and_(cls.is_open, cls.last_activity_at < cutoff)

    # --- the impact estimate: hours saved per year (hours_per_year), in Python and SQL ------

    @property
    def has_estimate(self) -> bool:
        return self.impact_cases_per_month is not None

    @hybrid_property
    def hours_saved_inhabitant(self) -> float | None:
        """Hours a year the inhabitants (or entrepreneurs) lose to the rule, by the estimate."""
        if self.impact_cases_per_month is None or self.impact_minutes_inhabitant is None:
            return None
        return hours_per_year(self.impact_cases_per_month, self.impact_minutes_inhabitant)

    @hours_saved_inhabitant.inplace.expression
    @classmethod
    def _hours_saved_inhabitant_expression(cls):
        return hours_per_year(cast(cls.impact_cases_per_month, Float), cls.impact_minutes_inhabitant)

    @hybrid_property
    def hours_saved_staff(self) -> float | None:
        """Hours a year the municipality's staff lose to the rule, by the estimate."""
        if self.impact_cases_per_month is None or self.impact_minutes_staff is None:
            return None
        return hours_per_year(self.impact_cases_per_month, self.impact_minutes_staff)

    @hours_saved_staff.inplace.expression
    @classmethod
    def _hours_saved_staff_expression(cls):
        return hours_per_year(cast(cls.impact_cases_per_month, Float), cls.impact_minutes_staff)

    @hybrid_property
    def hours_saved(self) -> float | None:
        """Both together: hours saved per year once the rule is gone."""
        if not self.has_estimate:
            return None
        return hours_per_year(self.impact_cases_per_month, self.impact_minutes_inhabitant + self.impact_minutes_staff)

    @hours_saved.inplace.expression
    @classmethod
    def _hours_saved_expression(cls):
        return hours_per_year(
            cast(cls.impact_cases_per_month, Float), cls.impact_minutes_inhabitant + cls.impact_minutes_staff
        )

    @hybrid_property
    def counts_hours_saved(self) -> bool:
        """Whether the estimate counts in 'uren bespaard': the report is solved (opgelost) and
        the coach confirmed the estimate. An estimate of an open, explained or escalated report
        saves nothing yet; an unconfirmed one is only the reporter's guess."""
        return self.status == ReportStatus.RESOLVED.value and self.impact_confirmed_at is not None and self.has_estimate

    @counts_hours_saved.inplace.expression
    @classmethod
    def _counts_hours_saved_expression(cls):
        return and_(
            cls.status == ReportStatus.RESOLVED.value,
            cls.impact_confirmed_at.is_not(None),
            cls.impact_cases_per_month.is_not(None),
        )

    @property
    def affected_enum(self) -> Affected | None:
        return Affected(self.impact_affected) if self.impact_affected else None

    @property
    def origin_enum(self) -> Origin:
        return Origin(self.origin)

    def __repr__(self) -> str:
        return f"<Report {self.reference}>"


def is_open_status(status):
    """SQL: `status` (a report's, or a step of its timeline) is one an open report has
    (Report.is_open); the dashboard's backlog counts the steps into and out of it."""
    return status.in_(OPEN_STATUSES)


def format_reference(year: int, number: int) -> str:
    """How a report is named everywhere: RK-2026-0042."""
    return f"RK-{year}-{number:04d}"


def overdue_term() -> timedelta:
    """The agreed term: how long a report may wait for the next step (OVERDUE_DAYS). The
    dashboard counts the reports that waited longer than this to be taken on or decided."""
    return timedelta(days=current_app.config["OVERDUE_DAYS"])


def overdue_cutoff(now: datetime) -> datetime:
    """A report without any update since this moment is overdue (OVERDUE_DAYS before `now`)."""
    return now - overdue_term()


class Support(db.Model):
    __table_args__ = (UniqueConstraint("report_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    # A named supporter's user id; an anonymous follower (the reporter of an anonymous report
    # that was merged in) is only a keyed pseudonym, like an anonymous reporter.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    follower_pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="supports")
    user: Mapped[User | None] = relationship()


class EventKind(str, enum.Enum):
    SUBMITTED = "submitted"
    SUPPORTED = "supported"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    PUBLIC_UPDATE = "public_update"
    NOTE = "note"
    MERGED_IN = "merged_in"
    REOPENED = "reopened"
    UNDONE = "undone"
    ESTIMATED = "estimated"
    CHECKBACK = "checkback"  # an answer to 'Merkbaar beter?' (app.services.checkback)
    ATTACHED = "attached"  # files added (app.services.attachments)


EVENT_LABELS = {
    EventKind.SUBMITTED.value: N_("Melding gedaan"),
    EventKind.SUPPORTED.value: N_("Iemand loopt hier ook tegenaan"),
    EventKind.STATUS_CHANGED.value: N_("Status gewijzigd"),
    EventKind.ASSIGNED.value: N_("Toegewezen"),
    EventKind.PUBLIC_UPDATE.value: N_("Bericht voor de melder"),
    EventKind.NOTE.value: N_("Interne notitie"),
    EventKind.MERGED_IN.value: N_("Melding samengevoegd met deze melding"),
    EventKind.REOPENED.value: N_("Heropend"),
    EventKind.UNDONE.value: N_("Besluit ongedaan gemaakt"),
    EventKind.ESTIMATED.value: N_("Schatting van de impact"),
    EventKind.CHECKBACK.value: N_("Antwoord op ‘Merkbaar beter?’"),
    EventKind.ATTACHED.value: N_("Bijlage toegevoegd"),
}


class Event(db.Model):
    """One line of a report's timeline. Written once, never updated or deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    # None means "anoniem" (an anonymous reporter) or the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(String(EVENT_TEXT_MAX))
    # Public events are shown to the reporter and supporters; others only to coaches/legal.
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return gettext(EVENT_LABELS[self.kind]) if self.kind in EVENT_LABELS else self.kind

    @property
    def step_label(self) -> str:
        """The step in a few words: a line of the timeline, and the last update in a list."""
        if self.kind == EventKind.STATUS_CHANGED.value and self.to_status:
            return gettext("Status: %(status)s", status=ReportStatus(self.to_status).label)
        return self.kind_label

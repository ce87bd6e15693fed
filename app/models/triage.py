"""The weekly session of the ontregelcoaches (weekoverleg): agenda items and minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.report import Report
from app.models.user import User

# What the session decided about an item, in one line of the minutes (who follows up, or
# the decision with its law and a summary of the explanation).
DECISION_MAX = 1000
# The record of what one decision changed (ids, earlier values and texts of a report).
UNDO_STATE_MAX = 20_000


class TriageSession(db.Model):
    __tablename__ = "triage_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    attendees: Mapped[list[TriageAttendee]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TriageAttendee.id"
    )
    items: Mapped[list[TriageItem]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TriageItem.position"
    )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class TriageAttendee(db.Model):
    __tablename__ = "triage_attendee"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("triage_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    session: Mapped[TriageSession] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship(lazy="joined")


class TriageItem(db.Model):
    """One report on the agenda, and what the session decided about it."""

    __tablename__ = "triage_item"
    __table_args__ = (UniqueConstraint("session_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("triage_session.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # new | overdue
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | handled | skipped
    decision: Mapped[str | None] = mapped_column(String(DECISION_MAX))
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the decision changed, so the session can undo it while its mails are held
    # (JSON, written by app.services.triage; empty for a skip or an item handled before).
    undo_state: Mapped[str | None] = mapped_column(String(UNDO_STATE_MAX))

    session: Mapped[TriageSession] = relationship(back_populates="items")
    report: Mapped[Report] = relationship()
    follow_up: Mapped[User | None] = relationship(foreign_keys=[follow_up_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

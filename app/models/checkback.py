"""'Merkbaar beter?': the question put to a solved report's reporter and supporters some
weeks later (an invitation per recipient), and their answers.

An answer never says who gave it: it is kept apart from the invitation it came through.
The invitation only knows a named recipient's user id (to name them in the timeline as
the anonymity rules say); for an anonymous recipient it holds nothing that points to them
(`recipient_key` is a hash of the report, the solution and their pseudonym, and is erased
with the anonymous links, app.services.checkback.forget_checkback_links)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import N_
from app.models.base import UTCDateTime, utcnow
from app.models.report import TEXT_MAX, Report
from app.models.user import User

# Answer code -> what the person reads (the mail's links, the page, the timeline).
YES = "yes"
NO = "no"
UNSURE = "unsure"
ANSWER_LABELS = {YES: N_("Ja"), NO: N_("Nee"), UNSURE: N_("Weet ik niet")}  # translated where shown
ANSWER_MAX = 10
KEY_MAX = 64


class CheckbackInvite(db.Model):
    """One recipient asked once about one solution of a report (its resolved_at)."""

    __tablename__ = "checkback_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    # The solution asked about: the report's resolved_at when the question went out. A
    # report reopened and solved again is asked again about the new solution.
    solved_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Asked once per recipient and solution, also by two schedulers at once (unique).
    recipient_key: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)
    # A named recipient only; None for someone who follows the report anonymously.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # SHA-256 of the link's secret; None once the link was used (single use) or forgotten.
    token_hash: Mapped[str | None] = mapped_column(String(KEY_MAX), unique=True)
    mailed: Mapped[bool] = mapped_column(Boolean, default=False)  # False: they chose no mail
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship()
    user: Mapped[User | None] = relationship()


class CheckbackAnswer(db.Model):
    """An answer: what, when and about which solution; never who."""

    __tablename__ = "checkback_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    solved_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answer: Mapped[str] = mapped_column(String(ANSWER_MAX))
    comment: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return ANSWER_LABELS.get(self.answer, self.answer)

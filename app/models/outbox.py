"""E-mails waiting to be sent: written in the same transaction as the change that caused them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# A rendered mail body. The longest (an agenda or an overview of every dossier) stays far
# below this; the bound is there so no column is without one.
MAIL_BODY_MAX = 1_000_000
GROUP_KEY_MAX = 200


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A named recipient's address and user id. A mail to an anonymous follower about what
    # they follow carries only their pseudonym (app.anonymity): the address is looked up when
    # the mail goes out, and the row is deleted once it has.
    to_address: Mapped[str | None] = mapped_column(String(254))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    to_pseudonym: Mapped[str | None] = mapped_column(String(64))
    # The same for every attempt, so a receiver recognises a mail sent twice (see deliver_outbox).
    message_id: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(String(MAIL_BODY_MAX))
    body_html: Mapped[str | None] = mapped_column(String(MAIL_BODY_MAX))
    # What the mail is about (app.models.user.MAIL_KINDS, or 'account' / 'digest'): whose
    # choice applies is looked up by it, also for a pseudonym at the moment of sending.
    kind: Mapped[str | None] = mapped_column(String(30))
    # Waiting for the recipient's daily overview (app.notify.queue_digests), not sent alone.
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the same message must never be queued twice (e.g. by a job run twice).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A deliverer claims a message until this moment, so two never send the same one.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # A mail held back for a while (a weekly session's decisions, which can still be undone):
    # which recipient and report it is about within that hold, so later steps about the same
    # report become one mail (app.notify.hold_mail). `hold_parts` keeps the steps it tells
    # (JSON: whose step, headline, text) so an undone step can be taken out again.
    group_key: Mapped[str | None] = mapped_column(String(GROUP_KEY_MAX), index=True)
    hold_parts: Mapped[str | None] = mapped_column(String(MAIL_BODY_MAX))

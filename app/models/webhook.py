"""Webhooks: addresses a beheerder registered to hear of events, and the deliveries
waiting for them (an outbox, like the mail's: written in the same transaction as the
change, delivered later by a job with retries and backoff)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

URL_MAX = 2000
# A delivery's JSON body: thin (references, statuses, links), far below this.
PAYLOAD_MAX = 20_000
HOLD_KEY_MAX = 200


class Webhook(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX))
    # The event types it hears of, comma-separated (app.webhooks.EVENTS).
    events: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The signing secret, encrypted (app.sealed): shown once, read back to sign.
    secret: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def name(self) -> str:
        """How the Logboek names it: its address."""
        return self.url

    @property
    def event_list(self) -> list[str]:
        return [event for event in self.events.split(",") if event]


class WebhookDelivery(db.Model):
    """One event for one webhook. Column names follow the mail outbox's (sent_at,
    claimed_until, next_attempt_at, attempts, last_error), so the same claiming and backoff
    (app.notify) serve both."""

    __tablename__ = "webhook_delivery"
    # The delivery log of one webhook, newest first (app.services.webhooks.delivery_page).
    __table_args__ = (Index("ix_webhook_delivery_log", "webhook_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"))
    # The delivery id a receiver sees (header and body): the same on every attempt.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(String(PAYLOAD_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Delivered: the receiver answered 2xx.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Given up after WEBHOOK_MAX_ATTEMPTS (the beheerder can still send it again).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Held back with the mail of a weekly session's decision (app.notify.hold_mail): the
    # hold's group and owner, so release_held and withdraw_held treat it like that mail.
    hold_group: Mapped[str | None] = mapped_column(String(HOLD_KEY_MAX), index=True)
    hold_owner: Mapped[str | None] = mapped_column(String(HOLD_KEY_MAX))

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")

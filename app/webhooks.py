"""Webhooks: what happens to reports and dossiers, told to the addresses a beheerder
registered (app.services.webhooks), through an outbox like the mail's (app.notify).

* Emitted from one place per kind: a report's timeline (app.services.reports.record_event:
  submitted, status changed) and a dossier's (app.services.dossiers.record_dossier_event),
  as one delivery row per matching active webhook, in the same transaction as the change.
  A weekly session's decision holds its deliveries with its mail (app.notify.hold_mail):
  released with it, withdrawn with it when the decision is undone.
* Payloads are thin and hold no personal data at all: references, statuses, department,
  origin, law and article, the addressee's name, and links. Nobody is named, so nothing
  can tell who reported (anonymously or not); see payload_problems.
* Signed: HMAC-SHA256 over "<unix time>.<body>" with the webhook's secret, in the header
  `Rodeknop-Signature: t=<unix time>,v1=<hex>` (README, "Webhooks").
* Delivered by the deliver_webhooks job, at least once: a 2xx answer counts as delivered;
  anything else (a redirect too: none is followed) is tried again with the mail's backoff,
  up to WEBHOOK_MAX_ATTEMPTS, then marked failed (a beheerder can still send it again)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Webhook, WebhookDelivery
from app.models.base import utcnow
from app.notify import backoff, claim
from app.outgoing import Refused as _Refused
from app.outgoing import send
from app.sealed import unseal
from app.services.webhook_events import DELIVERY_HEADER, EVENT_HEADER, SECRET_PURPOSE, SIGNATURE_HEADER

log = logging.getLogger(__name__)
USER_AGENT = "RodeKnop-Webhook/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (README, "Webhooks"): the signature matches and its time is
    within `tolerance` seconds of now (an old message sent again is refused)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), fields.get("v1", ""))


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url`; returns the 2xx status, or raises _Refused (app.outgoing: no
    redirect followed, time limits, at most WEBHOOK_RESPONSE_MAX_BYTES of the answer read)."""
    status, _answer = send("POST", url, body, headers, max_bytes=current_app.config["WEBHOOK_RESPONSE_MAX_BYTES"])
    return status


def _request(delivery: WebhookDelivery) -> tuple[str, bytes, dict[str, str]]:
    """Where and what one attempt sends: the stored body, signed now. Raises _Refused when
    the secret cannot be read (stored under another SECRET_KEY)."""
    secret = unseal(delivery.webhook.secret, SECRET_PURPOSE)
    if secret is None:
        raise _Refused("Het geheim van deze webhook is niet te lezen (is SECRET_KEY veranderd?).")
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.uid,
        SIGNATURE_HEADER: signature_header(secret, int(time.time()), body),
    }
    return delivery.webhook.url, body, headers


def _due(now: datetime, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .join(Webhook)
            .where(
                Webhook.active.is_(True),
                WebhookDelivery.sent_at.is_(None),
                WebhookDelivery.failed_at.is_(None),
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
    )


def deliver_webhooks(*, limit: int = 200, now: datetime | None = None) -> tuple[int, int]:
    """Send what is due, oldest first. Returns (delivered, failed attempts). Commits after
    every delivery. A webhook whose receiver failed is not tried again in this run (its
    other deliveries wait for the next). At least once: a crash after the receiver
    answered and before this records it sends that delivery again (same delivery id)."""
    now = now or utcnow()
    due = _due(now, limit)
    db.session.commit()
    delivered = failed = 0
    down: set[int] = set()
    for delivery_id in due:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.webhook_id in down:
            continue
        if not claim(WebhookDelivery, delivery_id, now, WebhookDelivery.failed_at.is_(None)):
            continue
        db.session.refresh(delivery)
        try:
            url, body, headers = _request(delivery)
            # No transaction stays open while the receiver takes its time.
            db.session.commit()
            status = _post(url, body, headers)
        except _Refused as refusal:
            delivery.attempts += 1
            delivery.last_attempt_at = utcnow()
            failed += 1
            down.add(delivery.webhook_id)
            delivery.last_status = refusal.status
            delivery.last_error = refusal.error
            if delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
                delivery.failed_at = utcnow()
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
            log.warning("webhook delivery %s failed (attempt %s): %s", delivery.uid, delivery.attempts, refusal.error)
        else:
            delivered += 1
            delivery.attempts += 1
            delivery.last_attempt_at = delivery.sent_at = utcnow()
            delivery.last_status = status
            delivery.last_error = None
        delivery.claimed_until = None
        db.session.commit()
    return delivered, failed


# --- the anonymity rule for payloads ----------------------------------------------------

# The only keys a payload may have, at each level: nothing else can slip in (a name, an
# e-mail address, a pseudonym, a text someone wrote).

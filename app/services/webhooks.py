"""The beheerder's webhooks: registering one (its signing secret is made here and shown
once), changing or deleting it, and sending a delivery again. Every step is audited.
What webhooks hear lives in app.services.webhook_events, sending them in app.webhooks."""

from __future__ import annotations

import secrets

from flask_babel import gettext

from app.extensions import db
from app.models import User, Webhook, WebhookDelivery
from app.models.base import utcnow
from app.sealed import seal
from app.services import DomainError
from app.services.audit import record_audit
from app.services.webhook_events import EVENTS, SECRET_PURPOSE, url_problem

SECRET_BYTES = 32


def _clean_url(url: str | None) -> str:
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        raise DomainError(problem, field="url")
    return url


def _clean_events(events) -> list[str]:
    chosen = [event for event in EVENTS if event in set(events or ())]
    if not chosen or len(chosen) != len(set(events or ())):
        raise DomainError(gettext("Kies minstens één gebeurtenis uit de lijst."), field="events")
    return chosen


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(SECRET_BYTES)


def register_webhook(url: str | None, events, *, active: bool, actor: User) -> tuple[Webhook, str]:
    """A new webhook and its signing secret (in plain text only now: the caller shows it
    once; stored encrypted, app.sealed)."""
    url = _clean_url(url)
    chosen = _clean_events(events)
    secret = new_secret()
    webhook = Webhook(
        url=url,
        events=",".join(chosen),
        active=bool(active),
        secret=seal(secret, SECRET_PURPOSE),
        created_by_id=actor.id,
    )
    db.session.add(webhook)
    db.session.flush()
    record_audit(
        "webhook_created",
        actor=actor,
        object_type="webhook",
        object_id=webhook.id,
        detail=f"{url} ({', '.join(chosen)})" + ("" if active else ", niet actief"),
    )
    return webhook, secret


def update_webhook(webhook: Webhook, url: str | None, events, *, active: bool, actor: User) -> None:
    """Change the address, the events or whether it is active (the secret stays)."""
    url = _clean_url(url)
    chosen = ",".join(_clean_events(events))
    changes = []
    if webhook.url != url:
        changes.append(f"adres: {url}")
        webhook.url = url
    if webhook.events != chosen:
        changes.append(f"gebeurtenissen: {chosen}")
        webhook.events = chosen
    if webhook.active != bool(active):
        changes.append("actief" if active else "niet actief")
        webhook.active = bool(active)
    if changes:
        db.session.flush()
        record_audit(
            "webhook_updated", actor=actor, object_type="webhook", object_id=webhook.id, detail="; ".join(changes)
        )


def renew_secret(webhook: Webhook, *, actor: User) -> str:
    """A new signing secret (the old one stops at once); shown once by the caller."""
    secret = new_secret()
    webhook.secret = seal(secret, SECRET_PURPOSE)
    record_audit("webhook_secret_renewed", actor=actor, object_type="webhook", object_id=webhook.id)
    return secret


def delete_webhook(webhook: Webhook, *, actor: User) -> None:
    """The webhook and its delivery log go; nothing more is sent to it."""
    record_audit("webhook_deleted", actor=actor, object_type="webhook", object_id=webhook.id, detail=webhook.url)
    db.session.delete(webhook)
    db.session.flush()


class DeliveryHeld(DomainError):
    """The delivery is held with a weekly session's mail: sending it now would tell of a
    decision that can still be undone."""

    def __init__(self):
        super().__init__(
            gettext(
                "Dit bericht wacht nog: het besluit in het weekoverleg kan nog ongedaan worden gemaakt. "
                "Het gaat vanzelf weg als het overleg is afgesloten of de wachttijd voorbij is. Er is niets gewijzigd."
            )
        )


def resend_delivery(delivery: WebhookDelivery, *, actor: User) -> None:
    """Send a delivery again at the next run, whatever became of it (delivered, failed or
    still trying): the same delivery id, a new series of attempts."""
    if delivery.hold_group is not None and delivery.sent_at is None and delivery.next_attempt_at > utcnow():
        raise DeliveryHeld
    delivery.sent_at = None
    delivery.failed_at = None
    delivery.claimed_until = None
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    record_audit(
        "webhook_resent",
        actor=actor,
        object_type="webhook",
        object_id=delivery.webhook_id,
        detail=f"{delivery.event} {delivery.uid}",
    )


def webhooks() -> list[Webhook]:
    return list(db.session.scalars(db.select(Webhook).order_by(Webhook.id)))


def delivery_page(webhook: Webhook, *, page: int, per_page: int = 50) -> tuple[list[WebhookDelivery], bool]:
    """The delivery log, newest first (and whether there is a next page), by the moment
    each tells (a new report's: the end of its window, app.webhooks)."""
    rows = list(
        db.session.scalars(
            db.select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return rows[:per_page], len(rows) > per_page

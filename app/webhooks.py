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
import http.client
import json
import logging
import re
import ssl
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Addressee, Dossier, Report, Webhook, WebhookDelivery
from app.models.base import utcnow
from app.models.webhook import URL_MAX
from app.notify import backoff, claim, current_hold, external_url
from app.sealed import unseal

log = logging.getLogger(__name__)

REPORT_CREATED = "report.created"
REPORT_STATUS_CHANGED = "report.status_changed"
DOSSIER_CHANGED = "dossier.changed"
# Every event type, as a beheerder chooses them.
EVENTS = {
    REPORT_CREATED: "Melding gedaan",
    REPORT_STATUS_CHANGED: "Status van een melding gewijzigd",
    DOSSIER_CHANGED: "Escalatiedossier gewijzigd",
}
# A dossier's timeline lines that are a change worth telling: not an internal note, and
# not a report leaving it because a session's decision was undone (the receiver never
# heard of that decision: its delivery was withdrawn).
DOSSIER_CHANGES = ("created", "linked", "updated", "owner", "status_changed")

SECRET_PURPOSE = "webhook-secret"
SIGNATURE_HEADER = "Rodeknop-Signature"
EVENT_HEADER = "Rodeknop-Event"
DELIVERY_HEADER = "Rodeknop-Delivery"
USER_AGENT = "RodeKnop-Webhook/1"


# --- emitting --------------------------------------------------------------------------


# The API's routes for one report and one dossier (/api/v1/reports/<reference>,
# /api/v1/dossiers/<id>, app.api).
API_REPORT = "api.report"
API_DOSSIER = "api.dossier"


def _api_url(endpoint: str, **values) -> str:
    """The resource in the /api/v1 API, built from its route like every link."""
    return external_url(endpoint, **values)


def report_payload(report: Report, event: str, *, previous_status: str | None) -> dict:
    """What a receiver hears of a report: no reporter, supporter, coach, text or date that
    could tell who reported."""
    return {
        "event": event,
        "report": {
            "reference": report.reference,
            "status": report.status,
            "previous_status": previous_status,
            "department": report.department.name if report.department is not None else None,
            "origin": report.origin,
            "url": external_url("reports.detail", reference=report.reference),
            "api_url": _api_url(API_REPORT, reference=report.reference),
        },
    }


def dossier_payload(dossier: Dossier, change: str, *, previous_status: str | None) -> dict:
    """What a receiver hears of a dossier: its law and article, status and addressee; no
    owner, note or text."""
    return {
        "event": DOSSIER_CHANGED,
        "dossier": {
            "id": dossier.id,
            "reference": dossier.reference,
            "change": change,
            "law": dossier.law_title,
            "article": dossier.article,
            "status": dossier.status,
            "previous_status": previous_status,
            "addressee": _addressee_name(dossier),
            "url": external_url("dossiers.detail", dossier_id=dossier.id),
            "api_url": _api_url(API_DOSSIER, dossier_id=dossier.id),
        },
    }


def _addressee_name(dossier: Dossier) -> str | None:
    # By id: the relationship still holds the old one right after the id changed.
    addressee = db.session.get(Addressee, dossier.addressee_id) if dossier.addressee_id else None
    return addressee.name if addressee is not None else None


def _listening(event: str) -> list[Webhook]:
    with db.session.no_autoflush:
        hooks = db.session.scalars(select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)).all()
    return [hook for hook in hooks if event in hook.event_list]


def new_report_window_end(now: datetime) -> datetime:
    """When the news of a report made at `now` may go out: the end of its window of
    WEBHOOK_NEW_REPORT_WINDOW_MINUTES (whole windows since midnight UTC). The minute a report
    was made is known to nobody but its reporter (app.anonymity.submitted_at): a receiver
    could match it with a login. Every report waits alike, named or anonymous."""
    minutes = current_app.config["WEBHOOK_NEW_REPORT_WINDOW_MINUTES"]
    if minutes <= 0:
        return now
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    windows = int((now - midnight).total_seconds() // (minutes * 60)) + 1
    return midnight + timedelta(minutes=minutes * windows)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _emit(event: str, body: dict) -> int:
    """A delivery per active webhook that listens to `event`, in the current transaction;
    held with the mail when a weekly session's decision caused it. A new report's news
    waits for the end of its window and says only that moment (new_report_window_end)."""
    hooks = _listening(event)
    if not hooks:
        return 0
    hold = current_hold()
    now = utcnow()
    due = new_report_window_end(now) if event == REPORT_CREATED else now
    if hold is not None:
        due = max(due, hold.until)
    # What the payload and the delivery log say happened when: for a new report the end of
    # its window, never the minute.
    moment = due if event == REPORT_CREATED else now
    for hook in hooks:
        uid = str(uuid.uuid4())
        payload = {"id": uid, "occurred_at": _stamp(moment), **body}
        db.session.add(
            WebhookDelivery(
                webhook_id=hook.id,
                uid=uid,
                event=event,
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                created_at=moment,
                next_attempt_at=due,
                hold_group=hold.group if hold is not None else None,
                hold_owner=hold.owner if hold is not None else None,
            )
        )
    return len(hooks)


def emit_report_event(report: Report, kind: str, *, from_status: str | None, to_status: str | None) -> int:
    """Called by the report's timeline for every line (app.services.reports.record_event)."""
    if kind == "submitted":
        return _emit(REPORT_CREATED, report_payload(report, REPORT_CREATED, previous_status=None))
    if kind == "status_changed" and to_status is not None:
        return _emit(REPORT_STATUS_CHANGED, report_payload(report, REPORT_STATUS_CHANGED, previous_status=from_status))
    return 0


def emit_dossier_event(dossier: Dossier, kind: str, *, from_status: str | None) -> int:
    """Called by the dossier's timeline for every line (record_dossier_event)."""
    if kind not in DOSSIER_CHANGES:
        return 0
    return _emit(DOSSIER_CHANGED, dossier_payload(dossier, kind, previous_status=from_status))


# --- checking an address -------------------------------------------------------------

# A host name (letters, digits, dots, hyphens) or an IP address (IPv6 without its brackets).
_HOST_RE = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook's address (in Dutch), or None."""
    if not url:
        return "Vul het adres in waar Rode Knop de berichten naartoe stuurt."
    if len(url) > URL_MAX:
        return f"Gebruik maximaal {URL_MAX} tekens."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return "Dit is geen geldig webadres. Gebruik een adres als https://zaaksysteem.gemeente.nl/rodeknop."
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return "Gebruik een adres dat begint met https:// (of http://), bijvoorbeeld https://zaaksysteem.gemeente.nl/rodeknop."
    if not _HOST_RE.fullmatch(parts.hostname):
        return "Dit is geen geldig webadres: gebruik alleen letters, cijfers, punten en streepjes in de servernaam."
    if parts.username or parts.password:
        return "Zet geen gebruikersnaam of wachtwoord in het adres."
    if parts.fragment:
        return "Een adres met # erin kan niet: laat dat deel weg."
    if parts.scheme == "http" and not current_app.config["WEBHOOK_ALLOW_HTTP"]:
        return "Gebruik een adres dat begint met https://: berichten gaan alleen versleuteld over het netwerk."
    return None


# --- signing and delivering ------------------------------------------------------------


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


class _Refused(Exception):
    """The delivery did not count: why, and the HTTP status if there was an answer."""

    def __init__(self, error: str, status: int | None = None):
        super().__init__(error)
        self.error = error
        self.status = status


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url`; returns the 2xx status, or raises _Refused. No redirect is
    followed, the connection and each read have their own time limit, and no more of the
    answer is read than WEBHOOK_RESPONSE_MAX_BYTES."""
    config = current_app.config
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=config["WEBHOOK_CONNECT_TIMEOUT"], context=ssl.create_default_context()
        )
    elif parts.scheme == "http":
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=config["WEBHOOK_CONNECT_TIMEOUT"])
    else:
        raise _Refused("Geen http- of https-adres.")
    try:
        connection.connect()
        connection.sock.settimeout(config["WEBHOOK_READ_TIMEOUT"])
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(config["WEBHOOK_RESPONSE_MAX_BYTES"])
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        raise _Refused(f"{type(error).__name__}: {error}"[:500]) from error
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise _Refused(f"Antwoord {status}", status)
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
PAYLOAD_KEYS = {"id", "occurred_at", "event", "report", "dossier"}
REPORT_KEYS = {"reference", "status", "previous_status", "department", "origin", "url", "api_url"}
DOSSIER_KEYS = {
    "id",
    "reference",
    "change",
    "law",
    "article",
    "status",
    "previous_status",
    "addressee",
    "url",
    "api_url",
}


def payload_problems(payload: dict) -> list[str]:
    """Keys a payload must not have (tests check every payload of every event with this)."""
    problems = [f"key {key!r}" for key in set(payload) - PAYLOAD_KEYS]
    for name, allowed in (("report", REPORT_KEYS), ("dossier", DOSSIER_KEYS)):
        if name in payload:
            problems += [f"{name}.{key}" for key in set(payload[name]) - allowed]
    return problems

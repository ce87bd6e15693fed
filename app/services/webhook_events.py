"""What webhooks hear, in the domain layer: the event types, what a delivery of each says
(thin payloads without any personal data: references, statuses, department, origin, law
and article, the addressee's name, links; payload_problems checks them), a delivery row
per listening webhook emitted in the transaction of the change (from a report's timeline,
app.services.reports.record_event, and a dossier's, app.services.dossiers
.record_dossier_event; held with a weekly session's mail, app.notify.hold_mail), and which
addresses may receive them. Signing and sending over HTTP live in app.webhooks."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.i18n import N_
from app.models import Addressee, Dossier, Report, Webhook, WebhookDelivery
from app.models.base import utcnow
from app.models.webhook import URL_MAX
from app.notify import current_hold, external_url

REPORT_CREATED = "report.created"
REPORT_STATUS_CHANGED = "report.status_changed"
DOSSIER_CHANGED = "dossier.changed"
# Every event type, as a beheerder chooses them (the labels translated where shown).
EVENTS = {
    REPORT_CREATED: N_("Melding gedaan"),
    REPORT_STATUS_CHANGED: N_("Status van een melding gewijzigd"),
    DOSSIER_CHANGED: N_("Escalatiedossier gewijzigd"),
}
# A dossier's timeline lines that are a change worth telling: not an internal note, and
# not a report leaving it because a session's decision was undone (the receiver never
# heard of that decision: its delivery was withdrawn).
DOSSIER_CHANGES = ("created", "linked", "updated", "owner", "status_changed")

SECRET_PURPOSE = "webhook-secret"
SIGNATURE_HEADER = "Rodeknop-Signature"
EVENT_HEADER = "Rodeknop-Event"
DELIVERY_HEADER = "Rodeknop-Delivery"


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
    """Why `url` cannot be a webhook's address (in the reader's language), or None."""
    if not url:
        return gettext("Vul het adres in waar Rode Knop de berichten naartoe stuurt.")
    if len(url) > URL_MAX:
        return gettext("Gebruik maximaal %(max)d tekens.", max=URL_MAX)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return gettext("Dit is geen geldig webadres. Gebruik een adres als https://zaaksysteem.gemeente.nl/rodeknop.")
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return gettext(
            "Gebruik een adres dat begint met https:// (of http://), bijvoorbeeld https://zaaksysteem.gemeente.nl/rodeknop."
        )
    if not _HOST_RE.fullmatch(parts.hostname):
        return gettext(
            "Dit is geen geldig webadres: gebruik alleen letters, cijfers, punten en streepjes in de servernaam."
        )
    if parts.username or parts.password:
        return gettext("Zet geen gebruikersnaam of wachtwoord in het adres.")
    if parts.fragment:
        return gettext("Een adres met # erin kan niet: laat dat deel weg.")
    if parts.scheme == "http" and not current_app.config["WEBHOOK_ALLOW_HTTP"]:
        return gettext("Gebruik een adres dat begint met https://: berichten gaan alleen versleuteld over het netwerk.")
    return None


# --- signing and delivering ------------------------------------------------------------


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

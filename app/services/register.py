"""An installation's side of the shared register of national rules (README, "Het gedeelde
register"; docs/architecture-register.md).

* What goes out: `published_entry` is the one home of what a dossier shows the register:
  law, BWB id, article, status, addressee (an organisation), dates, the answer's summary
  and a public summary Juridische Zaken writes for it. Nobody is named: no owner, no
  reporter, no report text, no pseudonym (PAYLOAD_KEYS; tests check every payload).
  Publishing is an explicit act after a preview of exactly this.
* How it goes out: publish, withdraw and join-the-letter each become a RegisterDelivery
  row in the same transaction (an outbox, like the mail's: app.notify's claim and backoff),
  sent signed (app.register_signing) by the deliver_register job. Each carries its row's
  number as `sequence`: the register applies a message only when its number is above the
  last one it applied for that dossier, so sending twice is harmless and nothing is lost
  while the register is down.
* What comes back: the sync_register job fetches what the register says about every law
  article into RegisterMirror; a dossier page reads only that copy (`register_view`)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Addressee, Dossier, DossierStatus, RegisterDelivery, RegisterMirror, RegisterPublication, User
from app.models.base import utcnow
from app.models.register import SUMMARY_MAX
from app.notify import backoff, claim
from app.outgoing import Refused, send
from app.register import messages
from app.register_signing import load_private_key, sign
from app.services import DomainError
from app.services.dossiers import article_key, record_dossier_event
from app.services.users import EMAIL_RE

log = logging.getLogger(__name__)

API_PATH = "/api/v1/register"
# The answers the register gives (its list of articles) are read up to this size.
ANSWER_MAX_BYTES = 5_000_000

# The only keys an entry may have: nothing else can slip in.
PAYLOAD_KEYS = frozenset(
    {
        "dossier_id",
        "reference",
        "law_title",
        "bwb_id",
        "article",
        "article_key",
        "status",
        "addressee",
        "summary",
        "answer_summary",
        "created_on",
        "sent_on",
        "answer_due",
    }
)
# Timeline lines after which a published dossier is sent again (its status or data changed).
REPUBLISH_ON = frozenset({"status_changed", "updated"})


def payload_problems(entry: dict) -> list[str]:
    """Keys an entry must not have."""
    return [f"key {key!r}" for key in set(entry) - PAYLOAD_KEYS]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def published_entry(dossier: Dossier, summary: str) -> dict:
    """What the register receives of `dossier` (the one home of it). The addressee by its
    id: a change of it in this transaction may not have reached the relationship yet."""
    addressee = db.session.get(Addressee, dossier.addressee_id) if dossier.addressee_id else None
    return {
        "dossier_id": dossier.id,
        "reference": dossier.reference,
        "law_title": dossier.law_title,
        "bwb_id": dossier.bwb_id,
        "article": dossier.article,
        "article_key": article_key(dossier.article),
        "status": dossier.status,
        "addressee": addressee.name if addressee else None,
        "summary": summary,
        "answer_summary": dossier.answer_summary,
        "created_on": _iso(dossier.created_at.date()),
        "sent_on": _iso(dossier.sent_on),
        "answer_due": _iso(dossier.answer_due),
    }


def is_member() -> bool:
    config = current_app.config
    return bool(config["REGISTER_URL"] and config["REGISTER_MEMBER"] and config["REGISTER_KEY_FILE"])


def publication(dossier: Dossier) -> RegisterPublication | None:
    return db.session.get(RegisterPublication, dossier.id)


def clean_summary(summary: str | None) -> str:
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(gettext(messages.SUMMARY_REQUIRED), field="summary")
    if len(summary) > SUMMARY_MAX:
        raise DomainError(gettext(messages.SUMMARY_TOO_LONG, max=SUMMARY_MAX), field="summary")
    if any(EMAIL_RE.match(word.strip(".,;:()<>[]\"'")) for word in summary.split()):
        raise DomainError(gettext(messages.SUMMARY_HAS_EMAIL), field="summary")
    return summary


def publish_problem(dossier: Dossier) -> str | None:
    """Why `dossier` cannot go to the register now, or None."""
    if not is_member():
        return gettext(messages.NOT_A_MEMBER)
    if not dossier.bwb_id:
        return gettext(messages.NEEDS_BWB_ID)
    return None


def _enqueue(dossier: Dossier, kind: str, body: dict) -> RegisterDelivery:
    delivery = RegisterDelivery(kind=kind, dossier_id=dossier.id, payload=json.dumps(body, ensure_ascii=False))
    db.session.add(delivery)
    db.session.flush()
    return delivery


def publish(dossier: Dossier, summary: str | None, *, actor: User) -> RegisterPublication:
    """Publish (or publish again) `dossier` with this public summary."""
    problem = publish_problem(dossier)
    if problem:
        raise DomainError(problem)
    summary = clean_summary(summary)
    row = publication(dossier) or RegisterPublication(dossier_id=dossier.id)
    row.summary = summary
    row.published_at = utcnow()
    row.withdrawn_at = None
    db.session.add(row)
    _enqueue(dossier, "publish", {"entry": published_entry(dossier, summary)})
    record_dossier_event(dossier, "register_published", actor=actor, text=summary)
    return row


def republish_if_published(dossier: Dossier, kind: str) -> None:
    """Called by the dossier's timeline: a published dossier whose status or data changed
    goes to the register again, with the summary it was published with."""
    if kind not in REPUBLISH_ON or not is_member():
        return
    row = publication(dossier)
    if row is None or row.published_at is None or row.withdrawn_at is not None or not dossier.bwb_id:
        return
    _enqueue(dossier, "publish", {"entry": published_entry(dossier, row.summary)})


def withdraw(dossier: Dossier, *, actor: User) -> None:
    row = publication(dossier)
    if row is None or row.published_at is None or row.withdrawn_at is not None:
        raise DomainError(gettext(messages.NOT_PUBLISHED))
    row.withdrawn_at = utcnow()
    _enqueue(dossier, "withdraw", {"dossier_id": dossier.id})
    record_dossier_event(dossier, "register_withdrawn", actor=actor)


def join_letter(dossier: Dossier, *, actor: User) -> None:
    """Join the shared letter to the ministry about this dossier's law article."""
    problem = publish_problem(dossier)
    if problem:
        raise DomainError(problem)
    row = publication(dossier)
    if row is None or row.published_at is None or row.withdrawn_at is not None:
        raise DomainError(gettext(messages.NOT_PUBLISHED))
    if row.letter_joined_at is not None:
        raise DomainError(gettext(messages.ALREADY_JOINED))
    row.letter_joined_at = utcnow()
    _enqueue(dossier, "join", {"bwb_id": dossier.bwb_id, "article_key": article_key(dossier.article)})
    record_dossier_event(dossier, "register_letter_joined", actor=actor)


# --- talking to the register ---------------------------------------------------------------

# Where each kind of message goes: (method, path after API_PATH).
ROUTES = {
    "publish": ("PUT", "/entries/{dossier_id}"),
    "withdraw": ("POST", "/entries/{dossier_id}/withdraw"),
    "join": ("POST", "/letters"),
}


@cache
def _private_key(path: str):
    return load_private_key(path)


def _signed(method: str, path: str, body: bytes) -> tuple[str, dict[str, str]]:
    config = current_app.config
    headers = sign(_private_key(config["REGISTER_KEY_FILE"]), str(config["REGISTER_MEMBER"]), method, path, body)
    headers.update({"Content-Type": "application/json", "User-Agent": "RodeKnop-Register/1"})
    return config["REGISTER_URL"] + path, headers


def _send(delivery: RegisterDelivery) -> None:
    method, template = ROUTES[delivery.kind]
    path = API_PATH + template.format(dossier_id=delivery.dossier_id)
    body = json.dumps({"sequence": delivery.id, **json.loads(delivery.payload)}, ensure_ascii=False).encode()
    url, headers = _signed(method, path, body)
    send(method, url, body, headers, max_bytes=current_app.config["WEBHOOK_RESPONSE_MAX_BYTES"])


def deliver_register(*, limit: int = 200, now: datetime | None = None) -> tuple[int, int]:
    """Send what waits for the register, oldest first. Returns (delivered, failed). The
    first failure ends the run (the register is down, or refuses: the rest waits, in
    order, for the next run, with app.notify's backoff). At least once: a crash after
    the register answered sends that message again, which the register ignores."""
    if not is_member():
        return 0, 0
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(RegisterDelivery.id)
            .where(RegisterDelivery.sent_at.is_(None), RegisterDelivery.next_attempt_at <= now)
            .order_by(RegisterDelivery.id)
            .limit(limit)
        )
    )
    db.session.commit()
    delivered = failed = 0
    for delivery_id in due:
        if not claim(RegisterDelivery, delivery_id, now):
            continue
        delivery = db.session.get(RegisterDelivery, delivery_id)
        db.session.refresh(delivery)
        db.session.commit()  # no transaction stays open while the register answers
        try:
            _send(delivery)
        except (Refused, OSError, ValueError) as error:
            delivery.attempts += 1
            delivery.last_error = (error.error if isinstance(error, Refused) else f"{type(error).__name__}: {error}")[
                :500
            ]
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            delivery.claimed_until = None
            db.session.commit()
            log.warning("register delivery %s not delivered (attempt %s): %s", delivery.id, delivery.attempts, error)
            failed += 1
            break
        delivery.attempts += 1
        delivery.sent_at = utcnow()
        delivery.last_error = None
        delivery.claimed_until = None
        db.session.commit()
        delivered += 1
    return delivered, failed


def sync_register(*, now: datetime | None = None) -> int:
    """Fetch what the register says about every law article into the local copy (all of
    it replaced in one transaction). Returns the number of articles; raises Refused when
    the register cannot be reached (the copy stays as it was)."""
    if not is_member():
        return 0
    path = API_PATH + "/articles"
    url, headers = _signed("GET", path, b"")
    _status, answer = send("GET", url, None, headers, max_bytes=ANSWER_MAX_BYTES)
    articles = json.loads(answer)["articles"]
    moment = now or utcnow()
    db.session.execute(delete(RegisterMirror))
    for article in articles:
        db.session.add(
            RegisterMirror(
                bwb_id=article["bwb_id"],
                article_key=article["article_key"],
                data=json.dumps(article, ensure_ascii=False),
                fetched_at=moment,
            )
        )
    db.session.commit()
    return len(articles)


# --- what a dossier page shows ------------------------------------------------------------


@dataclass
class RegisterView:
    """The register's part of a dossier page, from the local copy only."""

    member: bool
    publication: RegisterPublication | None
    waiting: int
    last_error: str | None
    others: list[dict] = field(default_factory=list)
    letter: list[dict] = field(default_factory=list)
    fetched_at: datetime | None = None

    @property
    def published(self) -> bool:
        return bool(self.publication and self.publication.published_at and not self.publication.withdrawn_at)

    @property
    def joined(self) -> bool:
        return bool(self.published and self.publication.letter_joined_at)


def register_view(dossier: Dossier) -> RegisterView:
    member = is_member()
    if not member:  # nothing to show, and no statement spent on it
        return RegisterView(member=False, publication=None, waiting=0, last_error=None)
    waiting = db.session.scalars(
        select(RegisterDelivery)
        .where(RegisterDelivery.dossier_id == dossier.id, RegisterDelivery.sent_at.is_(None))
        .order_by(RegisterDelivery.id)
    ).all()
    view = RegisterView(
        member=member,
        publication=publication(dossier),
        waiting=len(waiting),
        last_error=next((d.last_error for d in reversed(waiting) if d.last_error), None),
    )
    if not dossier.bwb_id:
        return view
    mirror = db.session.scalar(
        select(RegisterMirror).where(
            RegisterMirror.bwb_id == dossier.bwb_id, RegisterMirror.article_key == article_key(dossier.article)
        )
    )
    if mirror is None:
        return view
    data = json.loads(mirror.data)
    me = str(current_app.config["REGISTER_MEMBER"] or "")
    view.others = [entry for entry in data["entries"] if str(entry["member_id"]) != me]
    for entry in view.others:  # in the reader's language (the register's own label is its language)
        if entry.get("status") in {status.value for status in DossierStatus}:
            entry["status_label"] = DossierStatus(entry["status"]).label
    view.letter = data["letter"]
    view.fetched_at = mirror.fetched_at
    return view

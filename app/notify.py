"""The e-mail outbox (and what every outbox shares: claiming a row, backoff, holding back
a weekly session's decisions): notifications are queued in the same transaction as the change that
caused them, and delivered later over SMTP with retries and backoff.

Delivery is at least once: a crash between the SMTP server accepting a message and the
outbox recording it as sent repeats that one message at the next run. Every message keeps
one Message-ID over all its attempts, so a receiver can recognise the repeat.

A mail to someone who follows a report anonymously is queued under their pseudonym only
(app.anonymity): the row holds no address or user id while it waits, the address is looked
up at the moment of sending, and the row is deleted once the mail went out."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import or_, update

from app.anonymity import pseudonym, user_for_pseudonym
from app.extensions import db
from app.i18n import in_language_of
from app.look import current_look
from app.models import OutboxMessage, Report, User, WebhookDelivery
from app.models.base import utcnow
from app.models.outbox import GROUP_KEY_MAX, MAIL_BODY_MAX
from app.models.user import DIGEST, FIXED_MAIL_KINDS, MAIL_KINDS, NO_MAIL

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=5)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: the route's URL (url_for's own builder), on the one
    configured APP_BASE_URL. Not url_for(..., _external=True): inside a request that would
    take the host from the request's Host header, which the client chooses, and a job has no
    request at all."""
    base = urlsplit(current_app.config["APP_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _fit(body: str, ending: str) -> str:
    """A body within what the outbox stores (an agenda of thousands of reports might not)."""
    if len(body) <= MAIL_BODY_MAX:
        return body
    return body[: MAIL_BODY_MAX - len(ending)] + ending


def _bodies(template: str, context: dict, reader: User | None) -> dict[str, str]:
    """The text and HTML bodies of `template`, each within what the outbox stores, in the
    language of `reader` (whoever's request queued the mail)."""
    with in_language_of(reader):
        return _render_bodies(template, context)


def _render_bodies(template: str, context: dict) -> dict[str, str]:
    return {
        "body_text": _fit(
            render_template(f"mail/{template}.txt", **context),
            "\n\n" + gettext("[…] Ingekort: lees verder in Rode Knop."),
        ),
        "body_html": _fit(
            render_template(f"mail/{template}.html", **context),
            "<p>" + str(escape(gettext("[…] Ingekort: lees verder in Rode Knop."))) + "</p>",
        ),
    }


def _message_id() -> str:
    return make_msgid(domain=urlsplit(current_app.config["APP_BASE_URL"]).hostname or "rodeknop")


def enqueue(
    user: User,
    template: str,
    subject: str,
    *,
    dedupe_key: str | None = None,
    anonymous: bool = False,
    to_address: str | None = None,
    always: bool = False,
    kind: str | None = None,
    hold: Hold | None = None,
    **context,
) -> OutboxMessage | None:
    """Queue one mail to `user`, rendered from templates/mail/<template>.txt and .html.
    `kind` says what it is about (app.models.user.MAIL_KINDS): the user's choice for that
    kind decides whether it goes now, waits for their daily overview, or is not queued.
    Deactivated accounts get nothing. `always`: a security notice about their own account,
    whatever they chose. `anonymous`: `user` follows what the mail is about anonymously;
    the row then keeps only their pseudonym, and the mail greets them without their name.
    `to_address`: another address than the account's (the old one, after a change).
    `hold` (or an enclosing hold_mail block): keep the mail back until the hold ends, as
    one mail per recipient and report (see hold_mail)."""
    if kind is None and not always:
        raise TypeError("enqueue needs kind= (see app.models.user.MAIL_KINDS), or always=True")
    if kind is not None and kind not in MAIL_KINDS and kind not in FIXED_MAIL_KINDS:
        raise ValueError(f"unknown kind of mail {kind!r}")
    choice = None if always else user.mail_choice(kind)
    if not user.active or choice == NO_MAIL:
        return None
    with in_language_of(user):  # lazy texts (a subject, a headline) in the reader's language
        subject = str(subject)
        context = {key: str(value) if isinstance(value, LazyString) else value for key, value in context.items()}
    hold = hold or _current_hold.get()
    if hold is not None:
        held = _join_held(hold, user, template, subject, anonymous, context)
        if held is not None:
            return held
    context.update(user=None if anonymous else user, subject=subject, municipality=current_look().municipality)
    message = OutboxMessage(
        to_address=None if anonymous else (to_address or user.email),
        to_user_id=None if anonymous else user.id,
        to_pseudonym=pseudonym(user.id) if anonymous else None,
        subject=subject,
        **_bodies(template, context, user),
        dedupe_key=dedupe_key,
        message_id=_message_id(),
        kind=kind or "account",
        digest=choice == DIGEST,
    )
    if hold is not None:
        _hold_message(message, hold, user, template, subject, anonymous, context)
    db.session.add(message)
    return message


def follower_kind(is_reporter: bool) -> str:
    """The kind of a mail about a report, for its reporter or for someone who supports it."""
    return "own_reports" if is_reporter else "followed_reports"


# --- held mail (the weekly session) ----------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """Mail caused by one step (`owner`, e.g. one decision in a weekly session) within a
    group of steps (`group`, e.g. that session), held back until `until`."""

    group: str
    owner: str
    until: datetime


_current_hold: ContextVar[Hold | None] = ContextVar("mail_hold", default=None)


@contextmanager
def hold_mail(group: str, owner: str, until: datetime) -> Iterator[Hold]:
    """Every mail queued inside this block is held until `until` (or release_held), and the
    update mails about one report to one recipient within `group` become one mail that
    tells every step and the report's final state. withdraw_held takes `owner`'s steps
    out again, as long as they have not gone out."""
    hold = Hold(group, owner, until)
    token = _current_hold.set(hold)
    try:
        yield hold
    finally:
        _current_hold.reset(token)


def current_hold() -> Hold | None:
    """The hold of the enclosing hold_mail block, if any: what else a decision causes
    (webhook deliveries, app.webhooks) waits with its mail."""
    return _current_hold.get()


# The one mail that can tell several steps: the reporter's and supporters' update.
COALESCED_TEMPLATE = "report_update"


def _group_key(hold: Hold, user: User, template: str, anonymous: bool, context: dict) -> str:
    report = context.get("report")
    recipient = recipient_key(user, anonymous)
    return f"{hold.group}:{report.id if report is not None else '-'}:{template}:{recipient}"[:GROUP_KEY_MAX]


def recipient_key(user: User, anonymous: bool) -> str:
    """Who a held mail is for, in its group key: the pseudonym for an anonymous follower."""
    return f"p{pseudonym(user.id)}" if anonymous else f"u{user.id}"


def _step(hold: Hold, subject: str, context: dict) -> dict:
    return {"owner": hold.owner, "subject": subject, "headline": context.get("headline"), "text": context.get("text")}


def _hold_message(
    message: OutboxMessage, hold: Hold, user: User, template: str, subject: str, anonymous: bool, context: dict
) -> None:
    report = context.get("report")
    message.next_attempt_at = hold.until
    message.group_key = _group_key(hold, user, template, anonymous, context)
    message.hold_parts = json.dumps(
        {
            "template": template,
            "report_id": report.id if report is not None else None,
            "is_reporter": bool(context.get("is_reporter")),
            "steps": [_step(hold, subject, context)],
        }
    )


def _held(group_key: str) -> OutboxMessage | None:
    """The mail with this group key that is still held and untouched by a deliverer."""
    return db.session.scalar(
        db.select(OutboxMessage)
        .where(
            OutboxMessage.group_key == group_key,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.claimed_until.is_(None),
            OutboxMessage.next_attempt_at > utcnow(),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def _join_held(
    hold: Hold, user: User, template: str, subject: str, anonymous: bool, context: dict
) -> OutboxMessage | None:
    """Add this step to the held update about the same report for the same recipient."""
    if template != COALESCED_TEMPLATE:
        return None
    message = _held(_group_key(hold, user, template, anonymous, context))
    if message is None:
        return None
    parts = json.loads(message.hold_parts)
    parts["steps"].append(_step(hold, subject, context))
    message.hold_parts = json.dumps(parts)
    message.next_attempt_at = max(message.next_attempt_at, hold.until)
    _render_held(message, parts)
    return message


def _render_held(message: OutboxMessage, parts: dict) -> None:
    """(Re)write a held update from its steps, with the report as it is now."""
    report = db.session.get(Report, parts["report_id"])
    user = db.session.get(User, message.to_user_id) if message.to_user_id else None
    steps = parts["steps"]
    last = steps[-1]
    context = {
        "user": user,
        "subject": last["subject"],
        "municipality": current_look().municipality,
        "report": report,
        "headline": last["headline"],
        "text": last["text"],
        "steps": steps if len(steps) > 1 else None,
        "is_reporter": parts["is_reporter"],
        "url": external_url("reports.detail", reference=report.reference),
    }
    message.subject = last["subject"]
    reader = user if user is not None else user_for_pseudonym(message.to_pseudonym)
    for field, body in _bodies(parts["template"], context, reader).items():
        setattr(message, field, body)


def _in_group(group: str):
    return OutboxMessage.group_key.like(group.replace("%", "").replace("_", "\\_") + ":%", escape="\\")


def withdraw_held(group: str, owner: str) -> bool:
    """Take `owner`'s steps out of the held mails of `group`: a mail with only their steps
    is deleted, a mail that also tells other steps is written again without them. False
    (and nothing changed) when one of them is no longer held: a deliverer has it, or it
    went out."""
    messages = db.session.scalars(db.select(OutboxMessage).where(_in_group(group))).all()
    now = utcnow()
    # Webhook deliveries of the same steps (app.webhooks) go with their mail, all or nothing.
    deliveries = db.session.scalars(
        db.select(WebhookDelivery).where(WebhookDelivery.hold_group == group, WebhookDelivery.hold_owner == owner)
    ).all()
    if any(d.sent_at is not None or d.claimed_until is not None or d.next_attempt_at <= now for d in deliveries):
        return False
    touched = []
    for message in messages:
        parts = json.loads(message.hold_parts or '{"steps": []}')
        if not any(step["owner"] == owner for step in parts["steps"]):
            continue
        if message.sent_at is not None or message.claimed_until is not None or message.next_attempt_at <= now:
            return False
        touched.append((message, parts))
    for message, parts in touched:
        parts["steps"] = [step for step in parts["steps"] if step["owner"] != owner]
        if not parts["steps"]:
            if not _delete_unclaimed(OutboxMessage, message):
                return False
            continue
        message.hold_parts = json.dumps(parts)
        _render_held(message, parts)
    for delivery in deliveries:
        if not _delete_unclaimed(WebhookDelivery, delivery):
            return False
    db.session.flush()
    return True


def _delete_unclaimed(model, row) -> bool:
    """Delete an outbox row (a mail or a webhook delivery) unless a deliverer claimed or
    sent it meanwhile. Conditional, so a deliverer that claims it at this very moment wins
    cleanly; False then."""
    result = db.session.execute(
        db.delete(model).where(model.id == row.id, model.claimed_until.is_(None), model.sent_at.is_(None))
    )
    if result.rowcount != 1:
        return False
    db.session.expunge(row)
    return True


def withdraw_held_to_former_followers(group: str, report: Report) -> None:
    """After followers were taken off `report` (an undone merge), the held updates of
    `group` about it to anyone who no longer follows it are not sent."""
    following = {recipient_key(f.user, f.anonymous) for f in followers(report)}
    prefix = f"{group}:{report.id}:{COALESCED_TEMPLATE}:"
    for message in db.session.scalars(db.select(OutboxMessage).where(_in_group(group))):
        former = message.group_key.startswith(prefix) and message.group_key[len(prefix) :] not in following
        if former and message.sent_at is None and message.claimed_until is None:
            db.session.delete(message)
    db.session.flush()


def release_held(group: str, *, now: datetime | None = None) -> int:
    """Send the held mails of `group`, and the webhook deliveries held with them, at the
    next delivery (the session ended). Returns the number of mails."""
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(_in_group(group), OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at > now)
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.hold_group == group,
            WebhookDelivery.sent_at.is_(None),
            WebhookDelivery.attempts == 0,
            WebhookDelivery.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass(frozen=True)
class Follower:
    """Someone who hears about every decision on a report, and how they follow it."""

    user: User
    anonymous: bool
    is_reporter: bool


def followers(report: Report) -> list[Follower]:
    """The reporter and every supporter, each entry as it is recorded: named followers
    once per person; anonymous ones looked up by pseudonym, one entry per anonymous row."""
    entries: list[Follower] = []
    named: set[int] = set()
    if report.is_anonymous:
        reporter = user_for_pseudonym(report.reporter_pseudonym)
        if reporter is not None:
            entries.append(Follower(reporter, True, True))
    elif report.reporter is not None:
        entries.append(Follower(report.reporter, False, True))
        named.add(report.reporter.id)
    for support in report.supports:
        if support.anonymous:
            person = user_for_pseudonym(support.follower_pseudonym)
            if person is not None:
                entries.append(Follower(person, True, False))
        elif support.user is not None and support.user_id not in named:
            entries.append(Follower(support.user, False, False))
            named.add(support.user_id)
    return entries


def notify_followers(
    report: Report,
    headline: str,
    *,
    text: str | None = None,
    exclude: User | None = None,
    subject: str | None = None,
) -> int:
    """Tell the reporter and supporters what happened to the report and why. `exclude`
    (who did it) is never an anonymous follower: they do not act on what they follow."""
    count = 0
    for follower in followers(report):
        if exclude is not None and not follower.anonymous and follower.user.id == exclude.id:
            continue
        message = enqueue(
            follower.user,
            "report_update",
            subject or _l("%(reference)s: %(headline)s", reference=report.reference, headline=headline),
            anonymous=follower.anonymous,
            report=report,
            headline=headline,
            text=text,
            is_reporter=follower.is_reporter,
            url=external_url("reports.detail", reference=report.reference),
            kind=follower_kind(follower.is_reporter),
        )
        count += message is not None
    return count


# --- delivery -----------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _build(message: OutboxMessage, address: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _connect() -> smtplib.SMTP:
    config = current_app.config
    # Name ourselves after the site instead of a slow reverse-DNS look-up of this host.
    helo = urlsplit(config["APP_BASE_URL"]).hostname or "localhost"
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            local_hostname=helo,
            timeout=config["MAIL_TIMEOUT"],
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], local_hostname=helo, timeout=config["MAIL_TIMEOUT"]
        )
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def claim(model, row_id: int, now: datetime, *conditions) -> bool:
    """Take one outbox row (a mail, a webhook delivery: anything with sent_at and
    claimed_until) for delivery, and commit; False when another deliverer has it or it is
    done. The claim lapses after CLAIM_FOR, so a deliverer that died leaves nothing stuck."""
    result = db.session.execute(
        update(model)
        .where(
            model.id == row_id,
            model.sent_at.is_(None),
            or_(model.claimed_until.is_(None), model.claimed_until < now),
            *conditions,
        )
        .values(claimed_until=now + CLAIM_FOR)
    )
    db.session.commit()
    return result.rowcount == 1


def _address(message: OutboxMessage) -> str | None:
    """Where the message goes now: its address, or the address of the person behind its
    pseudonym (None when they are gone, deactivated, or chose no mail meanwhile)."""
    if message.to_pseudonym is None:
        return message.to_address
    person = user_for_pseudonym(message.to_pseudonym)
    if person is None or not person.active or person.mail_choice(message.kind) == NO_MAIL:
        return None
    return person.email


def _wants_digest(message: OutboxMessage) -> bool:
    """A mail to a pseudonym whose person chose the daily overview for its kind (looked up
    now: the row never says who they are)."""
    if message.to_pseudonym is None or message.digest:
        return False
    person = user_for_pseudonym(message.to_pseudonym)
    return person is not None and person.mail_choice(message.kind) == DIGEST


def deliver_outbox(*, limit: int = 200, now: datetime | None = None) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed). Commits after every message: a failure is
    retried later with backoff and nothing is lost. At least once: a crash after the SMTP
    server accepted a message and before this records it sends that message again (with
    the same Message-ID). A mail to an anonymous follower is deleted once it is sent."""
    now = now or utcnow()
    due_ids = list(
        db.session.scalars(
            db.select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.digest.is_(False),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    db.session.commit()
    sent = failed = 0
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in due_ids:
            if not claim(OutboxMessage, message_id, now):
                continue
            message = db.session.get(OutboxMessage, message_id)
            address = _address(message)
            if address is None:
                db.session.delete(message)  # nobody to send it to any more
                db.session.commit()
                continue
            if _wants_digest(message):
                message.digest = True  # the next daily overview takes it along
                message.claimed_until = None
                db.session.commit()
                continue
            if message.message_id is None:  # queued before Message-IDs were kept
                message.message_id = _message_id()
                db.session.commit()
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(_build(message, address))
            except (smtplib.SMTPException, OSError) as error:
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:500]
                message.next_attempt_at = now + backoff(message.attempts)
                message.claimed_until = None
                failed += 1
                log.warning("mail %s not delivered (attempt %s): %s", message.id, message.attempts, message.last_error)
                if smtp is not None:
                    try:
                        smtp.close()
                    finally:
                        smtp = None
            else:
                sent += 1
                if message.to_pseudonym is not None:
                    # Kept, it would join the reporter's pseudonym to the report for good.
                    db.session.delete(message)
                else:
                    message.sent_at = utcnow()
                    message.attempts += 1
                    message.last_error = None
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return sent, failed

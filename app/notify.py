"""The e-mail outbox: notifications are queued in the same transaction as the change that
caused them, and delivered later over SMTP with retries and backoff."""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import or_, update

from app.extensions import db
from app.models import OutboxMessage, Report, User
from app.models.base import utcnow

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


def enqueue(
    user: User, template: str, subject: str, *, dedupe_key: str | None = None, **context
) -> OutboxMessage | None:
    """Queue one mail to `user`, rendered from templates/mail/<template>.txt and .html.
    Users who chose no mail, and deactivated accounts, get nothing."""
    if not user.active or user.mail_preference == "none":
        return None
    context.update(user=user, subject=subject, municipality=current_app.config["MUNICIPALITY_NAME"])
    message = OutboxMessage(
        to_address=user.email,
        to_user_id=user.id,
        subject=subject,
        body_text=render_template(f"mail/{template}.txt", **context),
        body_html=render_template(f"mail/{template}.html", **context),
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    return message


def followers(report: Report) -> list[User]:
    """The reporter and every supporter: the people who hear about every decision."""
    people = {report.reporter_id: report.reporter}
    for support in report.supports:
        people.setdefault(support.user_id, support.user)
    return list(people.values())


def notify_followers(report: Report, headline: str, *, text: str | None = None, exclude: User | None = None) -> int:
    """Tell the reporter and supporters what happened to the report and why."""
    count = 0
    for person in followers(report):
        if exclude is not None and person.id == exclude.id:
            continue
        message = enqueue(
            person,
            "report_update",
            f"{report.reference}: {headline}",
            report=report,
            headline=headline,
            text=text,
            is_reporter=person.id == report.reporter_id,
            url=external_url("reports.detail", reference=report.reference),
        )
        count += message is not None
    return count


# --- delivery -----------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="rodeknop")
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


def _claim(message_id: int, now: datetime) -> bool:
    """Take a message for delivery; False when another deliverer has it."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM_FOR)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_outbox(*, limit: int = 200, now: datetime | None = None) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed). Commits after every message, so a crash
    half-way sends nothing twice that was recorded as sent, and loses nothing."""
    now = now or utcnow()
    due_ids = list(
        db.session.scalars(
            db.select(OutboxMessage.id)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    db.session.commit()
    sent = failed = 0
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in due_ids:
            if not _claim(message_id, now):
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(_build(message))
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
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = None
                sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return sent, failed

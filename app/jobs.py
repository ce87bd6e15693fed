"""Scheduled work: module-level job functions and the one scheduler process that runs them.

Every job opens an app context, calls services, commits, and is safe to run twice: mails
carry a dedupe key, so a second run (or a second scheduler by mistake) sends nothing twice.
The scheduler runs only in `flask run-scheduler`, never inside web workers."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.anonymity import user_for_pseudonym
from app.clock import next_session, zone
from app.clock import today as local_today
from app.dossiers.overview import OPEN as OPEN_DOSSIERS
from app.dossiers.overview import Filters as DossierFilters
from app.dossiers.overview import dossier_rows
from app.extensions import db
from app.models import AuditEntry, Dossier, JobRun, OutboxMessage, Report, User, WebhookDelivery
from app.models.base import utcnow
from app.models.report import overdue_cutoff
from app.models.user import NO_MAIL
from app.notify import deliver_outbox, enqueue, external_url
from app.outgoing import Refused
from app.services.checkback import ask_checkback, due_for_checkback, forget_checkback_links, forget_checkbacks
from app.services.dossiers import dossier_contacts
from app.services.insight_snapshots import forget_all as forget_insight
from app.services.insight_snapshots import refresh as refresh_insight
from app.services.register import deliver_register as deliver_to_register
from app.services.register import sync_register as fetch_register
from app.services.reports import forget_anonymous_links, forget_reporters
from app.services.triage import agenda_groups, build_agenda, reason_label
from app.services.users import users_with_role
from app.webhooks import deliver_webhooks as deliver_due_webhooks

log = logging.getLogger(__name__)
_app: Flask | None = None


@contextlib.contextmanager
def _context() -> Iterator[Flask]:
    """The current app (flask run-job, tests) or the scheduler process's own app."""
    global _app
    if has_app_context():
        yield current_app._get_current_object()
        return
    if _app is None:
        from app import create_app

        _app = create_app()
    with _app.app_context():
        yield _app


def _queue_once(user: User, template: str, subject: str, key: str, **context) -> bool:
    """Queue a mail unless one with this key was ever queued. True when queued now."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            message = enqueue(user, template, subject, dedupe_key=key, **context)
    except IntegrityError:  # another run queued it at the same moment
        return False
    return message is not None


def _record(job: str, started: datetime, result: dict, dry_run: bool = False) -> dict:
    db.session.add(
        JobRun(
            job=job,
            started_at=started,
            finished_at=utcnow(),
            dry_run=dry_run,
            result=json.dumps(result, ensure_ascii=False, sort_keys=True),
        )
    )
    db.session.commit()
    log.info("job %s%s: %s", job, " (dry run)" if dry_run else "", result)
    return result


def _overdue_reports(now: datetime) -> list[Report]:
    return list(
        db.session.scalars(select(Report).where(Report.is_overdue(overdue_cutoff(now))).order_by(Report.created_at))
    )


# --- the jobs -------------------------------------------------------------------------


def deliver_mail(now: datetime | None = None) -> dict:
    """Send what is due in the outbox (retries with backoff)."""
    with _context():
        sent, failed = deliver_outbox(now=now)
        return {"sent": sent, "failed": failed}


def insight(now: datetime | None = None) -> dict:
    """Inzicht: compute again the kept figures of the views asked for lately whose data
    changed, so that pages read them instead of computing (app.services.insight_snapshots).
    Like deliver_mail it runs often and records no job run."""
    with _context():
        return refresh_insight(now=now)


def deliver_webhooks(now: datetime | None = None) -> dict:
    """Send the webhook deliveries that are due (app.webhooks; retries with backoff)."""
    with _context():
        delivered, failed = deliver_due_webhooks(now=now)
        return {"delivered": delivered, "failed": failed}


def deliver_register(now: datetime | None = None) -> dict:
    """Send what waits for the shared register (app.services.register; retries with backoff).
    Does nothing unless this installation is a member (REGISTER_URL)."""
    with _context():
        delivered, failed = deliver_to_register(now=now)
        return {"delivered": delivered, "failed": failed}


def sync_register(now: datetime | None = None) -> dict:
    """Fetch what the shared register says about every law article into the local copy
    the dossier pages read (app.services.register). The copy stays when the register is down."""
    with _context():
        try:
            return {"articles": fetch_register(now=now)}
        except (Refused, OSError, ValueError, KeyError) as error:
            db.session.rollback()
            log.warning("register not fetched: %s", error)
            return {"error": str(error)[:200]}


def weekly_agenda(now: datetime | None = None) -> dict:
    """Before the weekly session: every coach gets the agenda, as the session would start
    with it now (app.services.triage.build_agenda: new, carried over, overdue)."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        session_at = next_session(now - timedelta(hours=12))
        groups = agenda_groups(build_agenda(now=now))
        queued = 0
        for coach in users_with_role("coach"):
            queued += _queue_once(
                coach,
                "agenda",
                _l("Agenda weekoverleg %(date)s", date=f"{session_at:%d-%m-%Y}"),
                f"agenda:{session_at.date().isoformat()}:{coach.id}",
                groups=groups,
                reason_label=reason_label,  # called as the mail renders, in the coach's language
                session_at=session_at,
                url=external_url("triage.index"),
                kind="overviews",
            )
        counts = {group.reason: len(group.reports) for group in groups}
        return _record("weekly_agenda", started, {**counts, "mails": queued})


def coach_reminders(now: datetime | None = None) -> dict:
    """A coach whose report has had no update for OVERDUE_DAYS gets one reminder per stall."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        queued = 0
        for report in _overdue_reports(now):
            if report.assignee is None:
                continue  # unassigned overdue reports go on the weekly agenda instead
            queued += _queue_once(
                report.assignee,
                "reminder_report",
                _l("Herinnering: %(reference)s wacht op een update", reference=report.reference),
                f"reminder:report:{report.id}:{report.last_activity_at.isoformat()}",
                report=report,
                days=(now - report.last_activity_at).days,
                url=external_url("reports.detail", reference=report.reference),
                kind="reminders",
            )
        return _record("coach_reminders", started, {"mails": queued})


def dossier_reminders(now: datetime | None = None) -> dict:
    """The owner (or, without one, all of Juridische Zaken) hears once when a follow-up date
    or an expected answer date has passed."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        today = local_today(now)
        dossiers = db.session.scalars(
            select(Dossier).where(or_(Dossier.follow_up_due(today), Dossier.answer_late(today))).order_by(Dossier.id)
        ).all()
        queued = 0
        for dossier in dossiers:
            recipients = dossier_contacts(dossier)
            reasons = []
            if dossier.follow_up_due(today):
                reached = _l("de opvolgdatum %(date)s is bereikt", date=f"{dossier.follow_up_on:%d-%m-%Y}")
                reasons.append(("follow-up", dossier.follow_up_on, reached))
            if dossier.answer_late(today):
                late = _l("het antwoord werd verwacht op %(date)s", date=f"{dossier.answer_due:%d-%m-%Y}")
                reasons.append(("answer", dossier.answer_due, late))
            for kind, due, text in reasons:
                for person in recipients:
                    queued += _queue_once(
                        person,
                        "reminder_dossier",
                        _l(
                            "Herinnering: dossier %(reference)s (%(law)s)",
                            reference=dossier.reference,
                            law=dossier.legal_reference,
                        ),
                        f"reminder:dossier:{kind}:{dossier.id}:{due.isoformat()}:{person.id}",
                        dossier=dossier,
                        reason=text,
                        url=external_url("dossiers.detail", dossier_id=dossier.id),
                        kind="reminders",
                    )
        return _record("dossier_reminders", started, {"dossiers": len(dossiers), "mails": queued})


def dossier_overview(now: datetime | None = None) -> dict:
    """Weekly: every legal user gets the open dossiers as the overview page lists them with
    the filter 'open', what needs attention first."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        today = local_today(now)
        rows = dossier_rows(DossierFilters(status=OPEN_DOSSIERS), today)
        year, week, _ = today.isocalendar()
        queued = 0
        for person in users_with_role("legal"):
            queued += _queue_once(
                person,
                "dossier_overview",
                _l("Weekoverzicht escalatiedossiers week %(week)s", week=week),
                f"legal-overview:{year}-{week}:{person.id}",
                rows=rows,
                url=external_url("dossiers.index"),
                kind="overviews",
            )
        return _record("dossier_overview", started, {"dossiers": len(rows), "mails": queued})


class _Taken(Exception):
    """Another run took these waiting mails first."""


def daily_digest(now: datetime | None = None) -> dict:
    """Once a day, everyone with mails waiting for their daily overview gets them in one
    mail, and those mails are done. Mails to someone who follows anonymously wait under
    their pseudonym only; they get their own overview, again under the pseudonym (joined
    with the named ones it would tie the person to what they follow anonymously). The
    person behind a pseudonym is looked up now, as when a mail goes out. Safe to run twice:
    one overview per recipient per day (dedupe key), and the mails it takes along are
    marked in the same transaction."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        day = local_today(now).isoformat()
        waiting = db.session.scalars(
            select(OutboxMessage)
            # Not what is still held back (a weekly session's decisions, which can be undone).
            .where(
                OutboxMessage.digest.is_(True), OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        ).all()
        groups: dict[tuple[str, int | str], list[OutboxMessage]] = {}
        for message in waiting:
            who = ("pseudonym", message.to_pseudonym) if message.to_pseudonym else ("user", message.to_user_id)
            groups.setdefault(who, []).append(message)
        queued = dropped = 0
        for (how, who), messages in groups.items():
            anonymous = how == "pseudonym"
            person = user_for_pseudonym(who) if anonymous else db.session.get(User, who)
            if person is None or not person.active:
                unwanted = {m.id for m in messages}
            else:  # no mail of that kind any more
                unwanted = {m.id for m in messages if person.mail_choice(m.kind) == NO_MAIL}
            if unwanted:
                dropped += db.session.execute(
                    delete(OutboxMessage).where(OutboxMessage.id.in_(unwanted), OutboxMessage.sent_at.is_(None))
                ).rowcount
            wanted = [m for m in messages if m.id not in unwanted]
            if not wanted:
                continue
            count = len(wanted)
            try:
                with db.session.begin_nested():
                    if not _queue_once(
                        person,
                        "digest",
                        lazy_ngettext(
                            "Uw dagelijks overzicht van Rode Knop: %(num)d bericht",
                            "Uw dagelijks overzicht van Rode Knop: %(num)d berichten",
                            count,
                        ),
                        f"digest:{day}:{who}",
                        anonymous=anonymous,
                        kind="digest",
                        items=wanted,
                        url=external_url("reports.mine"),
                    ):
                        raise _Taken
                    ids = [m.id for m in wanted]
                    still_waiting = (
                        OutboxMessage.id.in_(ids),
                        OutboxMessage.digest.is_(True),
                        OutboxMessage.sent_at.is_(None),
                    )
                    if anonymous:  # kept, the rows would tie the pseudonym to the reports for good
                        done = db.session.execute(delete(OutboxMessage).where(*still_waiting))
                    else:
                        done = db.session.execute(update(OutboxMessage).where(*still_waiting).values(sent_at=utcnow()))
                    if done.rowcount != len(ids):
                        raise _Taken
            except _Taken:
                continue
            queued += 1
        db.session.commit()
        return _record("daily_digest", started, {"mails": queued, "messages": len(waiting), "dropped": dropped})


def checkback(now: datetime | None = None) -> dict:
    """'Merkbaar beter?': CHECKBACK_WEEKS after a report was solved, its reporter and
    supporters each get the question once (app.services.checkback). Safe to run twice and
    from two schedulers: one invitation per recipient and solution (a unique key)."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        reports = due_for_checkback(now)
        queued = 0
        for report in reports:
            queued += ask_checkback(report, now=now)
            db.session.commit()  # each report's questions on their own: a crash loses no mail
        return _record("checkback", started, {"reports": len(reports), "mails": queued})


def retention(now: datetime | None = None, dry_run: bool = False) -> dict:
    """Anonymise or remove what is past its term, and record what was done."""
    with _context():
        now = now or utcnow()
        started = utcnow()
        config = current_app.config
        result: dict[str, int] = {}
        if config["RETENTION_MAIL_DAYS"]:
            stmt = delete(OutboxMessage).where(
                OutboxMessage.sent_at < now - timedelta(days=config["RETENTION_MAIL_DAYS"])
            )
            result["mails_removed"] = _count_or_run(stmt, dry_run)
            # Webhook deliveries that went out (or were given up) as long ago: the same term.
            cutoff = now - timedelta(days=config["RETENTION_MAIL_DAYS"])
            stmt = delete(WebhookDelivery).where(
                or_(WebhookDelivery.sent_at < cutoff, WebhookDelivery.failed_at < cutoff)
            )
            result["webhook_deliveries_removed"] = _count_or_run(stmt, dry_run)
        if config["RETENTION_AUDIT_DAYS"]:
            stmt = delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=config["RETENTION_AUDIT_DAYS"]))
            result["audit_entries_removed"] = _count_or_run(stmt, dry_run)
        if config["RETENTION_ANONYMOUS_LINK_DAYS"]:
            before = now - timedelta(days=config["RETENTION_ANONYMOUS_LINK_DAYS"])
            result["anonymous_links_destroyed"] = forget_anonymous_links(before, dry_run=dry_run)
            result["checkback_links_forgotten"] = forget_checkback_links(before, dry_run=dry_run)
        if config["RETENTION_REPORT_DAYS"]:
            before = now - timedelta(days=config["RETENTION_REPORT_DAYS"])
            result["reporters_forgotten"] = forget_reporters(before, dry_run=dry_run)
            result["checkback_answers_removed"] = forget_checkbacks(before, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            # What was removed may still be counted in Inzicht's kept figures: compute anew.
            forget_insight()
        return _record("retention", started, result, dry_run=dry_run)


def _count_or_run(stmt, dry_run: bool) -> int:
    if dry_run:
        count_stmt = select(db.func.count()).select_from(stmt.table).where(stmt.whereclause)
        return db.session.scalar(count_stmt) or 0
    return db.session.execute(stmt).rowcount or 0


JOBS: dict[str, Callable[..., dict]] = {
    "deliver_mail": deliver_mail,
    "insight": insight,
    "deliver_webhooks": deliver_webhooks,
    "deliver_register": deliver_register,
    "sync_register": sync_register,
    "weekly_agenda": weekly_agenda,
    "coach_reminders": coach_reminders,
    "dossier_reminders": dossier_reminders,
    "dossier_overview": dossier_overview,
    "daily_digest": daily_digest,
    "checkback": checkback,
    "retention": retention,
}


# --- the scheduler --------------------------------------------------------------------


def _hm(value: str) -> tuple[int, int]:
    hour, minute = (int(part) for part in value.split(":"))
    return hour, minute


def build_scheduler(app: Flask, scheduler_class=None):
    """A scheduler with fixed job ids: restarting it replaces jobs instead of adding
    copies, and missed runs are coalesced into one."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    global _app
    _app = app
    config = app.config
    with app.app_context():
        tz = zone()
    scheduler = (scheduler_class or BlockingScheduler)(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    agenda_h, agenda_m = _hm(config["AGENDA_MAIL_TIME"])
    remind_h, remind_m = _hm(config["REMINDER_TIME"])
    legal_h, legal_m = _hm(config["DOSSIER_OVERVIEW_TIME"])
    keep_h, keep_m = _hm(config["RETENTION_TIME"])
    digest_h, digest_m = _hm(config["DIGEST_TIME"])
    checkback_h, checkback_m = _hm(config["CHECKBACK_TIME"])
    triggers = {
        "deliver_mail": IntervalTrigger(seconds=config["MAIL_DELIVERY_SECONDS"], timezone=tz),
        # 0: no kept figures, nothing to refresh (the job then does nothing, once a day).
        "insight": IntervalTrigger(seconds=config["INSIGHT_REFRESH_SECONDS"] or 86400, timezone=tz),
        "deliver_webhooks": IntervalTrigger(seconds=config["WEBHOOK_DELIVERY_SECONDS"], timezone=tz),
        "deliver_register": IntervalTrigger(seconds=config["REGISTER_DELIVERY_SECONDS"], timezone=tz),
        "sync_register": IntervalTrigger(seconds=config["REGISTER_SYNC_SECONDS"], timezone=tz),
        "weekly_agenda": CronTrigger(
            day_of_week=days[config["TRIAGE_WEEKDAY"]], hour=agenda_h, minute=agenda_m, timezone=tz
        ),
        "coach_reminders": CronTrigger(hour=remind_h, minute=remind_m, timezone=tz),
        "dossier_reminders": CronTrigger(hour=remind_h, minute=remind_m, timezone=tz),
        "dossier_overview": CronTrigger(
            day_of_week=days[config["DOSSIER_OVERVIEW_WEEKDAY"]], hour=legal_h, minute=legal_m, timezone=tz
        ),
        "daily_digest": CronTrigger(hour=digest_h, minute=digest_m, timezone=tz),
        "checkback": CronTrigger(hour=checkback_h, minute=checkback_m, timezone=tz),
        "retention": CronTrigger(hour=keep_h, minute=keep_m, timezone=tz),
    }
    for job_id, trigger in triggers.items():
        options = (
            {"next_run_time": datetime.now(tz)}
            if job_id in ("deliver_mail", "deliver_webhooks", "sync_register")
            else {}
        )
        scheduler.add_job(
            f"app.jobs:{JOBS[job_id].__name__}",
            trigger=trigger,
            id=job_id,
            name=job_id,
            replace_existing=True,
            **options,
        )
    return scheduler


@contextlib.contextmanager
def scheduler_lock(app: Flask) -> Iterator[None]:
    """Only one scheduler per installation: a lock file on this host and, on PostgreSQL,
    an advisory lock held for the scheduler's lifetime across hosts. A second one refuses."""
    path = Path(app.instance_path) / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    connection = None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise RuntimeError(f"Another scheduler is already running (lock {path}).") from error
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                connection = db.engine.connect()
                got = connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({ADVISORY_LOCK_ID})").scalar()
                connection.commit()
                if not got:
                    raise RuntimeError("Another scheduler is already running against this database.")
        yield
    finally:
        if connection is not None:
            connection.close()
        handle.close()


ADVISORY_LOCK_ID = 7_531_594  # "Rode Knop scheduler"

"""Scheduled jobs: each does its work once per trigger, also when run twice or by several
processes at once; the scheduler has fixed job ids, coalesces missed runs, and runs only
in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.jobs import JOBS, build_scheduler, coach_reminders, dossier_reminders, retention, scheduler_lock, weekly_agenda
from app.models import AuditEntry, Dossier, JobRun, OutboxMessage, Report
from app.models.base import utcnow
from app.services.dossiers import LegalReference
from app.services.reports import my_reports, supported_reports
from app.services.workflow import assign_report, decide_report, merge_report
from tests.factories import make_report, make_user, run_job_in_processes

ROOT = Path(__file__).resolve().parent.parent


def _mails(subject_part: str) -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.subject.like(f"%{subject_part}%"))).all()


@pytest.fixture
def overdue_dossier(app):
    with app.app_context():
        coach = make_user("Eva Coach", roles=("employee", "coach"))
        owner = make_user("Fatima Jurist", email="fatima@example.test", roles=("employee", "legal"))
        make_user("Andere Jurist", roles=("employee", "legal"))
        report = make_report(make_user(), rule="Kostendelersnorm")
        decide_report(
            report,
            actor=coach,
            outcome="escalated",
            explanation="Landelijk.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
        )
        dossier = db.session.scalar(db.select(Dossier))
        dossier.owner_id = owner.id
        dossier.status = "sent"
        dossier.sent_on = date.today() - timedelta(days=40)
        dossier.answer_due = date.today() - timedelta(days=1)
        db.session.commit()
        return owner.id


def test_an_overdue_answer_gives_the_owner_exactly_one_reminder(app, overdue_dossier):
    with app.app_context():
        first = dossier_reminders()
        second = dossier_reminders()
        assert first["mails"] == 1 and second["mails"] == 0
        reminders = _mails("Herinnering: dossier")
        assert [m.to_user_id for m in reminders] == [overdue_dossier]
        assert "het antwoord werd verwacht op" in reminders[0].body_text
        assert db.session.scalar(db.select(db.func.count(JobRun.id)).where(JobRun.job == "dossier_reminders")) == 2


def test_four_processes_running_the_job_at_once_send_one_reminder(app, overdue_dossier, database_url):
    run_job_in_processes(database_url, "dossier_reminders")
    with app.app_context():
        assert len(_mails("Herinnering: dossier")) == 1


def test_coach_reminder_once_per_stall(app):
    with app.app_context():
        coach = make_user("Eva Coach", roles=("employee", "coach"))
        report = make_report(make_user())
        assign_report(report, coach, actor=coach)
        report.last_activity_at = utcnow() - timedelta(days=app.config["OVERDUE_DAYS"] + 1)
        fresh = make_report(make_user())
        assign_report(fresh, coach, actor=coach)
        db.session.commit()
        assert coach_reminders()["mails"] == 1
        assert coach_reminders()["mails"] == 0
        [mail] = _mails("wacht op een update")
        assert report.reference in mail.subject and mail.to_user_id == coach.id


def test_weekly_agenda_reaches_every_coach_once(app):
    with app.app_context():
        coaches = [make_user(roles=("employee", "coach")) for _ in range(2)]
        make_user()  # not a coach
        new = make_report(make_user(), rule="Nieuwe regel op de agenda")
        db.session.commit()
        assert weekly_agenda()["mails"] == 2
        assert weekly_agenda()["mails"] == 0
        mails = _mails("Agenda weekoverleg")
        assert sorted(m.to_user_id for m in mails) == sorted(c.id for c in coaches)
        assert new.reference in mails[0].body_text


def test_retention_dry_run_changes_nothing_and_the_real_run_records_what_it_did(app):
    with app.app_context():
        coach = make_user(roles=("employee", "coach"))
        reporter = make_user("Oude Melder")
        old = make_report(reporter, rule="Oud")
        decide_report(old, actor=coach, outcome="explained", explanation="Zo is het.")
        old.last_activity_at = utcnow() - timedelta(days=app.config["RETENTION_REPORT_DAYS"] + 1)
        db.session.add(AuditEntry(action="login", at=utcnow() - timedelta(days=app.config["RETENTION_AUDIT_DAYS"] + 1)))
        db.session.commit()
        dry = retention(dry_run=True)
        assert dry == {
            "audit_entries_removed": 1,
            "mails_removed": 0,
            "webhook_deliveries_removed": 0,
            "anonymous_links_destroyed": 0,
            "reporters_forgotten": 1,
            "checkback_links_forgotten": 0,
            "checkback_answers_removed": 0,
        }
        assert db.session.get(Report, old.id).reporter_id == reporter.id
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) >= 1
        real = retention()
        assert real == dry
        forgotten = db.session.get(Report, old.id)
        assert forgotten.reporter_id is None and forgotten.is_anonymous is True
        assert forgotten not in my_reports(reporter)
        runs = db.session.scalars(db.select(JobRun).where(JobRun.job == "retention").order_by(JobRun.id)).all()
        assert [r.dry_run for r in runs] == [True, False]
        assert retention()["reporters_forgotten"] == 0


def test_retention_destroys_the_link_to_an_anonymous_reporter_once_they_no_longer_need_it(app):
    """Ended for good and quiet for RETENTION_ANONYMOUS_LINK_DAYS: the pseudonyms go, so
    not even the application with its key can tell who made or followed the report. While
    the report is open, or its dossier still waits for an answer, the reporter keeps it."""
    days = app.config["RETENTION_ANONYMOUS_LINK_DAYS"]
    long_ago = utcnow() - timedelta(days=days + 1)
    with app.app_context():
        coach = make_user(roles=("employee", "coach"))
        zorro = make_user("Zorro Anoniem")
        ended = make_report(zorro, rule="Afgehandeld en stil", anonymous=True)
        duplicate = make_report(zorro, rule="Nog eens dezelfde regel", anonymous=True)
        merge_report(duplicate, ended, actor=coach, explanation="Zelfde regel.")
        decide_report(ended, actor=coach, outcome="explained", explanation="Zo is het.")
        waiting = make_report(zorro, rule="Geëscaleerd, dossier loopt", anonymous=True)
        decide_report(
            waiting,
            actor=coach,
            outcome="escalated",
            explanation="Landelijk.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 31"),
        )
        still_open = make_report(zorro, rule="Nog open", anonymous=True)
        for report in (ended, duplicate, waiting, still_open):
            report.last_activity_at = long_ago
        db.session.commit()
        assert len(my_reports(zorro)) == 4 and len(supported_reports(zorro)) == 1
        assert retention(dry_run=True)["anonymous_links_destroyed"] == 2
        assert len(my_reports(zorro)) == 4
        assert retention()["anonymous_links_destroyed"] == 2
        for gone in (db.session.get(Report, ended.id), db.session.get(Report, duplicate.id)):
            assert gone.reporter_pseudonym is None and gone.is_anonymous
            assert all(s.follower_pseudonym is None for s in gone.supports)
            assert any("koppeling" in (e.text or "") and not e.is_public for e in gone.events)
        assert {r.rule for r in my_reports(zorro)} == {"Geëscaleerd, dossier loopt", "Nog open"}
        assert supported_reports(zorro) == []
        # Once the dossier is closed, the escalated report's link goes too.
        db.session.get(Report, waiting.id).dossier.status = "closed"
        db.session.commit()
        assert retention()["anonymous_links_destroyed"] == 1
        assert {r.rule for r in my_reports(zorro)} == {"Nog open"}


def test_run_job_command(app, runner):
    assert "deliver_mail" in runner.invoke(args=["run-job", "deliver_mail"]).output
    unknown = runner.invoke(args=["run-job", "nope"])
    assert unknown.exit_code != 0 and "Unknown job" in unknown.output
    dry = runner.invoke(args=["run-job", "retention", "--dry-run"])
    assert dry.exit_code == 0 and "anonymous_links_destroyed" in dry.output


def test_scheduler_has_fixed_ids_coalesces_and_a_restart_adds_no_copies(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, scheduler_class=BackgroundScheduler)
    ids = sorted(job.id for job in scheduler.get_jobs())
    assert ids == sorted(JOBS)
    # A restart re-adds with the same ids: replaced, not duplicated.
    scheduler_again = build_scheduler(app, scheduler_class=BackgroundScheduler)
    assert sorted(job.id for job in scheduler_again.get_jobs()) == ids
    assert scheduler._job_defaults["coalesce"] is True
    assert scheduler._job_defaults["max_instances"] == 1
    assert str(scheduler.timezone) == "Europe/Amsterdam"


def test_a_second_scheduler_refuses_to_start(app):
    with scheduler_lock(app), pytest.raises(RuntimeError, match="already running"), scheduler_lock(app):
        pass


def test_web_workers_never_start_a_scheduler(database_url):
    # What a gunicorn worker does: import wsgi. No scheduler thread may appear.
    env = {
        **os.environ,
        "RODEKNOP_ENV": "production",
        "SECRET_KEY": "w" * 48,
        "ANONYMITY_KEY": "v" * 48,
        "DATABASE_URL": database_url,
    }
    code = "import threading, wsgi; print(sorted(t.name for t in threading.enumerate()))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['MainThread']"

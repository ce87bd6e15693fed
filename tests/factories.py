"""Test data built through the same services the application uses."""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event

from app import look
from app.extensions import db
from app.models import Department, User, UserRole
from app.services.reports import submit_report, support_report
from app.services.users import hash_password

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    # Hashing with argon2id costs ~0.1 s; one hash serves every test user.
    return hash_password(PASSWORD)


def make_department(name: str | None = None) -> Department:
    department = Department(name=name or f"Afdeling {next(_counter)}", active=True)
    db.session.add(department)
    db.session.flush()
    return department


def make_user(
    name: str | None = None,
    *,
    email: str | None = None,
    roles=("employee",),
    department: Department | None = None,
    active: bool = True,
) -> User:
    n = next(_counter)
    user = User(
        name=name or f"Medewerker {n}",
        email=email or f"user{n}@example.test",
        password_hash=password_hash(),
        department=department,
        active=active,
    )
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    return user


TEMPORARY_PASSWORD = "tijdelijk wachtwoord 123"


def make_temporary_coach(app, email: str) -> int:
    """A coach whose password someone else typed (the command line's create-user): they
    must choose their own at their first login. Committed; returns the id."""
    from app.services.users import create_user

    with app.app_context():
        user = create_user(
            email=email, name="Nieuwe Coach", password=TEMPORARY_PASSWORD, roles=("employee", "coach"), temporary=True
        )
        db.session.commit()
        return user.id


def choose_mail(user: User, choice: str, *kinds: str) -> User:
    """`user` chooses `choice` for `kinds` (every kind their roles get, when none given)."""
    from app.services.users import set_mail_choices

    set_mail_choices(user, dict.fromkeys(kinds or user.mail_kinds(), choice))
    return user


def make_report(reporter: User, rule: str = "Een regel die in de weg zit", problem: str = "Het gaat mis.", **kwargs):
    return submit_report(reporter, rule=rule, problem=problem, **kwargs)


def make_support(user: User, report, note: str | None = None):
    return support_report(user, report, note)


def make_dossier(report, coach: User | None = None):
    """Escalate `report` (as a coach) so it gets an escalation dossier; returns the dossier."""
    from app.services.dossiers import LegalReference
    from app.services.workflow import decide_report

    coach = coach or make_user(roles=("employee", "coach"))
    decide_report(
        report,
        actor=coach,
        outcome="escalated",
        explanation="Dit staat in een landelijke wet.",
        legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
    )
    db.session.flush()
    return report.dossier


def first_addressee_id() -> int:
    from app.models import Addressee

    return db.session.scalar(db.select(Addressee.id).order_by(Addressee.id).limit(1))


def recipient(message):
    """Who an outbox message goes to: the named recipient, or the person behind the
    pseudonym of a mail to an anonymous follower (what the deliverer looks up)."""
    from app.anonymity import user_for_pseudonym
    from app.models import User

    if message.to_pseudonym is not None:
        return user_for_pseudonym(message.to_pseudonym)
    return db.session.get(User, message.to_user_id) if message.to_user_id is not None else None


def follower(support):
    """Who a support row stands for: the named supporter, or the person behind the
    pseudonym of an anonymous follower."""
    from app.anonymity import user_for_pseudonym

    return user_for_pseudonym(support.follower_pseudonym) if support.anonymous else support.user


def password_link_params(user) -> dict:
    """<purpose> and <token> of a valid reset link for `user` (inside an app context)."""
    from app.services.users import RESET, password_link

    purpose, token = password_link(user, RESET).rsplit("/", 2)[-2:]
    return {"purpose": purpose, "token": token}


@contextmanager
def count_statements(app):
    """Every SQL statement the app sends inside the block (pages are judged by how many they
    need, which does not vary with the machine, never by time)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def enable_second_factor(user: User) -> str:
    """Switch `user`'s second factor on as if they had set it up (app.services.mfa);
    returns the TOTP secret, for pyotp to compute their codes."""
    from app.models.base import utcnow
    from app.services.mfa import pending_secret

    secret = pending_secret(user)
    user.totp_enabled_at = utcnow()
    return secret


CHECKBACK_LINK_RE = re.compile(r"(https?://[^\s\"<>]*/merkbaar-beter/([A-Za-z0-9_.\-]+))\?antwoord=([a-z\-]+)")


def solve_report(report, coach: User, *, weeks_ago: float = 7):
    """Decide `report` as opgelost by `coach`, `weeks_ago` weeks back (inside an app context)."""
    from datetime import timedelta

    from app.models.base import utcnow
    from app.services.workflow import decide_report

    decide_report(
        report, actor=coach, outcome="resolved", explanation="Opgelost.", what_changed="Het formulier is weg."
    )
    report.resolved_at = utcnow() - timedelta(weeks=weeks_ago)
    db.session.flush()
    return report


def checkback_tokens(report) -> list[str]:
    """The 'Merkbaar beter?' link tokens in the outbox about `report`, one per mail (in
    whichever language: known by their link)."""
    from app.models import OutboxMessage

    bodies = db.session.scalars(
        db.select(OutboxMessage.body_text).where(
            OutboxMessage.subject.like(f"%{report.reference}"), OutboxMessage.body_text.like("%/merkbaar-beter/%")
        )
    ).all()
    return [CHECKBACK_LINK_RE.search(body).group(2) for body in bodies]


def checkback_link_params(owner: User, coach: User | None = None) -> dict:
    """<checkback_token>: an unused 'Merkbaar beter?' link of `owner`'s solved report
    (inside an app context)."""
    from app.services.checkback import ask_checkback

    coach = coach or make_user(roles=("employee", "coach"))
    report = solve_report(make_report(owner, rule="Regel die opgelost is"), coach)
    ask_checkback(report)
    db.session.flush()
    return {"checkback_token": checkback_tokens(report)[0]}


def run_job_in_processes(database_url: str, job: str, *, processes: int = 4, secret_key: str = "j" * 48) -> None:
    """`flask run-job <job>` in several processes started at once against the test
    database, as several schedulers (or a scheduler and a person) would; all must succeed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "RODEKNOP_ENV": "production",
        "SECRET_KEY": secret_key,
        "ANONYMITY_KEY": "k" * 48,
        "DATABASE_URL": database_url,
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "run-job", job],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), outputs


def webhook_params(report, actor: User) -> dict:
    """<webhook_id> and <delivery_id>: a webhook for every event, with one delivery in its
    log (the news of `report`), registered by `actor` (inside an app context)."""
    from app.models import WebhookDelivery
    from app.services.webhook_events import EVENTS, emit_report_event
    from app.services.webhooks import register_webhook

    webhook, _secret = register_webhook("http://127.0.0.1:9/rodeknop", list(EVENTS), active=True, actor=actor)
    emit_report_event(report, "status_changed", from_status="new", to_status=report.status)
    db.session.flush()
    delivery = db.session.scalar(db.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    return {"webhook_id": webhook.id, "delivery_id": delivery.id}


# --- The municipality's own look (app.look) ---------------------------------------------

LOGO = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40">
  <title>Wapen</title><rect width="40" height="40" fill="#b30000"/>
</svg>
"""
# What a malicious logo may carry: script and an event handler that would act in the app's
# origin (mark the document, call the app) if they ran.
SCRIPTED_LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" onload="document.title='onload ran'">
  <script>document.documentElement.setAttribute('data-ran', 'script'); fetch('/knop?afdeling=logo-script-ran');</script>
  <rect width="40" height="40" fill="#00568b"/>
</svg>
"""
TOKENS = """/* A municipality's own tokens. */
.gemeente-theme {
  --utrecht-link-color: #004488;
  --utrecht-button-primary-action-background-color: #004488;
}
"""


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@contextmanager
def looking(app, **settings):
    """The app with other look settings, as if it had started with them."""
    before = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    look.init_app(app)
    try:
        yield
    finally:
        app.config.update(before)
        look.init_app(app)

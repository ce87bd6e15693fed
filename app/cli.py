"""flask commands: create users, wipe a second factor, seed demo data, print demo logins, rebuild the search index."""

from __future__ import annotations

import contextlib

import click
from flask import Flask

from app.extensions import db
from app.models import ROLES, Department, User
from app.services import DomainError


def register(app: Flask) -> None:
    register_mail_commands(app)
    register_job_commands(app)
    register_register_commands(app)

    @app.cli.command("create-api-token")
    @click.option("--email", required=True, help="Whose token; with --integration: the beheerder who makes it.")
    @click.option("--integration", default=None, help="Instead: a new service account with this name (an integration).")
    @click.option(
        "--role",
        "roles",
        multiple=True,
        type=click.Choice(sorted(ROLES)),
        default=["employee"],
        show_default=True,
        help="The integration's roles; repeat for several.",
    )
    @click.option("--scope", "scopes", multiple=True, required=True, help="read, report, triage or legal; repeat.")
    @click.option("--name", default="Opdrachtregel", show_default=True, help="The token's name.")
    @click.option("--days", default=90, show_default=True, type=int)
    def create_api_token_command(email, integration, roles, scopes, name, days):
        """Make an API token (README, "API") and print its secret, once. Without --integration
        the token is the personal token of --email; with it, --email is the beheerder who
        makes a new service account, and the token acts as that account."""
        from app.services.tokens import create_service_account, create_token
        from app.services.users import get_user_by_email

        actor = get_user_by_email(email)
        if actor is None or not actor.active:
            raise click.ClickException(f"No active user {email}.")
        try:
            user = actor
            if integration:
                if not actor.has_role("admin"):
                    raise DomainError("Alleen een beheerder maakt een koppeling.")
                user = create_service_account(integration, roles, actor=actor)
            _token, secret = create_token(user, name=name, scopes=scopes, days=days, actor=actor)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(secret)

    @app.cli.command("create-webhook")
    @click.option("--email", required=True, help="The beheerder who registers it.")
    @click.option("--url", required=True, help="Where the deliveries go.")
    @click.option(
        "--event",
        "events",
        multiple=True,
        required=True,
        help="report.created, report.status_changed or dossier.changed; repeat.",
    )
    def create_webhook_command(email, url, events):
        """Register a webhook (README, "Webhooks"), as a beheerder would under Beheer ->
        Webhooks, and print its signing secret, once."""
        from app.services.users import get_user_by_email
        from app.services.webhooks import register_webhook

        actor = get_user_by_email(email)
        if actor is None or not actor.active or not actor.has_role("admin"):
            raise click.ClickException(f"No active beheerder {email}.")
        try:
            _webhook, secret = register_webhook(url, events, active=True, actor=actor)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(secret)

    @app.cli.command("create-user")
    @click.option("--email", prompt="E-mailadres")
    @click.option("--name", prompt="Naam")
    @click.option(
        "--role",
        "roles",
        multiple=True,
        type=click.Choice(sorted(ROLES)),
        default=["employee"],
        show_default=True,
        help="Repeat for several roles.",
    )
    @click.option("--department", default=None, help="Department name; created when it does not exist.")
    @click.password_option("--password", prompt="Wachtwoord")
    @click.option(
        "--keep-password",
        is_flag=True,
        help="The owner typed this password: do not ask them to choose their own at their first login.",
    )
    def create_user_command(email, name, roles, department, password, keep_password):
        """Create a user account."""
        from app.services.users import create_department, create_user

        try:
            dept = None
            if department:
                dept = db.session.scalar(db.select(Department).where(Department.name == department))
                if dept is None:
                    dept = create_department(department)
            user = create_user(
                email=email,
                name=name,
                password=password,
                roles=roles,
                department=dept,
                temporary=not keep_password,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(f"Created {user.email} with roles {', '.join(sorted(user.roles))}.")

    @app.cli.command("reset-second-factor")
    @click.option("--email", prompt="E-mailadres")
    def reset_second_factor_command(email):
        """Wipe an account's second factor (break-glass: the only beheerder lost their phone)."""
        from app.services.mfa import reset
        from app.services.users import get_user_by_email

        user = get_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account with e-mail {email}.")
        try:
            reset(user, actor=None)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(f"Second factor of {user.email} wiped; they were logged out and told by mail.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when there are users already.")
    def seed_demo_command(if_empty):
        """Create demo users, departments and reports."""
        from app.demo import seed_demo

        if if_empty and db.session.scalar(db.select(db.func.count(User.id))):
            click.echo("Database already has data; demo data not added.")
            return
        seed_demo()
        db.session.commit()
        click.echo("Demo data created.")

    @app.cli.command("demo-logins")
    def demo_logins_command():
        """Print the demo accounts."""
        from app.demo import DEMO_PASSWORD, DEMO_USERS

        click.echo("")
        click.echo(f"Rode Knop draait op http://127.0.0.1:5000 — demo-accounts (wachtwoord: {DEMO_PASSWORD}):")
        for email, name, roles, _dept in DEMO_USERS:
            click.echo(f"  {email:<32} {name:<22} {', '.join(ROLES[r] for r in roles)}")
        click.echo("")

    @app.cli.command("rebuild-search-index")
    def rebuild_search_index_command():
        """Re-index every report for the similar-report search."""
        from app.search import rebuild_index

        count = rebuild_index()
        db.session.commit()
        click.echo(f"Indexed {count} reports.")


def register_register_commands(app: Flask) -> None:
    """The shared register (README, "Het gedeelde register")."""

    @app.cli.command("register-keygen")
    @click.option("--out", required=True, help="Where to write the private key (PEM); it must not exist yet.")
    def register_keygen_command(out):
        """An installation's Ed25519 key pair: writes the private key to --out (readable by
        its owner only) and prints the public key for the register's beheerder."""
        import os
        from pathlib import Path

        from app.register_signing import load_private_key, new_private_key_pem, public_key_text

        path = Path(out)
        if path.exists():
            raise click.ClickException(f"{out} exists already; choose another path.")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(new_private_key_pem())
        click.echo(public_key_text(load_private_key(path)))

    @app.cli.command("register-add-member")
    @click.option("--name", required=True, help="The municipality, e.g. 'Gemeente Groningen'.")
    @click.option("--public-key", required=True, help="The line register-keygen printed.")
    def register_add_member_command(name, public_key):
        """On the register (RODEKNOP_MODE=register): add a member, as its beheerder would
        under Leden, and print its member id (the installation's REGISTER_MEMBER)."""
        from app.services.register_book import add_member

        try:
            member = add_member(name, public_key, actor=None)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(member.id)

    @app.cli.command("register-publish")
    @click.option("--email", required=True, help="The Juridische Zaken user who publishes.")
    @click.option("--dossier", "reference", required=True, help="The dossier, e.g. ESC-0001.")
    @click.option("--summary", required=True, help="The public summary for the register.")
    def register_publish_command(email, reference, summary):
        """Publish a dossier in the shared register, as Juridische Zaken would on its page."""
        from app.models import Dossier
        from app.services.register import publish
        from app.services.users import get_user_by_email

        actor = get_user_by_email(email)
        if actor is None or not actor.active or not actor.has_role("legal"):
            raise click.ClickException(f"No active Juridische Zaken user {email}.")
        number = reference.upper().removeprefix("ESC-")
        dossier = db.session.get(Dossier, int(number)) if number.isdigit() else None
        if dossier is None:
            raise click.ClickException(f"No dossier {reference}.")
        try:
            publish(dossier, summary, actor=actor)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(f"{dossier.reference} waits for the register.")

    @app.cli.command("register-sync")
    @click.option("--every", type=float, default=None, help="Keep running, every N seconds.")
    def register_sync_command(every):
        """Send what waits for the register and fetch what it says (the jobs deliver_register
        and sync_register, which the scheduler runs), once or every N seconds."""
        import time

        from app.jobs import deliver_register, sync_register

        while True:
            delivered = deliver_register()
            fetched = sync_register()
            if every is None or delivered["delivered"] or delivered["failed"]:
                click.echo(f"register: {delivered}, {fetched}")
            if every is None:
                return
            time.sleep(every)


def register_mail_commands(app: Flask) -> None:
    @app.cli.command("send-mail")
    @click.option("--every", type=float, default=None, help="Keep running, delivering every N seconds.")
    def send_mail_command(every):
        """Deliver the e-mail outbox over SMTP (retries with backoff)."""
        import time

        from app.notify import deliver_outbox

        while True:
            sent, failed = deliver_outbox()
            if sent or failed or every is None:
                click.echo(f"Sent {sent}, failed {failed} (will be retried).")
            if every is None:
                return
            time.sleep(every)


def register_job_commands(app: Flask) -> None:
    @app.cli.command("run-job")
    @click.argument("name")
    @click.option("--dry-run", is_flag=True, help="Retention only: report what would be done, change nothing.")
    def run_job_command(name, dry_run):
        """Run one scheduled job once (for operators and tests)."""
        from app.jobs import JOBS

        if name not in JOBS:
            raise click.ClickException(f"Unknown job {name!r}; choose from: {', '.join(sorted(JOBS))}")
        if dry_run and name != "retention":
            raise click.ClickException("--dry-run exists for the retention job only.")
        result = JOBS[name](dry_run=True) if dry_run else JOBS[name]()
        click.echo(f"{name}: {result}")

    @app.cli.command("run-scheduler")
    def run_scheduler_command():
        """Run the scheduler: one dedicated process, never inside web workers."""
        from app.jobs import build_scheduler, scheduler_lock

        with scheduler_lock(app):
            scheduler = build_scheduler(app)
            click.echo("Scheduler started with jobs: " + ", ".join(job.id for job in scheduler.get_jobs()))
            with contextlib.suppress(KeyboardInterrupt, SystemExit):
                scheduler.start()

"""The flask commands an operator uses: create-user, seed-demo, demo-logins."""

from __future__ import annotations

from app.extensions import db
from app.models import Report, ReportStatus, Support, User


def test_create_user_command(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Jurist@Example.test",
            "--name",
            "Fatima",
            "--role",
            "legal",
            "--role",
            "employee",
            "--department",
            "Juridische Zaken",
            "--password",
            "een lang wachtwoord",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user.email == "jurist@example.test"
        assert user.roles == {"legal", "employee"}
        assert user.department.name == "Juridische Zaken"
    again = runner.invoke(
        args=["create-user", "--email", "jurist@example.test", "--name", "F", "--password", "een lang wachtwoord"]
    )
    assert again.exit_code != 0 and "bestaat al" in again.output


def test_seed_demo_creates_realistic_data_once(app, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        users = db.session.scalars(db.select(User)).all()
        roles = set().union(*(u.roles for u in users))
        assert roles == {"employee", "coach", "legal", "admin", "executive"}
        reports = db.session.scalars(db.select(Report)).all()
        assert len(reports) >= 12
        statuses = {r.status for r in reports}
        assert {ReportStatus.NEW.value, ReportStatus.IN_PROGRESS.value, ReportStatus.RESOLVED.value} <= statuses
        assert any("dakkapel" in r.rule.lower() for r in reports)
        assert any(r.is_anonymous for r in reports)
        assert db.session.scalar(db.select(db.func.count(Support.id))) > 0
        # Every ended report carries an explanation for the reporter.
        assert all(r.explanation for r in reports if not r.is_open)
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already" in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == len(reports)


def test_demo_logins_are_printed_and_work(app, runner, auth):
    runner.invoke(args=["seed-demo"])
    output = runner.invoke(args=["demo-logins"]).output
    assert "medewerker@rodeknop.test" in output and "ontregelcoach" in output
    from app.demo import DEMO_PASSWORD

    response = auth.login("medewerker@rodeknop.test", DEMO_PASSWORD)
    assert response.status_code == 302


def test_reset_second_factor_command(app, runner):
    from app.models import AuditEntry
    from tests.factories import enable_second_factor, make_user

    with app.app_context():
        user = make_user("Ada Beheer", email="ada@example.test", roles=("employee", "admin"))
        enable_second_factor(user)
        db.session.commit()
    result = runner.invoke(args=["reset-second-factor", "--email", "ADA@example.test"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert not user.has_second_factor and user.totp_secret is None
        assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.action == "mfa_reset"))
    again = runner.invoke(args=["reset-second-factor", "--email", "ada@example.test"])
    assert again.exit_code != 0 and "geen tweestapsverificatie" in again.output
    unknown = runner.invoke(args=["reset-second-factor", "--email", "nobody@example.test"])
    assert unknown.exit_code != 0


def test_create_api_token_command(app, runner):
    from app.models import ApiToken
    from tests.factories import make_user

    with app.app_context():
        make_user("Bea Beheer", email="bea@example.test", roles=("employee", "admin"))
        make_user("Eef Medewerker", email="eef@example.test")
        db.session.commit()
    result = runner.invoke(
        args=["create-api-token", "--email", "bea@example.test", "--scope", "read", "--scope", "legal"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("rk_")
    client = app.test_client()
    assert client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    integration = runner.invoke(
        args=[
            "create-api-token",
            "--email",
            "bea@example.test",
            "--integration",
            "Intranet",
            "--role",
            "employee",
            "--scope",
            "report",
        ]
    )
    assert integration.exit_code == 0, integration.output
    refused = runner.invoke(args=["create-api-token", "--email", "eef@example.test", "--scope", "triage"])
    assert refused.exit_code != 0 and "past niet bij de rol" in refused.output
    with app.app_context():
        assert [t.kind for t in db.session.scalars(db.select(ApiToken).order_by(ApiToken.id))] == [
            "personal",
            "integration",
        ]


def test_create_webhook_command(app, runner):
    """A beheerder registers a webhook from the command line (the README's curl script);
    anyone else, or a bad address or event, is refused and nothing is stored."""
    from app.models import Webhook
    from tests.factories import make_user

    with app.app_context():
        make_user("Bea Beheer", email="bea@example.test", roles=("employee", "admin"))
        make_user("Eef Medewerker", email="eef@example.test")
        db.session.commit()
    url = "http://127.0.0.1:9/ontvanger"
    refused = [
        ["--email", "eef@example.test", "--url", url, "--event", "report.created"],
        ["--email", "bea@example.test", "--url", "ftp://x.test/", "--event", "report.created"],
        ["--email", "bea@example.test", "--url", url, "--event", "report.deleted"],
    ]
    for args in refused:
        result = runner.invoke(args=["create-webhook", *args])
        assert result.exit_code != 0, args
    result = runner.invoke(
        args=["create-webhook", "--email", "bea@example.test", "--url", url, "--event", "report.created"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        (webhook,) = db.session.scalars(db.select(Webhook)).all()
        assert webhook.url == url and webhook.events == "report.created" and webhook.active
        assert result.output.strip() not in webhook.secret, "stored sealed, never as printed"

"""Unit tests of the services: reports, support, users, the next session date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.anonymity import is_reporter
from app.clock import next_session
from app.extensions import db
from app.models import AuditEntry, Event, Report, ReportStatus, Support
from app.services import DomainError
from app.services.reports import get_by_reference, my_reports, submit_report, support_report
from app.services.users import authenticate, create_user, set_active, set_password, update_user
from tests.factories import PASSWORD, make_report, make_user


def test_references_count_up_per_year(app):
    with app.app_context():
        user = make_user()
        first = make_report(user, now=datetime(2026, 12, 31, 22, 0, tzinfo=UTC))
        second = make_report(user, now=datetime(2026, 12, 31, 22, 30, tzinfo=UTC))
        # 23:30 UTC on 31 December is already 2027 in Amsterdam.
        third = make_report(user, now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
        assert [first.reference, second.reference, third.reference] == ["RK-2026-0001", "RK-2026-0002", "RK-2027-0001"]
        assert get_by_reference("rk-2026-0002") is second
        assert get_by_reference("RK-2026-9999") is None
        assert get_by_reference("<script>") is None


def test_submission_records_an_event_and_hides_an_anonymous_reporter(app):
    with app.app_context():
        user = make_user()
        named = make_report(user)
        anonymous = make_report(user, anonymous=True)
        db.session.commit()
        events = {e.report_id: e for e in db.session.scalars(db.select(Event))}
        assert events[named.id].actor_id == user.id and events[named.id].kind == "submitted"
        assert events[anonymous.id].actor_id is None
        # The database holds a pseudonym, not the id; the reporter can still follow it.
        assert anonymous.reporter_id is None and anonymous.reporter_pseudonym not in (None, str(user.id))
        assert is_reporter(user, anonymous) and anonymous in my_reports(user)


def test_required_fields_and_limits_are_checked_by_the_service_too(app):
    with app.app_context():
        user = make_user()
        with pytest.raises(DomainError) as error:
            submit_report(user, rule="  ", problem="x")
        assert error.value.field == "rule"
        with pytest.raises(DomainError) as error:
            submit_report(user, rule="r", problem="x", origin="mars")
        assert error.value.field == "origin"
        with pytest.raises(DomainError):
            submit_report(user, rule="r" * 201, problem="x")
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_support_rules(app):
    with app.app_context():
        reporter, colleague = make_user(), make_user()
        report = make_report(reporter)
        with pytest.raises(DomainError, match="zelf gemeld"):
            support_report(reporter, report)
        support_report(colleague, report, "  ook bij ons  ")
        with pytest.raises(DomainError, match="al aangegeven"):
            support_report(colleague, report)
        db.session.commit()
        support = db.session.scalar(db.select(Support))
        assert support.note == "ook bij ons"
        kinds = [e.kind for e in db.session.scalars(db.select(Event).order_by(Event.id))]
        assert kinds == ["submitted", "supported"]
        report.status = ReportStatus.RESOLVED.value
        with pytest.raises(DomainError, match="afgehandeld"):
            support_report(make_user(), report)


@pytest.mark.parametrize(
    "now, expected",
    [
        # Monday 23 November 2026, 12:00 in Amsterdam -> Tuesday 24 November 10:00.
        (datetime(2026, 11, 23, 11, 0, tzinfo=UTC), datetime(2026, 11, 24, 10, 0)),
        # Tuesday 09:59 -> the same day.
        (datetime(2026, 11, 24, 8, 59, tzinfo=UTC), datetime(2026, 11, 24, 10, 0)),
        # Tuesday 10:00 exactly -> next week.
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, 10, 0)),
        # Across the switch to summer time.
        (datetime(2027, 3, 26, 12, 0, tzinfo=UTC), datetime(2027, 3, 30, 10, 0)),
    ],
)
def test_next_session(app, now, expected):
    app.config.update(TRIAGE_WEEKDAY=1, TRIAGE_TIME="10:00", TIMEZONE="Europe/Amsterdam")
    with app.app_context():
        result = next_session(now)
    assert result.replace(tzinfo=None) == expected
    assert str(result.tzinfo) == "Europe/Amsterdam"


def test_users_roles_and_sessions(app):
    with app.app_context():
        admin = create_user(
            email=" Beheer@Example.TEST ", name="Beheer", password=PASSWORD, roles=["admin", "employee"]
        )
        assert admin.email == "beheer@example.test"
        assert admin.password_hash.startswith("$argon2id$")
        with pytest.raises(DomainError, match="bestaat al"):
            create_user(email="beheer@example.test", name="Nog een", password=PASSWORD)
        with pytest.raises(DomainError, match="Onbekende rol"):
            create_user(email="x@example.test", name="X", password=PASSWORD, roles=["koning"])
        with pytest.raises(DomainError, match="minstens 10"):
            create_user(email="y@example.test", name="Y", password="kort")
        user = create_user(email="u@example.test", name="U", password=PASSWORD)
        token = user.session_token
        update_user(
            user,
            name="U",
            email="u@example.test",
            department=None,
            roles=["employee", "coach"],
            active=True,
            actor=admin,
        )
        assert user.roles == {"employee", "coach"}
        set_active(user, False, actor=admin)
        assert user.session_token != token and not user.active
        assert authenticate("u@example.test", PASSWORD) is None
        with pytest.raises(DomainError, match="eigen beheerdersrol"):
            update_user(
                admin,
                name="B",
                email="beheer@example.test",
                department=None,
                roles=["employee"],
                active=True,
                actor=admin,
            )
        token = admin.session_token
        set_password(admin, "een nieuw lang wachtwoord", actor=admin)
        assert admin.session_token != token
        assert authenticate("BEHEER@example.test", "een nieuw lang wachtwoord") is admin
        db.session.commit()
        actions = [a.action for a in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
        assert "roles_changed" in actions and "user_deactivated" in actions and "password_changed" in actions
        assert ("login", "inactive") in {(a.action, a.result) for a in db.session.scalars(db.select(AuditEntry))}

"""The weekly session's services: the agenda, one open session, attendees, recording
decisions on items, and the minutes mail. The web tests are in test_triage_web.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import OutboxMessage, Report, TriageItem, TriageSession, User
from app.models.base import utcnow
from app.services import DomainError, triage
from app.services.workflow import ConflictError, assign_report, decide_report
from tests.factories import make_report, make_user


def build_world() -> dict:
    """Coaches, other roles, and reports in every state the agenda must tell apart.
    Call inside an app context; commits."""
    now = utcnow()
    reporter = make_user("Sanne de Vries", email="sanne@example.test")
    eva = make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
    daan = make_user("Daan Bakker", email="daan@example.test", roles=("employee", "coach"))
    make_user("Oud Coach", email="oud@example.test", roles=("employee", "coach"), active=False)
    make_user("Fatima Yilmaz", email="fatima@example.test", roles=("employee", "legal"))
    make_user("Pieter Visser", email="pieter@example.test", roles=("employee", "admin"))

    # New for a month and never touched: new *and* overdue, so on the agenda once, as new.
    old_new = make_report(reporter, rule="Bewijsstukken opnieuw opvragen", now=now - timedelta(days=30))
    old_new.last_activity_at = now - timedelta(days=30)
    new1 = make_report(
        reporter, rule="Uittreksel alleen op papier", problem="Inwoners betalen leges.", now=now - timedelta(days=3)
    )
    new2 = make_report(
        reporter, rule="Kopie kentekenbewijs bij parkeervergunning", now=now - timedelta(days=1), anonymous=True
    )
    # In behandeling, nothing happened for twenty days: overdue.
    overdue = make_report(reporter, rule="Kwijtschelding elk jaar opnieuw", now=now - timedelta(days=40))
    assign_report(overdue, daan, actor=daan)
    overdue.last_activity_at = now - timedelta(days=20)
    # In behandeling with recent activity, and a decided one: not on the agenda.
    busy = make_report(reporter, rule="Paspoortafspraak alleen online", now=now - timedelta(days=25))
    assign_report(busy, eva, actor=eva)
    done = make_report(reporter, rule="Dakkapel volledige procedure", now=now - timedelta(days=50))
    assign_report(done, eva, actor=eva)
    decide_report(done, actor=eva, outcome="explained", explanation="De regel blijft, met uitleg.")
    done.last_activity_at = now - timedelta(days=30)
    db.session.commit()
    return {
        "eva": eva.id,
        "daan": daan.id,
        "reporter": reporter.id,
        "old_new": old_new.id,
        "new1": new1.id,
        "new2": new2.id,
        "overdue": overdue.id,
        "busy": busy.id,
        "done": done.id,
    }


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _agenda(session: TriageSession) -> list[tuple[int, str, int]]:
    return [(item.report_id, item.reason, item.position) for item in session.items]


def test_first_agenda_is_every_new_report_plus_the_overdue_ones(app):
    with app.app_context():
        w = build_world()
        session = triage.start_session(_user(w["eva"]), [w["daan"]])
        db.session.commit()
        assert _agenda(session) == [
            (w["old_new"], "new", 1),
            (w["new1"], "new", 2),
            (w["new2"], "new", 3),
            (w["overdue"], "overdue", 4),
        ]
        assert {item.state for item in session.items} == {"pending"}


def test_second_agenda_has_only_reports_newer_than_the_first_session_plus_overdue(app):
    with app.app_context():
        w = build_world()
        eva = _user(w["eva"])
        first = triage.start_session(eva, [], now=utcnow() - timedelta(hours=1))
        triage.end_session(first, eva)
        later = make_report(_user(w["reporter"]), rule="Volmacht voor verhuizing werkt niet")
        db.session.commit()
        second = triage.start_session(eva, [])
        db.session.commit()
        # new1 and new2 were on the first agenda but not reached: still new, so they come
        # back. The month-old new report was never touched: back, as overdue.
        assert _agenda(second) == [
            (later.id, "new", 1),
            (w["new1"], "carried", 2),
            (w["new2"], "carried", 3),
            (w["overdue"], "overdue", 4),
            (w["old_new"], "overdue", 5),
        ]


def test_overdue_follows_the_configured_number_of_days(app):
    app.config["OVERDUE_DAYS"] = 25
    with app.app_context():
        w = build_world()
        session = triage.start_session(_user(w["eva"]), [])
        # Twenty days without activity is not overdue when the limit is 25.
        assert w["overdue"] not in {item.report_id for item in session.items}


def test_only_one_session_is_open_and_starting_again_joins_it(app):
    with app.app_context():
        w = build_world()
        first = triage.start_session(_user(w["eva"]), [])
        db.session.commit()
        again = triage.start_session(_user(w["daan"]), [])
        db.session.commit()
        assert again.id == first.id
        assert db.session.scalar(db.select(db.func.count(TriageSession.id))) == 1
        assert {a.user_id for a in again.attendees} == {w["eva"], w["daan"]}


def test_attendees_are_coaches_and_the_starter_is_always_present(app):
    with app.app_context():
        w = build_world()
        employee = db.session.scalar(db.select(User).where(User.email == "fatima@example.test"))
        with pytest.raises(DomainError, match="ontregelcoaches"):
            triage.start_session(_user(w["eva"]), [employee.id])
        db.session.rollback()
        with pytest.raises(DomainError):
            triage.start_session(employee, [])
        db.session.rollback()
        session = triage.start_session(_user(w["eva"]), [w["daan"]])
        triage.set_attendees(session, [], actor=_user(w["daan"]))
        db.session.commit()
        assert [a.user_id for a in session.attendees] == [w["daan"]]


def test_handling_the_same_item_twice_is_refused_with_who_did_it(app):
    with app.app_context():
        w = build_world()
        eva, daan = _user(w["eva"]), _user(w["daan"])
        session = triage.start_session(eva, [])
        item = session.items[1]
        version = item.report.version
        triage.handle_item(item, eva, "take_on", expected_version=version)
        db.session.commit()
        with pytest.raises(triage.ItemHandledError, match="al behandeld door Eva Jansen"):
            triage.handle_item(item, daan, "assign", assignee_id=daan.id, expected_version=version)
        db.session.rollback()
        report = db.session.get(Report, w["new1"])
        assert report.assignee_id == w["eva"]


def test_a_stale_report_version_is_a_conflict(app):
    with app.app_context():
        w = build_world()
        eva, daan = _user(w["eva"]), _user(w["daan"])
        session = triage.start_session(eva, [])
        item = session.items[1]
        version = item.report.version
        assign_report(item.report, daan, actor=daan)  # outside the session, e.g. on the board
        db.session.commit()
        with pytest.raises(ConflictError):
            triage.handle_item(item, eva, "take_on", expected_version=version)
        db.session.rollback()
        item = db.session.get(TriageItem, item.id)
        assert item.state == "pending" and item.report.assignee_id == w["daan"]


def test_ending_twice_mails_once(app):
    with app.app_context():
        w = build_world()
        eva = _user(w["eva"])
        session = triage.start_session(eva, [])
        assert triage.end_session(session, eva) == 2  # Eva and Daan; not the inactive coach
        db.session.commit()
        with pytest.raises(triage.SessionClosedError):
            triage.end_session(session, _user(w["daan"]))
        db.session.rollback()
        with pytest.raises(triage.SessionClosedError):
            triage.skip_item(session.items[0], eva)
        db.session.rollback()
        subjects = db.session.scalars(
            db.select(OutboxMessage.subject).where(OutboxMessage.subject.like("Besluitenlijst%"))
        ).all()
        assert len(subjects) == 2


def test_a_coach_who_joins_or_acts_is_recorded_as_present(app):
    with app.app_context():
        w = build_world()
        eva, daan = _user(w["eva"]), _user(w["daan"])
        session = triage.start_session(eva, [])
        db.session.commit()
        assert [a.user_id for a in session.attendees] == [w["eva"]]
        triage.skip_item(session.items[0], daan)
        db.session.commit()
        assert {a.user_id for a in session.attendees} == {w["eva"], w["daan"]}
        triage.set_attendees(session, [w["eva"]], actor=eva)
        triage.join_session(session, daan)
        triage.join_session(session, daan)  # twice is once
        db.session.commit()
        assert sorted(a.user_id for a in session.attendees) == sorted([w["eva"], w["daan"]])

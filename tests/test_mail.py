"""E-mail through a real SMTP server on loopback: the outbox, retries when the server is
down, nothing lost and nothing sent twice, and what a reporter reads."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models import OutboxMessage
from app.models.base import utcnow
from app.notify import backoff, deliver_outbox
from app.services.workflow import assign_report, decide_report
from tests.factories import choose_mail, make_report, make_support, make_user


def _decided_report(app, *, anonymous=False, rule="Dakkapel vraagt volledige procedure"):
    with app.app_context():
        reporter = make_user("Sanne Melder", email="sanne@example.test")
        supporter = make_user("Mo Steuner", email="mo@example.test")
        quiet = make_user("Stil Iemand", email="stil@example.test")
        choose_mail(quiet, "none")
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        report = make_report(reporter, rule=rule, anonymous=anonymous)
        make_support(supporter, report, "ook bij ons")
        make_support(quiet, report)
        assign_report(report, coach, actor=coach)
        decide_report(
            report,
            actor=coach,
            outcome="resolved",
            explanation="We vragen geen welstandsadvies meer als alle buren akkoord zijn.",
            what_changed="Werkinstructie dakkapellen aangepast.",
        )
        db.session.commit()
        return report.reference


def test_every_reporter_and_supporter_gets_the_decision_and_why(app, smtp):
    reference = _decided_report(app)
    with app.app_context():
        sent, failed = deliver_outbox()
    assert failed == 0 and sent >= 2
    for address in ("sanne@example.test", "mo@example.test"):
        decision = [m for m in smtp.inbox.to(address) if "opgelost" in m["Subject"]]
        assert len(decision) == 1, address
        text = smtp.inbox.text(decision[0])
        assert reference in decision[0]["Subject"]
        assert "We vragen geen welstandsadvies meer" in text
        assert "Werkinstructie dakkapellen aangepast." in text
        assert f"/meldingen/{reference}" in text
        assert f"/meldingen/{reference}" in smtp.inbox.html(decision[0])
    # Someone who chose no mail gets none; the coach who decided gets no decision mail.
    assert smtp.inbox.to("stil@example.test") == []
    assert not [m for m in smtp.inbox.to("eva@example.test") if "opgelost" in m["Subject"]]


def test_smtp_down_delays_mail_and_loses_none(app, smtp):
    _decided_report(app)
    smtp.stop()
    with app.app_context():
        queued = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
        sent, failed = deliver_outbox()
        assert (sent, failed) == (0, queued)
        messages = db.session.scalars(db.select(OutboxMessage)).all()
        assert all(m.sent_at is None and m.attempts == 1 and m.last_error for m in messages)
        assert all(m.next_attempt_at > utcnow() for m in messages)
        # Not due yet: a run now does not hammer the server.
        assert deliver_outbox() == (0, 0)
    smtp.start()
    with app.app_context():
        later = utcnow() + timedelta(minutes=5)
        assert deliver_outbox(now=later) == (queued, 0)
        assert deliver_outbox(now=later + timedelta(hours=2)) == (0, 0)
    assert len(smtp.inbox.messages) == queued


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == timedelta(hours=1)


def test_mail_escapes_markup_and_hides_an_anonymous_reporter(app, smtp):
    _decided_report(app, anonymous=True, rule="<script>alert(1)</script> regel")
    with app.app_context():
        deliver_outbox()
    supporter_mail = next(m for m in smtp.inbox.to("mo@example.test") if "opgelost" in m["Subject"])
    html = smtp.inbox.html(supporter_mail)
    assert "<script>" not in html and "&lt;script&gt;" in html
    for message in smtp.inbox.messages:
        if message["To"] != "sanne@example.test":
            assert "Sanne" not in smtp.inbox.text(message) and "sanne@" not in smtp.inbox.html(message)


def test_send_mail_command(app, smtp, runner):
    _decided_report(app)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and "Sent" in result.output
    assert smtp.inbox.to("sanne@example.test")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def test_a_user_chooses_no_mail_on_the_settings_page(app, client, auth):
    from tests.conftest import post_form

    with app.app_context():
        make_user("Sanne", email="sanne@example.test")
        db.session.commit()
    auth.login("sanne@example.test")
    page = client.get("/instellingen").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="followed_reports"[^>]*value="direct"', page)
    # A medewerker chooses only about reports: no assignments, reminders or escalations.
    assert 'name="assigned"' not in page and 'name="escalations"' not in page
    response = post_form(client, "/instellingen", {"own_reports": "digest", "followed_reports": "none"})
    assert response.status_code == 303
    bad = post_form(client, "/instellingen", {"own_reports": "direct", "followed_reports": "duif"})
    assert bad.status_code == 400
    assert "Kies een van de mogelijkheden in de lijst." in bad.get_data(as_text=True)
    with app.app_context():
        from app.models import User

        user = db.session.scalar(db.select(User))
        assert (user.mail_choice("own_reports"), user.mail_choice("followed_reports")) == ("digest", "none")
        report = make_report(make_user(), rule="Een regel")
        make_support(user, report)
        coach = make_user(roles=("employee", "coach"))
        assign_report(report, coach, actor=coach)
        db.session.commit()
        assert (
            db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.to_user_id == user.id))
            == 0
        )


def test_a_mail_to_an_anonymous_reporter_waits_without_their_address_and_is_gone_once_sent(app, smtp):
    """While it waits, the outbox row holds a pseudonym, not an address or a user id; the
    address is looked up when it goes out, and then the row goes too: no row keeps an
    anonymous reporter's address next to a report reference."""
    reference = _decided_report(app, anonymous=True)
    with app.app_context():
        waiting = db.session.scalars(db.select(OutboxMessage)).all()
        for_reporter = [m for m in waiting if m.to_pseudonym is not None]
        assert len(for_reporter) == 2  # taken on, then decided
        for row in for_reporter:
            assert row.to_address is None and row.to_user_id is None and "Sanne" not in row.body_text
            assert "Beste collega" in row.body_text and reference in row.subject
        assert all(m.to_address != "sanne@example.test" for m in waiting)
        deliver_outbox()
        left = db.session.scalars(db.select(OutboxMessage)).all()
        assert left and all(m.sent_at is not None for m in left)
        assert all(m.to_pseudonym is None and m.to_address != "sanne@example.test" for m in left)
    received = smtp.inbox.to("sanne@example.test")
    assert len(received) == 2 and all(reference in m["Subject"] for m in received)
    assert all("Er is nieuws over uw melding" in smtp.inbox.text(m) for m in received)


def test_a_mail_keeps_its_message_id_over_every_attempt(app, smtp):
    """Delivery is at least once (a crash after the server accepted a mail repeats it); the
    one Message-ID lets the receiver recognise the repeat."""
    _decided_report(app)
    with app.app_context():
        ids = {m.id: m.message_id for m in db.session.scalars(db.select(OutboxMessage))}
    assert all(ids.values()) and len(set(ids.values())) == len(ids)
    smtp.stop()
    with app.app_context():
        deliver_outbox()
        assert {m.id: m.message_id for m in db.session.scalars(db.select(OutboxMessage))} == ids
    smtp.start()
    with app.app_context():
        deliver_outbox(now=utcnow() + timedelta(minutes=5))
    assert {message["Message-ID"] for message in smtp.inbox.messages} == set(ids.values())


def test_an_anonymous_follower_who_turned_mail_off_meanwhile_gets_nothing(app, smtp):
    _decided_report(app, anonymous=True)
    with app.app_context():
        from app.models import User

        choose_mail(db.session.scalar(db.select(User).where(User.email == "sanne@example.test")), "none")
        db.session.commit()
        deliver_outbox()
        assert db.session.scalar(db.select(db.func.count()).where(OutboxMessage.to_pseudonym.is_not(None))) == 0
    assert smtp.inbox.to("sanne@example.test") == []


def test_a_mail_longer_than_the_outbox_holds_is_cut_with_a_note_not_lost(app, monkeypatch):
    """An agenda of thousands of reports could outgrow the outbox's column; the mail still
    goes out, shortened, and says where to read on."""
    import app.notify as notify

    monkeypatch.setattr(notify, "MAIL_BODY_MAX", 400)
    reference = _decided_report(app)
    with app.app_context():
        messages = db.session.scalars(db.select(OutboxMessage)).all()
        assert messages and all(len(m.body_text) <= 400 and len(m.body_html or "") <= 400 for m in messages)
        assert any(m.body_text.endswith("Ingekort: lees verder in Rode Knop.") for m in messages)
        assert all(reference in m.subject for m in messages)

"""The weekly session's safety net: mails about its decisions are held (for
SESSION_MAIL_HOLD_MINUTES, or until the session ends), one mail per recipient and report
whatever the number of steps, and every decision can be undone while its mails are held:
the report is as it was and nobody hears anything. Delivered to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Dossier, DossierEvent, Event, OutboxMessage, Report, Support, TriageItem, User
from app.models.base import utcnow
from app.notify import deliver_outbox
from app.services import DomainError, triage
from app.services.dossiers import LegalReference
from app.services.workflow import assign_report
from tests.factories import make_dossier, make_report, make_support, make_user

LATER = timedelta(minutes=11)  # past the default hold of 10 minutes


def _world() -> dict:
    eva = make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
    daan = make_user("Daan Bakker", email="daan@example.test", roles=("employee", "coach"))
    sanne = make_user("Sanne de Vries", email="sanne@example.test")
    piet = make_user("Piet Smit", email="piet@example.test")
    anna = make_user("Anna Kok", email="anna@example.test")
    bert = make_user("Bert Mol", email="bert@example.test")
    now = utcnow()
    target = make_report(sanne, rule="Uittreksel alleen op papier", now=now - timedelta(days=3))
    make_support(piet, target)
    merged_anon = make_report(anna, rule="Uittreksel op papier", anonymous=True, now=now - timedelta(days=2))
    merged_named = make_report(bert, rule="Papieren uittreksel verplicht", now=now - timedelta(days=1))
    make_support(piet, merged_named)
    plain = make_report(sanne, rule="Kopie paspoort bij elke aanvraag", now=now - timedelta(hours=5))
    db.session.commit()
    return {
        "eva": eva.id,
        "daan": daan.id,
        "target": target.id,
        "merged_anon": merged_anon.id,
        "merged_named": merged_named.id,
        "plain": plain.id,
    }


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _item(session, report_id: int) -> TriageItem:
    return next(item for item in session.items if item.report_id == report_id)


def _state(report_id: int) -> tuple:
    report = db.session.get(Report, report_id)
    db.session.refresh(report)
    return (
        report.status,
        report.assignee_id,
        report.explanation,
        report.outcome,
        report.resolved_at,
        report.duplicate_of_id,
        report.dossier_id,
        report.last_activity_at,
        # Inzicht's lead times: an undone decision was never taken.
        report.taken_on_at,
        report.decided_at,
    )


def _supports(report_id: int) -> list:
    return sorted(
        (s.user_id, s.follower_pseudonym)
        for s in db.session.scalars(db.select(Support).where(Support.report_id == report_id))
    )


@pytest.fixture
def started(app):
    with app.app_context():
        w = _world()
        session = triage.start_session(_user(w["eva"]), [w["daan"]])
        db.session.commit()
        w["session"] = session.id
        yield w


def _session(w):
    from app.models import TriageSession

    return db.session.get(TriageSession, w["session"])


# --- held mail --------------------------------------------------------------------------


def test_a_decision_mails_nobody_until_the_hold_passes(app, smtp, started):
    w = started
    eva = _user(w["eva"])
    session = _session(w)
    triage.handle_item(_item(session, w["plain"]), eva, "assign", assignee_id=w["daan"])
    db.session.commit()
    assert deliver_outbox() == (0, 0)
    assert smtp.inbox.messages == []
    sent, failed = deliver_outbox(now=utcnow() + LATER)
    assert failed == 0 and sent == 2  # Daan (assigned) and Sanne (the reporter)
    assert {m["To"] for m in smtp.inbox.messages} == {"daan@example.test", "sanne@example.test"}


def test_the_hold_is_configurable(app, smtp, started):
    app.config["SESSION_MAIL_HOLD_MINUTES"] = 1
    w = started
    triage.handle_item(_item(_session(w), w["plain"]), _user(w["eva"]), "take_on")
    db.session.commit()
    assert deliver_outbox(now=utcnow() + timedelta(seconds=30)) == (0, 0)
    assert deliver_outbox(now=utcnow() + timedelta(minutes=2))[0] == 1


def test_ending_the_session_sends_the_held_mail_at_once(app, smtp, started):
    w = started
    eva = _user(w["eva"])
    session = _session(w)
    triage.handle_item(_item(session, w["plain"]), eva, "take_on")
    db.session.commit()
    assert deliver_outbox() == (0, 0)
    triage.end_session(session, eva)
    db.session.commit()
    deliver_outbox()
    assert len(smtp.inbox.to("sanne@example.test")) == 1
    assert not triage.can_undo(_item(session, w["plain"]))


def test_one_mail_per_recipient_and_report_for_all_of_a_sessions_steps(app, smtp, started):
    """Two reports merged into a third, which is then decided: everyone who follows the
    third hears once, with every step and the final state; anonymous followers included."""
    w = started
    eva = _user(w["eva"])
    session = _session(w)
    target = db.session.get(Report, w["target"])
    for report_id in (w["merged_anon"], w["merged_named"]):
        item = _item(session, report_id)
        triage.handle_item(item, eva, "merge", target_reference=target.reference, explanation="Zelfde regel.")
        db.session.commit()
    triage.handle_item(_item(session, w["target"]), eva, "decide", outcome="explained", explanation="De regel blijft.")
    db.session.commit()
    held = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    anonymous = [m for m in held if m.to_pseudonym is not None]
    assert anonymous and all(m.to_user_id is None and m.to_address is None for m in anonymous)
    triage.end_session(session, eva)
    db.session.commit()
    deliver_outbox()
    about_target = {}
    for message in smtp.inbox.messages:
        if message["Subject"].startswith(target.reference):
            about_target.setdefault(message["To"], []).append(message)
    # Sanne reported it; Piet supported it; Anna (anonymously) and Bert came in by the merges.
    assert set(about_target) == {"sanne@example.test", "piet@example.test", "anna@example.test", "bert@example.test"}
    assert all(len(mails) == 1 for mails in about_target.values()), {k: len(v) for k, v in about_target.items()}
    piet = smtp.inbox.text(about_target["piet@example.test"][0])
    assert "Status: Uitgelegd" in piet and "De regel blijft." in piet
    assert "Wat er in het weekoverleg met deze melding gebeurde:" in piet
    assert piet.count("een vergelijkbare melding is hiermee samengevoegd") == 2
    anna = smtp.inbox.text(about_target["anna@example.test"][0])
    assert "Anna" not in anna and "Beste collega" in anna
    # Piet also supported one of the merged reports: one mail about that one.
    merged_named = db.session.get(Report, w["merged_named"]).reference
    assert len([m for m in smtp.inbox.to("piet@example.test") if m["Subject"].startswith(merged_named)]) == 1
    # Sent anonymous mail leaves no trace of who follows what.
    assert db.session.scalar(db.select(db.func.count()).where(OutboxMessage.to_pseudonym.is_not(None))) == 0


# --- undo -------------------------------------------------------------------------------


def _undo_and_check(w, smtp, report_id, before, *, action, **kwargs):
    eva = _user(w["eva"])
    session = _session(w)
    item = _item(session, report_id)
    triage.handle_item(item, eva, action, **kwargs)
    db.session.commit()
    assert _state(report_id) != before
    assert triage.can_undo(item)
    version = db.session.get(Report, report_id).version
    triage.undo_item(item, _user(w["daan"]), expected_version=version)
    db.session.commit()
    assert _state(report_id) == before
    report = db.session.get(Report, report_id)
    assert report.version == version + 1, "the version goes up, so older pages cannot act"
    assert report.events[-1].kind == "undone" and "ongedaan gemaakt" in report.events[-1].text
    item = _item(session, report_id)
    assert (item.state, item.decision, item.follow_up_id, item.undo_state) == ("pending", None, None, None)
    assert triage.minutes(session)["handled"] == []
    # Nobody is told: not now, not after the hold, not at the end of the session.
    assert deliver_outbox(now=utcnow() + LATER) == (0, 0)
    triage.end_session(session, eva)
    db.session.commit()
    deliver_outbox(now=utcnow() + LATER)
    assert {m["To"] for m in smtp.inbox.messages} == {"eva@example.test", "daan@example.test"}
    assert all(m["Subject"].startswith("Besluitenlijst") for m in smtp.inbox.messages)


def test_undo_take_on(app, smtp, started):
    w = started
    _undo_and_check(w, smtp, w["plain"], _state(w["plain"]), action="take_on")


def test_undo_assign(app, smtp, started):
    w = started
    _undo_and_check(w, smtp, w["plain"], _state(w["plain"]), action="assign", assignee_id=w["daan"])


@pytest.mark.parametrize("outcome", ["resolved", "explained"])
def test_undo_a_decision(app, smtp, started, outcome):
    w = started
    _undo_and_check(
        w,
        smtp,
        w["plain"],
        _state(w["plain"]),
        action="decide",
        outcome=outcome,
        explanation="Besloten.",
        what_changed="Een kopie is niet meer nodig.",
    )


def test_undo_an_escalation_that_created_its_dossier_removes_the_dossier(app, smtp, started):
    w = started
    _undo_and_check(
        w,
        smtp,
        w["plain"],
        _state(w["plain"]),
        action="decide",
        outcome="escalated",
        explanation="Landelijke wet.",
        legal=LegalReference("Paspoortwet", None, "art. 9"),
    )
    assert db.session.scalar(db.select(db.func.count(Dossier.id))) == 0
    assert db.session.scalar(db.select(db.func.count(DossierEvent.id))) == 0


def test_undo_an_escalation_that_joined_a_dossier_leaves_the_dossier(app, smtp, started):
    w = started
    other = make_report(_user(w["eva"]), rule="Paspoort opnieuw aanvragen")
    dossier = make_dossier(other, _user(w["daan"]))
    db.session.commit()
    dossier_id = dossier.id
    deliver_outbox()  # the mails about that escalation, outside the session
    smtp.inbox.messages.clear()
    _undo_and_check(
        w,
        smtp,
        w["plain"],
        _state(w["plain"]),
        action="decide",
        outcome="escalated",
        explanation="Landelijke wet.",
        legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
    )
    dossier = db.session.get(Dossier, dossier_id)
    assert [r.id for r in dossier.reports] == [other.id]
    assert [e.kind for e in dossier.events][-2:] == ["linked", "unlinked"]


def test_undo_a_merge_takes_the_moved_followers_back(app, smtp, started):
    w = started
    target = db.session.get(Report, w["target"])
    supports_before = _supports(w["target"])
    target_activity = target.last_activity_at
    _undo_and_check(
        w,
        smtp,
        w["merged_anon"],
        _state(w["merged_anon"]),
        action="merge",
        target_reference=target.reference,
        explanation="Zelfde regel.",
    )
    assert _supports(w["target"]) == supports_before
    target = db.session.get(Report, w["target"])
    assert target.last_activity_at == target_activity
    assert target.events[-1].kind == "undone"


def test_undo_one_merge_keeps_the_others_step_in_the_held_mail(app, smtp, started):
    w = started
    eva = _user(w["eva"])
    session = _session(w)
    target = db.session.get(Report, w["target"])
    first, second = _item(session, w["merged_anon"]), _item(session, w["merged_named"])
    for item in (first, second):
        triage.handle_item(item, eva, "merge", target_reference=target.reference, explanation="Zelfde regel.")
        db.session.commit()
    triage.undo_item(first, eva)
    db.session.commit()
    triage.end_session(session, eva)
    db.session.commit()
    deliver_outbox()
    sanne = [m for m in smtp.inbox.to("sanne@example.test") if m["Subject"].startswith(target.reference)]
    assert len(sanne) == 1
    assert smtp.inbox.to("anna@example.test") == [], "the undone merge told the anonymous reporter nothing"


def test_undo_is_refused_once_the_mails_went_out(app, smtp, started):
    w = started
    eva = _user(w["eva"])
    item = _item(_session(w), w["plain"])
    triage.handle_item(item, eva, "take_on")
    db.session.commit()
    item.handled_at = utcnow() - LATER  # the hold has passed ...
    db.session.commit()
    deliver_outbox(now=utcnow() + LATER)  # ... and the deliverer sent them
    state = _state(w["plain"])
    with pytest.raises(DomainError, match="Ongedaan maken kan niet meer"):
        triage.undo_item(item, eva)
    db.session.rollback()
    assert _state(w["plain"]) == state and _item(_session(w), w["plain"]).state == "handled"


def test_undo_is_refused_while_a_deliverer_has_the_mail(app, started):
    w = started
    eva = _user(w["eva"])
    item = _item(_session(w), w["plain"])
    triage.handle_item(item, eva, "take_on")
    db.session.commit()
    for message in db.session.scalars(db.select(OutboxMessage)):
        message.claimed_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    with pytest.raises(DomainError, match="Ongedaan maken kan niet meer"):
        triage.undo_item(item, eva)
    db.session.rollback()
    assert db.session.get(Report, w["plain"]).status == "in_progress"


def test_undo_is_refused_after_the_session_ended(app, started):
    w = started
    eva = _user(w["eva"])
    session = _session(w)
    item = _item(session, w["plain"])
    triage.handle_item(item, eva, "take_on")
    triage.end_session(session, eva)
    db.session.commit()
    with pytest.raises(triage.SessionClosedError):
        triage.undo_item(item, eva)


def test_undo_is_refused_after_someone_else_changed_the_report(app, smtp, started):
    w = started
    eva, daan = _user(w["eva"]), _user(w["daan"])
    item = _item(_session(w), w["plain"])
    triage.handle_item(item, eva, "take_on")
    db.session.commit()
    page_version = db.session.get(Report, w["plain"]).version
    assign_report(db.session.get(Report, w["plain"]), daan, actor=daan)  # on the board, meanwhile
    db.session.commit()
    state = _state(w["plain"])
    for expected in (page_version, None):
        with pytest.raises(triage.UndoConflict, match="is na dit besluit gewijzigd door Daan Bakker"):
            triage.undo_item(item, eva, expected_version=expected)
        db.session.rollback()
    assert _state(w["plain"]) == state
    # A page loaded before the undo's own version cannot undo either.
    other = _item(_session(w), w["target"])
    triage.handle_item(other, eva, "take_on")
    db.session.commit()
    with pytest.raises(triage.UndoConflict):
        triage.undo_item(other, eva, expected_version=1)


def test_undoing_twice_is_refused(app, started):
    w = started
    eva = _user(w["eva"])
    item = _item(_session(w), w["plain"])
    triage.handle_item(item, eva, "take_on")
    db.session.commit()
    triage.undo_item(item, eva)
    db.session.commit()
    with pytest.raises(DomainError, match="geen besluit om ongedaan te maken"):
        triage.undo_item(item, eva)


def test_the_timeline_keeps_the_decision_and_records_the_undo(app, started):
    w = started
    eva = _user(w["eva"])
    item = _item(_session(w), w["plain"])
    triage.handle_item(item, eva, "take_on")
    db.session.commit()
    kinds_before = [e.kind for e in db.session.scalars(db.select(Event).where(Event.report_id == w["plain"]))]
    triage.undo_item(item, eva)
    db.session.commit()
    kinds = [e.kind for e in db.session.scalars(db.select(Event).where(Event.report_id == w["plain"]))]
    assert kinds == [*kinds_before, "undone"]


# --- with the daily overview ------------------------------------------------------------------


def test_a_held_decision_waits_for_the_hold_before_the_daily_overview_takes_it(app, smtp, started):
    """Someone who chose one mail a day: the overview does not take a decision that can
    still be undone, and an undone one never reaches it."""
    from app.jobs import daily_digest
    from tests.factories import choose_mail

    w = started
    sanne = db.session.scalar(db.select(User).where(User.email == "sanne@example.test"))
    choose_mail(sanne, "digest", "own_reports")
    db.session.commit()
    eva = _user(w["eva"])
    session = _session(w)
    undone, kept = _item(session, w["plain"]), _item(session, w["target"])
    triage.handle_item(undone, eva, "take_on")
    triage.handle_item(kept, eva, "take_on")
    db.session.commit()
    assert daily_digest()["mails"] == 0, "the overview took a mail that is still held"
    triage.undo_item(undone, eva)
    db.session.commit()
    assert daily_digest(now=utcnow() + LATER)["mails"] == 1
    deliver_outbox(now=utcnow() + LATER)
    [overview] = smtp.inbox.to("sanne@example.test")
    text = smtp.inbox.text(overview)
    assert db.session.get(Report, w["target"]).reference in text
    assert db.session.get(Report, w["plain"]).reference not in text

"""Webhooks (issue 11, part 4): emitted in the same transaction as the change, from the
report's and the dossier's timeline; delivered signed to a real HTTP receiver on loopback,
with retries and backoff (a receiver that is down and comes back gets everything, once);
held and withdrawn with a weekly session's mail; payloads that name nobody."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from app.anonymity import pseudonym
from app.extensions import db
from app.jobs import deliver_webhooks as deliver_webhooks_job
from app.jobs import retention
from app.models import AuditEntry, Report, TriageItem, User, Webhook, WebhookDelivery
from app.models.base import utcnow
from app.notify import CLAIM_FOR
from app.services import DomainError, triage
from app.services.dossiers import LegalReference, change_dossier_status, update_dossier
from app.services.webhook_events import (
    DOSSIER_CHANGED,
    EVENTS,
    REPORT_CREATED,
    REPORT_STATUS_CHANGED,
    new_report_window_end,
    payload_problems,
)
from app.services.webhooks import delete_webhook, register_webhook, resend_delivery, update_webhook
from app.services.workflow import assign_report, decide_report, take_on
from app.webhooks import deliver_webhooks, verify
from tests.factories import make_department, make_report, make_support, make_user, run_job_in_processes
from tests.webhook_receiver import Receiver

SOON = timedelta(hours=2)  # past every window and hold


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def _admin() -> User:
    existing = db.session.scalar(db.select(User).where(User.email == "ada@example.test"))
    return existing or make_user("Ada Beheer", email="ada@example.test", roles=("employee", "admin"))


def _register(url: str, events=tuple(EVENTS), *, active=True) -> tuple[int, str]:
    webhook, secret = register_webhook(url, list(events), active=active, actor=_admin())
    db.session.commit()
    return webhook.id, secret


def _deliveries(event: str | None = None) -> list[WebhookDelivery]:
    stmt = db.select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event:
        stmt = stmt.where(WebhookDelivery.event == event)
    return list(db.session.scalars(stmt))


# --- delivery to a real receiver ---------------------------------------------------------


def test_a_new_report_is_delivered_signed_and_the_receiver_verifies_it(app, receiver):
    with app.app_context():
        _, secret = _register(receiver.url)
        receiver.secret = secret
        department = make_department("Burgerzaken")
        reporter = make_user("Sanne de Vries", email="sanne@example.test")
        report = make_report(reporter, rule="Uittreksel alleen op papier", department_id=department.id)
        db.session.commit()
        (delivery,) = _deliveries()
        assert delivery.event == REPORT_CREATED
        # Not before the end of its window: the minute a report was made names nobody.
        assert deliver_webhooks() == (0, 0) and receiver.requests == []
        assert deliver_webhooks(now=utcnow() + SOON) == (1, 0)
        (received,) = receiver.requests
        assert received.verified is True, "the receiver's own check (README) accepts the signature"
        assert received.path == "/rodeknop/hook"
        assert received.headers["Rodeknop-Event"] == REPORT_CREATED
        assert received.headers["Content-Type"] == "application/json"
        body = json.loads(received.body)
        assert received.headers["Rodeknop-Delivery"] == body["id"] == delivery.uid
        assert body["event"] == REPORT_CREATED
        assert body["report"] == {
            "reference": report.reference,
            "status": "new",
            "previous_status": None,
            "department": "Burgerzaken",
            "origin": "unknown",
            "url": f"http://127.0.0.1:5000/meldingen/{report.reference}",
            # The API's route (app.api, built beside this): None in an app without it.
            "api_url": f"http://127.0.0.1:5000/api/v1/reports/{report.reference}"
            if "api.report" in app.view_functions
            else None,
        }
        db.session.refresh(delivery)
        assert delivery.sent_at is not None and delivery.attempts == 1 and delivery.last_status == 200
        # A signature under another secret, a changed body or an old timestamp is refused.
        header = received.headers["Rodeknop-Signature"]
        assert verify(secret, header, received.body)
        assert not verify("whsec_other", header, received.body)
        assert not verify(secret, header, received.body + b" ")
        assert not verify(secret, header, received.body, now=int(header.split(",")[0][2:]) + 301)


def test_a_new_reports_news_waits_for_the_end_of_its_window_named_or_anonymous(app):
    app.config["WEBHOOK_NEW_REPORT_WINDOW_MINUTES"] = 60
    with app.app_context():
        _register("http://127.0.0.1:9/hook", [REPORT_CREATED])
        make_report(make_user(), rule="Genoemd")
        make_report(make_user(), rule="Anoniem", anonymous=True)
        db.session.commit()
        named, anonymous = _deliveries()
        assert named.next_attempt_at == anonymous.next_attempt_at
        end = named.next_attempt_at
        assert end.minute == 0 and end.second == 0 and end > utcnow() - timedelta(seconds=1)
        times = {json.loads(d.payload)["occurred_at"] for d in (named, anonymous)}
        assert times == {end.isoformat().replace("+00:00", "Z")}, "only the window's end, never the minute"
        # The delivery log (a page of the beheerder, who also reads the logins) says no more.
        assert named.created_at == anonymous.created_at == end
    moment = utcnow().replace(hour=10, minute=7, second=3)
    with app.app_context():
        assert new_report_window_end(moment) == moment.replace(hour=11, minute=0, second=0, microsecond=0)
        app.config["WEBHOOK_NEW_REPORT_WINDOW_MINUTES"] = 0
        assert new_report_window_end(moment) == moment


def test_a_receiver_that_is_down_and_comes_back_gets_everything_once(app, receiver):
    with app.app_context():
        _, secret = _register(receiver.url, [REPORT_STATUS_CHANGED])
        receiver.secret = secret
        coach = make_user("Cor Coach", roles=("employee", "coach"))
        reports = [make_report(make_user(), rule=f"Regel {n}") for n in range(3)]
        db.session.commit()
        receiver.stop()
        for report in reports:
            take_on(report, coach)
        db.session.commit()
        deliveries = _deliveries()
        assert len(deliveries) == 3
        t0 = utcnow()
        # Down: the first delivery fails; the others are not tried in the same run.
        assert deliver_webhooks(now=t0) == (0, 1)
        first = db.session.get(WebhookDelivery, deliveries[0].id)
        assert first.attempts == 1 and first.sent_at is None and "ConnectionRefused" in first.last_error
        assert first.next_attempt_at == t0 + timedelta(minutes=1)
        assert [db.session.get(WebhookDelivery, d.id).attempts for d in deliveries[1:]] == [0, 0]
        # Each attempt further apart: 1, 2, 4 minutes (app.notify.backoff).
        assert deliver_webhooks(now=t0 + timedelta(seconds=30)) == (0, 1)  # the second one
        assert deliver_webhooks(now=t0 + timedelta(minutes=1)) == (0, 1)  # the first, again
        db.session.expire_all()
        first = db.session.get(WebhookDelivery, deliveries[0].id)
        assert first.attempts == 2 and first.next_attempt_at == t0 + timedelta(minutes=1) + timedelta(minutes=2)
        # Back, on the same address: everything arrives, each delivery once, oldest first.
        receiver.start()
        delivered = 0
        for minutes in (10, 20, 30):
            delivered += deliver_webhooks(now=t0 + timedelta(minutes=minutes))[0]
        assert delivered == 3
        assert receiver.delivery_ids() == [d.uid for d in deliveries]
        assert all(r.verified for r in receiver.requests)
        assert deliver_webhooks(now=t0 + timedelta(hours=5)) == (0, 0), "nothing is sent twice"


def test_no_redirect_is_followed_and_after_the_last_attempt_it_is_failed_but_can_be_sent_again(app, receiver):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    with app.app_context():
        _register(receiver.url, [REPORT_STATUS_CHANGED])
        report = make_report(make_user())
        take_on(report, make_user(roles=("employee", "coach")))
        db.session.commit()
        receiver.status = 302
        t0 = utcnow()
        assert deliver_webhooks(now=t0) == (0, 1)
        assert [r.path for r in receiver.requests] == ["/rodeknop/hook"], "the Location was not followed"
        (delivery,) = _deliveries()
        assert (delivery.last_status, delivery.last_error) == (302, "Antwoord 302")
        receiver.status = 500
        assert deliver_webhooks(now=t0 + timedelta(minutes=5)) == (0, 1)
        db.session.refresh(delivery)
        assert delivery.failed_at is not None and delivery.last_status == 500
        assert deliver_webhooks(now=t0 + timedelta(days=1)) == (0, 0), "given up"
        receiver.status = 204
        resend_delivery(delivery, actor=_admin())
        db.session.commit()
        assert deliver_webhooks() == (1, 0)
        db.session.refresh(delivery)
        assert delivery.sent_at is not None and delivery.failed_at is None and delivery.last_status == 204
        assert receiver.delivery_ids()[-1] == delivery.uid, "sent again with the same delivery id"
        # A delivered message can be sent again too (the receiver lost it).
        resend_delivery(delivery, actor=_admin())
        db.session.commit()
        assert deliver_webhooks() == (1, 0)
        assert receiver.delivery_ids().count(delivery.uid) == 4


def test_a_slow_receiver_times_out_and_a_long_answer_is_not_read_whole(app, receiver):
    app.config.update(WEBHOOK_READ_TIMEOUT=0.3)
    with app.app_context():
        _register(receiver.url, [REPORT_STATUS_CHANGED])
        take_on(make_report(make_user()), make_user(roles=("employee", "coach")))
        db.session.commit()
        receiver.delay = 1
        assert deliver_webhooks() == (0, 1)
        (delivery,) = _deliveries()
        assert "timed out" in delivery.last_error or "Timeout" in delivery.last_error


def test_only_active_webhooks_for_the_event_get_it_and_a_deleted_one_nothing(app):
    with app.app_context():
        both, _ = _register("http://127.0.0.1:9/a", [REPORT_CREATED, REPORT_STATUS_CHANGED])
        dossiers_only, _ = _register("http://127.0.0.1:9/b", [DOSSIER_CHANGED])
        inactive, _ = _register("http://127.0.0.1:9/c", list(EVENTS), active=False)
        report = make_report(make_user())
        db.session.commit()
        assert [d.webhook_id for d in _deliveries()] == [both]
        admin = _admin()
        update_webhook(
            db.session.get(Webhook, inactive), "http://127.0.0.1:9/c", list(EVENTS), active=True, actor=admin
        )
        delete_webhook(db.session.get(Webhook, both), actor=admin)
        db.session.commit()
        assert _deliveries() == [], "a deleted webhook's log goes with it"
        take_on(report, make_user(roles=("employee", "coach")))
        db.session.commit()
        assert [(d.webhook_id, d.event) for d in _deliveries()] == [(inactive, REPORT_STATUS_CHANGED)]
        assert dossiers_only not in {d.webhook_id for d in _deliveries()}
        actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["webhook_created"] * 3 + ["webhook_updated", "webhook_deleted"]


def test_the_secret_is_stored_sealed_and_addresses_are_checked(app):
    app.config["WEBHOOK_ALLOW_HTTP"] = False
    with app.app_context():
        admin = _admin()
        for url, field in (
            ("ftp://zaak.example/hook", "url"),
            ("javascript:alert(1)", "url"),
            ("http://zaak.example/hook", "url"),  # https required outside development and test
            ("https://user:pw@zaak.example/hook", "url"),
            ("https://zaak.example:99999/hook", "url"),
            ("https://zaak voorbeeld.example/hook", "url"),
            ("https://zaak.example/een hook", "url"),
            ("https://[::1/hook", "url"),
            ("https://zaak_<script>.example/hook", "url"),
            ("", "url"),
        ):
            with pytest.raises(DomainError) as refused:
                register_webhook(url, [REPORT_CREATED], active=True, actor=admin)
            assert refused.value.field == field, url
        with pytest.raises(DomainError) as refused:
            register_webhook("https://zaak.example/hook", ["report.deleted"], active=True, actor=admin)
        assert refused.value.field == "events"
        webhook, secret = register_webhook("https://zaak.example/hook", [REPORT_CREATED], active=True, actor=admin)
        db.session.commit()
        assert secret.startswith("whsec_") and len(secret) > 40
        stored = db.session.scalar(db.select(Webhook.secret).where(Webhook.id == webhook.id))
        assert secret not in stored
        audit = db.session.scalar(db.select(AuditEntry.detail).where(AuditEntry.action == "webhook_created"))
        assert secret not in audit


def test_a_secret_that_cannot_be_read_any_more_is_an_error_in_the_log_not_a_crash(app, receiver):
    with app.app_context():
        _register(receiver.url, [REPORT_STATUS_CHANGED])
        take_on(make_report(make_user()), make_user(roles=("employee", "coach")))
        db.session.commit()
    app.config["SECRET_KEY"] = "another-secret-key-after-a-rotation"
    with app.app_context():
        assert deliver_webhooks() == (0, 1)
        (delivery,) = _deliveries()
        assert "SECRET_KEY" in delivery.last_error and receiver.requests == []


def test_the_job_run_by_several_processes_at_once_delivers_each_once(app, database_url, receiver):
    app.config["SECRET_KEY"] = "j" * 48  # the processes' key (tests.factories.run_job_in_processes)
    app.config["WEBHOOK_NEW_REPORT_WINDOW_MINUTES"] = 0
    with app.app_context():
        _, secret = _register(receiver.url)
        receiver.secret = secret
        coach = make_user(roles=("employee", "coach"))
        for n in range(6):
            take_on(make_report(make_user(), rule=f"Regel {n}"), coach)
        db.session.commit()
        expected = sorted(d.uid for d in _deliveries())
    assert len(expected) == 12
    run_job_in_processes(database_url, "deliver_webhooks")
    assert sorted(receiver.delivery_ids()) == expected, "each delivery once, none lost"
    assert all(r.verified for r in receiver.requests)
    with app.app_context():
        assert all(d.sent_at is not None and d.attempts == 1 for d in _deliveries())


def test_a_claimed_delivery_is_left_to_its_deliverer_until_the_claim_lapses(app, receiver):
    with app.app_context():
        _register(receiver.url, [REPORT_STATUS_CHANGED])
        take_on(make_report(make_user()), make_user(roles=("employee", "coach")))
        db.session.commit()
        (delivery,) = _deliveries()
        delivery.claimed_until = utcnow() + CLAIM_FOR
        db.session.commit()
        assert deliver_webhooks() == (0, 0)
        assert deliver_webhooks(now=utcnow() + CLAIM_FOR + timedelta(seconds=1)) == (1, 0)


def test_the_scheduler_job_delivers_and_retention_removes_old_deliveries(app, receiver):
    with app.app_context():
        _register(receiver.url, [REPORT_STATUS_CHANGED])
        coach = make_user(roles=("employee", "coach"))
        take_on(make_report(make_user()), coach)
        take_on(make_report(make_user()), coach)
        db.session.commit()
        assert deliver_webhooks_job() == {"delivered": 2, "failed": 0}
        old, recent = _deliveries()
        old.sent_at = utcnow() - timedelta(days=app.config["RETENTION_MAIL_DAYS"] + 1)
        db.session.commit()
        assert retention(dry_run=True)["webhook_deliveries_removed"] == 1
        assert retention()["webhook_deliveries_removed"] == 1
        assert [d.id for d in _deliveries()] == [recent.id]


# --- the weekly session: held with the mail, withdrawn on undo -------------------------------


@pytest.fixture
def session_world(app):
    with app.app_context():
        webhook_id, _ = _register("http://127.0.0.1:9/hook", [REPORT_STATUS_CHANGED, DOSSIER_CHANGED])
        eva = make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        plain = make_report(make_user(), rule="Kopie paspoort bij elke aanvraag")
        national = make_report(make_user(), rule="Kostendelersnorm")
        db.session.commit()
        session = triage.start_session(eva, [eva.id])
        db.session.commit()
        world = {
            "eva": eva.id,
            "session": session.id,
            "plain": plain.id,
            "national": national.id,
            "webhook": webhook_id,
        }
    return world


def _item(w, report_id) -> TriageItem:
    from app.models import TriageSession

    session = db.session.get(TriageSession, w["session"])
    return next(item for item in session.items if item.report_id == report_id)


def test_a_sessions_decision_holds_its_webhooks_with_its_mail_and_an_undo_sends_nothing(app, receiver, session_world):
    w = session_world
    with app.app_context():
        db.session.get(Webhook, w["webhook"]).url = receiver.url
        db.session.commit()
        eva = db.session.get(User, w["eva"])
        item = _item(w, w["national"])
        triage.handle_item(
            item,
            eva,
            "decide",
            outcome="escalated",
            explanation="Landelijke wet.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
        )
        db.session.commit()
        held = _deliveries()
        # New -> In behandeling -> Geëscaleerd, and the dossier it created.
        assert sorted(d.event for d in held) == [DOSSIER_CHANGED, REPORT_STATUS_CHANGED, REPORT_STATUS_CHANGED]
        assert all(d.hold_group == f"triage:{w['session']}" for d in held)
        assert deliver_webhooks() == (0, 0), "held like the mail"
        report = db.session.get(Report, w["national"])
        triage.undo_item(_item(w, w["national"]), eva, expected_version=report.version)
        db.session.commit()
        assert _deliveries() == [], "withdrawn with the mail"
        triage.end_session(triage.open_session(), eva)
        db.session.commit()
        assert deliver_webhooks(now=utcnow() + SOON) == (0, 0)
        assert receiver.requests == []


def test_ending_the_session_releases_the_held_webhooks(app, receiver, session_world):
    w = session_world
    with app.app_context():
        db.session.get(Webhook, w["webhook"]).url = receiver.url
        db.session.commit()
        eva = db.session.get(User, w["eva"])
        triage.handle_item(_item(w, w["plain"]), eva, "take_on")
        db.session.commit()
        assert deliver_webhooks() == (0, 0)
        triage.end_session(triage.open_session(), eva)
        db.session.commit()
        assert deliver_webhooks() == (1, 0)
        assert json.loads(receiver.requests[0].body)["report"]["status"] == "in_progress"


def test_a_held_delivery_cannot_be_sent_early_and_an_undo_after_it_went_is_refused(app, client, auth, session_world):
    from tests.conftest import post_form

    w = session_world
    with app.app_context():
        eva = db.session.get(User, w["eva"])
        triage.handle_item(_item(w, w["plain"]), eva, "take_on")
        db.session.commit()
        (delivery,) = _deliveries()
        with pytest.raises(DomainError):
            resend_delivery(delivery, actor=eva)
        db.session.rollback()
        delivery_id, next_attempt_at = delivery.id, delivery.next_attempt_at
    # Through the page (a crafted request: the page offers no button for it): told why, nothing changed.
    auth.login("ada@example.test")
    path = f"/beheer/webhooks/{w['webhook']}"
    refused = post_form(client, f"{path}/berichten/{delivery_id}/opnieuw", {}, form_path=path)
    assert refused.status_code == 303
    assert "kan nog ongedaan worden gemaakt" in client.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WebhookDelivery, delivery_id).next_attempt_at == next_attempt_at
        eva = db.session.get(User, w["eva"])
        # Someone's deliverer has it (the hold passed): the decision can no longer be undone.
        delivery = _deliveries()[0]
        delivery.claimed_until = utcnow() + CLAIM_FOR
        db.session.commit()
        report = db.session.get(Report, w["plain"])
        with pytest.raises(DomainError):
            triage.undo_item(_item(w, w["plain"]), eva, expected_version=report.version)


# --- no personal data in any payload ---------------------------------------------------------

PEOPLE = [
    ("Sanne de Vries", "sanne@example.test"),
    ("Anna Anoniem", "anna@example.test"),
    ("Piet Steun", "piet@example.test"),
    ("Cor Coach", "cor@example.test"),
    ("Lotte Jurist", "lotte@example.test"),
]
TEXTS = [
    "Uittreksel alleen op papier",
    "Inwoners moeten vrij nemen",
    "Bij ons ook",
    "Het formulier is weg",
    "Geheime notitie",
    "De regel blijft",
    "Samenvatting voor de melders",
    "Volledig antwoord van het ministerie",
    "Toelichting bij de status",
]


def _every_event(anonymous: bool) -> None:
    """Every event, in every state a report and a dossier go through."""
    roles = {"Cor Coach": ("employee", "coach"), "Lotte Jurist": ("employee", "legal")}
    users = {name: make_user(name, email=email, roles=roles.get(name, ("employee",))) for name, email in PEOPLE}
    coach = users["Cor Coach"]
    lawyer = users["Lotte Jurist"]
    reporter = users["Anna Anoniem"] if anonymous else users["Sanne de Vries"]
    department = make_department("Burgerzaken")
    report = make_report(
        reporter,
        rule=TEXTS[0],
        problem=TEXTS[1],
        anonymous=anonymous,
        department_id=department.id,
    )
    make_support(users["Piet Steun"], report, TEXTS[2])
    assign_report(report, coach, actor=coach)
    decide_report(
        report,
        actor=coach,
        outcome="escalated",
        explanation=TEXTS[5],
        legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
    )
    dossier = report.dossier
    from app.models import Addressee

    addressee = db.session.scalars(db.select(Addressee).order_by(Addressee.id)).first()
    update_dossier(
        dossier,
        actor=lawyer,
        reference=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
        addressee_id=addressee.id,
        channel="Brief",
        sent_on=utcnow().date(),
        answer_due=None,
        follow_up_on=None,
        owner_id=lawyer.id,
    )
    change_dossier_status(dossier, "sent", actor=lawyer, text=TEXTS[8])
    change_dossier_status(dossier, "answered", actor=lawyer, answer=TEXTS[7], answer_summary=TEXTS[6])
    second = make_report(reporter, rule="Tweede regel", problem=TEXTS[1], anonymous=anonymous)
    take_on(second, coach)
    decide_report(
        second, actor=coach, outcome="resolved", explanation="Opgelost", what_changed=TEXTS[3], text_public=True
    )
    db.session.commit()


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_no_payload_of_any_event_names_anyone_or_holds_a_text(app, anonymous):
    with app.app_context():
        _register("http://127.0.0.1:9/hook")
        _every_event(anonymous)
        deliveries = _deliveries()
        assert {d.event for d in deliveries} == set(EVENTS)
        pseudonyms = [pseudonym(u.id) for u in db.session.scalars(db.select(User))]
        forbidden = [s for pair in PEOPLE for s in pair] + TEXTS + pseudonyms + ["Anoniem", "anonymous", "@"]
        for delivery in deliveries:
            payload = json.loads(delivery.payload)
            assert payload_problems(payload) == [], delivery.event
            for value in forbidden:
                assert value.lower() not in delivery.payload.lower(), f"{delivery.event} holds {value!r}"
            assert "is_anonymous" not in delivery.payload and "reporter" not in delivery.payload


def test_payloads_are_the_same_whoever_is_anonymous(app):
    """The same story told with a named and with an anonymous reporter gives payloads that
    differ in nothing but ids, times, references and links."""

    def shapes(anonymous: bool) -> list:
        with app.app_context():
            _register("http://127.0.0.1:9/hook")
            _every_event(anonymous)
            result = []
            for delivery in _deliveries():
                payload = json.loads(delivery.payload)
                for key in ("id", "occurred_at"):
                    payload.pop(key)
                for part in ("report", "dossier"):
                    for key in ("reference", "url", "api_url", "id"):
                        payload.get(part, {}).pop(key, None)
                result.append((delivery.event, payload))
        from tests.conftest import _empty_tables

        _empty_tables(app)
        return result

    assert shapes(False) == shapes(True)


def test_the_readmes_receiver_code_verifies_a_real_delivery(app, receiver):
    """The verification the README shows a receiver, run as it stands there."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)
    with app.app_context():
        _, secret = _register(receiver.url, [REPORT_STATUS_CHANGED])
        take_on(make_report(make_user()), make_user(roles=("employee", "coach")))
        db.session.commit()
        assert deliver_webhooks() == (1, 0)
    (received,) = receiver.requests
    header = received.headers["Rodeknop-Signature"]
    assert namespace["verify"](secret, header, received.body)
    assert not namespace["verify"](secret, header, received.body.replace(b"in_progress", b"resolved"))
    assert not namespace["verify"]("whsec_wrong", header, received.body)


# --- the Beheer pages ---------------------------------------------------------------------


def test_the_beheerder_registers_changes_resends_renews_and_deletes_through_the_pages(app, client, auth):
    from tests.conftest import post_form

    with app.app_context():
        _admin()
        db.session.commit()
    auth.login("ada@example.test")
    page = post_form(
        client,
        "/beheer/webhooks",
        {"url": "https://zaak.example/hook", "events": [REPORT_CREATED, DOSSIER_CHANGED], "active": "y"},
    )
    assert page.status_code == 200
    secret = re.search(r'id="geheim">(whsec_[^<]+)<', page.get_data(as_text=True)).group(1)
    with app.app_context():
        webhook = db.session.scalar(db.select(Webhook))
        webhook_id = webhook.id
        assert webhook.event_list == [REPORT_CREATED, DOSSIER_CHANGED] and webhook.active
    path = f"/beheer/webhooks/{webhook_id}"
    assert secret not in client.get(path).get_data(as_text=True)
    assert secret not in client.get("/beheer/webhooks").get_data(as_text=True)

    # Deactivated: nothing is emitted for it.
    changed = post_form(client, path, {"url": "https://zaak.example/hook2", "events": [REPORT_CREATED]})
    assert changed.status_code == 303
    with app.app_context():
        webhook = db.session.get(Webhook, webhook_id)
        assert (webhook.url, webhook.event_list, webhook.active) == (
            "https://zaak.example/hook2",
            [REPORT_CREATED],
            False,
        )
        make_report(make_user())
        db.session.commit()
        assert _deliveries() == []
        webhook.active = True
        make_report(make_user())
        db.session.commit()
        (delivery,) = _deliveries()
        delivery.failed_at = utcnow()
        db.session.commit()
        delivery_id = delivery.id

    # A bad address comes back with a Dutch message, nothing changed.
    refused = post_form(client, path, {"url": "ftp://x", "events": [REPORT_CREATED], "active": "y"})
    assert refused.status_code == 400 and "https://" in refused.get_data(as_text=True)

    resent = post_form(client, f"{path}/berichten/{delivery_id}/opnieuw", {}, form_path=path)
    assert resent.status_code == 303
    with app.app_context():
        delivery = db.session.get(WebhookDelivery, delivery_id)
        assert delivery.failed_at is None and delivery.attempts == 0
    # Someone else's delivery id under this webhook: not found.
    assert post_form(client, f"{path}/berichten/{delivery_id + 1}/opnieuw", {}, form_path=path).status_code == 404

    unconfirmed = post_form(client, f"{path}/geheim", {}, form_path=path)
    assert unconfirmed.status_code == 400
    renewed = post_form(client, f"{path}/geheim", {"secret-confirm": "y"}, form_path=path)
    assert renewed.status_code == 200
    new_secret = re.search(r'id="geheim">(whsec_[^<]+)<', renewed.get_data(as_text=True)).group(1)
    assert new_secret != secret

    assert post_form(client, f"{path}/verwijderen", {}, form_path=path).status_code == 400
    deleted = post_form(client, f"{path}/verwijderen", {"delete-confirm": "y"}, form_path=path)
    assert deleted.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Webhook.id))) == 0
        assert _deliveries() == []
        actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert [a for a in actions if a.startswith("webhook")] == [
            "webhook_created",
            "webhook_updated",
            "webhook_resent",
            "webhook_secret_renewed",
            "webhook_deleted",
        ]

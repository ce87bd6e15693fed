"""Who hears what, and when, through a real SMTP server on loopback: Juridische Zaken when an
escalation starts or joins a dossier; a dossier's owner (by the addressee's rule, or taken
on); the colleague who takes over when an account ends; and each user's own choice per
kind of mail (direct, the daily overview, or none), for anonymous followers too."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.jobs import daily_digest
from app.models import Addressee, AuditEntry, Dossier, DossierEvent, Event, OutboxMessage, Report, User
from app.models.base import utcnow
from app.notify import deliver_outbox
from app.services.dossiers import LegalReference, update_dossier
from app.services.users import set_password
from app.services.workflow import assign_report, decide_report, post_update
from tests.conftest import post_form
from tests.factories import choose_mail, make_report, make_support, make_user, run_job_in_processes
from tests.test_dossiers import login, post_on_page, text_of

LAW = LegalReference("Participatiewet", "BWBR0015703", "art. 22a")


def _escalate(report, coach, legal=LAW):
    decide_report(report, actor=coach, outcome="escalated", explanation="Landelijke regel.", legal=legal)
    return report.dossier


@pytest.fixture
def cast(app):
    with app.app_context():
        people = {
            "coach": make_user("Cor Coach", email="cor@example.test", roles=("employee", "coach")),
            "coach2": make_user("Dirk Coach", email="dirk@example.test", roles=("employee", "coach")),
            "fatima": make_user("Fatima Jurist", email="fatima@example.test", roles=("employee", "legal")),
            "gijs": make_user("Gijs Jurist", email="gijs@example.test", roles=("employee", "legal")),
            "admin": make_user("Ada Beheer", email="ada@example.test", roles=("employee", "admin")),
            "sanne": make_user("Sanne Melder", email="sanne@example.test"),
            "mo": make_user("Mo Steuner", email="mo@example.test"),
        }
        db.session.commit()
        return {name: user.id for name, user in people.items()}


def _user(key: int) -> User:
    return db.session.get(User, key)


def _subjects(smtp, address: str) -> list[str]:
    return [m["Subject"] for m in smtp.inbox.to(address)]


# --- Juridische Zaken hears of an escalation at once -----------------------------------------


def test_a_new_dossier_is_mailed_to_all_of_juridische_zaken_with_the_report_and_a_link(app, smtp, cast):
    with app.app_context():
        report = make_report(_user(cast["sanne"]), rule="Kostendelersnorm bij tijdelijke opvang")
        dossier = _escalate(report, _user(cast["coach"]))
        db.session.commit()
        reference, dossier_id, dossier_ref = report.reference, dossier.id, dossier.reference
        # Written with the escalation, before any job ran.
        assert {
            m.to_address
            for m in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "escalations"))
        } == {
            "fatima@example.test",
            "gijs@example.test",
        }
        deliver_outbox()
    for address in ("fatima@example.test", "gijs@example.test"):
        [mail] = [m for m in smtp.inbox.to(address) if dossier_ref in m["Subject"]]
        assert mail["Subject"] == f"Nieuw escalatiedossier {dossier_ref}: Participatiewet, art. 22a"
        text = smtp.inbox.text(mail)
        assert reference in text and "Kostendelersnorm bij tijdelijke opvang" in text
        assert f"http://127.0.0.1:5000/juridisch/dossiers/{dossier_id}" in text
        assert "Gemeld door: Sanne Melder" in text and "Cor Coach escaleerde" in text
        assert "Eigenaar van het dossier: nog niemand" in text
        assert f'href="http://127.0.0.1:5000/juridisch/dossiers/{dossier_id}"' in smtp.inbox.html(mail)
    assert not [s for s in _subjects(smtp, "cor@example.test") if dossier_ref in s]


def test_a_report_joining_a_dossier_is_mailed_to_its_owner_only(app, smtp, cast):
    with app.app_context():
        dossier = _escalate(make_report(_user(cast["sanne"]), rule="Eerste"), _user(cast["coach"]))
        dossier.owner_id = cast["gijs"]
        db.session.commit()
        deliver_outbox()
        smtp.inbox.messages.clear()
        second = make_report(_user(cast["mo"]), rule="Tweede over hetzelfde artikel")
        _escalate(second, _user(cast["coach"]), LegalReference("Participatiewet", "BWBR0015703", "Artikel 22a"))
        db.session.commit()
        assert second.dossier_id == dossier.id
        deliver_outbox()
        expected = f"{dossier.reference}: melding {second.reference} toegevoegd"
    assert _subjects(smtp, "gijs@example.test") == [expected]
    assert _subjects(smtp, "fatima@example.test") == []
    text = smtp.inbox.text(smtp.inbox.to("gijs@example.test")[0])
    assert "Meldingen in het dossier: 2" in text and "Eigenaar van het dossier: U\r\n" in text


def test_a_joining_report_without_an_owner_goes_to_everyone_of_juridische_zaken(app, smtp, cast):
    with app.app_context():
        dossier = _escalate(make_report(_user(cast["sanne"]), rule="Eerste"), _user(cast["coach"]))
        _escalate(make_report(_user(cast["mo"]), rule="Tweede"), _user(cast["coach"]))
        db.session.commit()
        deliver_outbox()
        joined = f"{dossier.reference}: melding"
    for address in ("fatima@example.test", "gijs@example.test"):
        assert len([s for s in _subjects(smtp, address) if s.startswith(joined)]) == 1


def test_the_mail_never_names_an_anonymous_reporter_not_even_to_a_lawyer_who_is_that_reporter(app, smtp, cast):
    """Fatima reports anonymously; the mail that waits in the outbox under her name reads
    exactly as Gijs's: 'Anoniem', never 'U (anoniem)'."""
    with app.app_context():
        report = make_report(_user(cast["fatima"]), rule="Anonieme regel", anonymous=True)
        _escalate(report, _user(cast["coach"]))
        db.session.commit()
        rows = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "escalations")).all()
        assert len(rows) == 2
        bodies = {re.sub(r"Beste \w+ Jurist", "", row.body_text) for row in rows}
        assert len(bodies) == 1  # the same text for both
        deliver_outbox()
    for address in ("fatima@example.test", "gijs@example.test"):
        [mail] = [m for m in smtp.inbox.to(address) if "Nieuw escalatiedossier" in m["Subject"]]
        text, html = smtp.inbox.text(mail), smtp.inbox.html(mail)
        assert "Gemeld door: Anoniem" in text
        assert "(anoniem)" not in text.lower() and "Fatima" not in text.replace("Beste Fatima Jurist", "")
        assert "Fatima" not in html.replace("Beste Fatima Jurist", "")


# --- an owner: by the addressee's rule, or taken on -------------------------------------------


def test_choosing_an_addressee_with_a_default_owner_makes_them_owner_and_tells_them(app, smtp, cast):
    with app.app_context():
        szw = db.session.scalar(db.select(Addressee).order_by(Addressee.id))
        szw_id, szw_name, szw_kind = szw.id, szw.name, szw.kind
        dossier = _escalate(make_report(_user(cast["sanne"])), _user(cast["coach"]))
        db.session.commit()
        dossier_id = dossier.id
    # The beheerder sets the rule on the addressee's page.
    admin = login(app, "ada@example.test")
    path = f"/beheer/geadresseerden/{szw_id}"
    page = text_of(admin.get(path))
    assert "Standaard eigenaar bij Juridische Zaken" in page and "Gijs Jurist" in page
    response = post_on_page(
        admin, path, path, {"name": szw_name, "kind": szw_kind, "active": "y", "default_owner_id": str(cast["gijs"])}
    )
    assert response.status_code == 303
    assert "Gijs Jurist" in text_of(admin.get("/beheer/geadresseerden"))
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        update_dossier(
            dossier,
            actor=_user(cast["fatima"]),
            reference=LAW,
            addressee_id=szw_id,
            channel=None,
            sent_on=None,
            answer_due=None,
            follow_up_on=None,
            owner_id=None,
        )
        db.session.commit()
        assert dossier.owner_id == cast["gijs"]
        event = db.session.scalar(db.select(DossierEvent).where(DossierEvent.kind == "owner"))
        assert "standaard voor dossiers aan" in event.text
        deliver_outbox()
    assert f"Dossier ESC-{dossier_id:04d} is aan u toegewezen" in _subjects(smtp, "gijs@example.test")
    lawyer = login(app, "fatima@example.test")
    assert "Gijs Jurist" in text_of(lawyer.get(f"/juridisch/dossiers/{dossier_id}"))
    overview = text_of(lawyer.get("/juridisch/"))
    assert "Gijs Jurist" in overview


def test_a_lawyer_takes_a_dossier_on_with_optimistic_locking(app, cast):
    with app.app_context():
        dossier = _escalate(make_report(_user(cast["sanne"])), _user(cast["coach"]))
        db.session.commit()
        dossier_id = dossier.id
    path = f"/juridisch/dossiers/{dossier_id}"
    action = f"{path}/oppakken"
    fatima, gijs = login(app, "fatima@example.test"), login(app, "gijs@example.test")
    fatima_page, gijs_page = text_of(fatima.get(path)), text_of(gijs.get(path))
    assert "Ik pak dit dossier op" in fatima_page and "Dit dossier heeft nog geen eigenaar" in fatima_page
    assert post_on_page(fatima, path, action, {}, page=fatima_page).status_code == 303
    page = text_of(fatima.get(path))
    assert "U bent nu eigenaar van" in page and "Ik pak dit dossier op" not in page
    # Gijs's page was loaded before: he is told, nothing of his is written.
    late = post_on_page(gijs, path, action, {}, page=gijs_page)
    assert late.status_code == 409 and "Iemand anders was u voor" in text_of(late)
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).owner_id == cast["fatima"]
    # Now he takes it over deliberately, from the current page.
    assert post_on_page(gijs, path, action, {}).status_code == 303
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.owner_id == cast["gijs"]
        texts = [e.text for e in dossier.events if e.kind == "owner"]
        assert texts == ["Fatima Jurist pakt dit dossier op.", "Gijs Jurist pakt dit dossier op (was: Fatima Jurist)."]
    # Whoever may not act on the dossier gets no button, and the route refuses.
    admin = login(app, "ada@example.test")
    assert "Ik pak dit dossier op" not in text_of(admin.get(path))


# --- an account that ends hands its work over ---------------------------------------------


@pytest.fixture
def busy_coach(app, cast):
    """Cor (coach and lawyer) follows up two open reports and owns an open dossier; a third,
    decided report stays his."""
    with app.app_context():
        cor = _user(cast["coach"])
        cor.role_rows.append(type(cor.role_rows[0])(role="legal"))
        reports = [make_report(_user(cast["sanne"]), rule=f"Open regel {n}") for n in range(2)]
        for report in reports:
            assign_report(report, cor, actor=cor)
        done = make_report(_user(cast["sanne"]), rule="Al besloten")
        assign_report(done, cor, actor=cor)
        decide_report(done, actor=cor, outcome="explained", explanation="Uitgelegd.")
        dossier = _escalate(make_report(_user(cast["mo"]), rule="Naar het Rijk"), _user(cast["coach2"]))
        dossier.owner_id = cor.id
        db.session.commit()
        return {
            "reports": [r.id for r in reports],
            "done": done.id,
            "dossier": dossier.id,
            "versions": [r.version for r in reports],
        }


def _edit_user(admin, user_id: int, data: dict):
    path = f"/beheer/gebruikers/{user_id}"
    page = text_of(admin.get(path))
    fields = {
        "name": "Cor Coach",
        "email": "cor@example.test",
        "department_id": "",
        "roles": ["employee", "coach", "legal"],
    }
    return page, post_form(admin, path, {**fields, **data})


def test_deactivating_asks_who_takes_over_and_never_orphans_silently(app, smtp, cast, busy_coach):
    admin = login(app, "ada@example.test")
    page, response = _edit_user(admin, cast["coach"], {})  # 'active' unticked
    assert "Werk overdragen" in page and "gaat nu achter 2 open meldingen aan en is eigenaar van 1 open dossier" in page
    assert "Wie gaat achter de 2 open meldingen aan?" in page and "Wie wordt eigenaar van het open dossier?" in page
    assert "Dirk Coach" in page and "Niemand: de meldingen gaan terug naar Nieuw" in page
    assert response.status_code == 400
    body = text_of(response)
    assert "Kies wie er achter de 2 open meldingen van Cor Coach aangaat." in body
    assert 'id="reports_to"' in body and 'id="dossiers_to"' in body  # both choices still offered
    _, response = _edit_user(admin, cast["coach"], {"reports_to": "niemand"})
    assert response.status_code == 400
    assert "Kies wie eigenaar wordt van het open dossier van Cor Coach." in text_of(response), re.findall(
        r"error-message.{0,300}", text_of(response)
    )
    with app.app_context():
        assert _user(cast["coach"]).active  # nothing changed
        assert {
            r.assignee_id for r in db.session.scalars(db.select(Report).where(Report.id.in_(busy_coach["reports"])))
        } == {cast["coach"]}
    # Nobody can take over from themselves.
    _, response = _edit_user(admin, cast["coach"], {"reports_to": str(cast["coach"]), "dossiers_to": "niemand"})
    assert response.status_code == 400
    _, response = _edit_user(
        admin, cast["coach"], {"reports_to": str(cast["coach2"]), "dossiers_to": str(cast["gijs"])}
    )
    assert response.status_code == 303
    with app.app_context():
        assert not _user(cast["coach"]).active
        reports = db.session.scalars(db.select(Report).where(Report.id.in_(busy_coach["reports"]))).all()
        assert {(r.assignee_id, r.status) for r in reports} == {(cast["coach2"], "in_progress")}
        assert all(r.version > v for r, v in zip(reports, busy_coach["versions"], strict=True))
        assert db.session.get(Report, busy_coach["done"]).assignee_id == cast["coach"]  # ended: stays as it was
        assert db.session.get(Dossier, busy_coach["dossier"]).owner_id == cast["gijs"]
        events = db.session.scalars(
            db.select(Event).where(Event.report_id.in_(busy_coach["reports"]), Event.kind == "assigned")
        ).all()
        assert sum("in plaats van Cor Coach" in e.text for e in events) == 2
        audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "work_handed_over"))
        assert audit.detail == "2 meldingen naar Dirk Coach; 1 dossier naar Gijs Jurist"
        deliver_outbox()
    [dirk] = [m for m in smtp.inbox.to("dirk@example.test") if "overgedragen" in m["Subject"]]
    text = smtp.inbox.text(dirk)
    assert dirk["Subject"] == "Werk van Cor Coach is aan u overgedragen"
    assert "U gaat nu achter 2 meldingen aan" in text and "Open regel 0" in text and "Open regel 1" in text
    assert not [m for m in smtp.inbox.to("dirk@example.test") if "toegewezen" in m["Subject"]]  # one mail, not one each
    [gijs] = [m for m in smtp.inbox.to("gijs@example.test") if "overgedragen" in m["Subject"]]
    assert "U bent nu eigenaar van 1 escalatiedossier" in smtp.inbox.text(gijs)


def test_handing_over_to_nobody_sends_reports_back_to_new_and_leaves_dossiers_without_owner(
    app, smtp, cast, busy_coach
):
    admin = login(app, "ada@example.test")
    _, response = _edit_user(admin, cast["coach"], {"reports_to": "niemand", "dossiers_to": "niemand"})
    assert response.status_code == 303
    with app.app_context():
        reports = db.session.scalars(db.select(Report).where(Report.id.in_(busy_coach["reports"]))).all()
        assert {(r.assignee_id, r.status) for r in reports} == {(None, "new")}
        for report in reports:
            last = report.events[-1]
            assert (last.from_status, last.to_status) == ("in_progress", "new")
            assert "komt terug in het weekoverleg" in last.text
        dossier = db.session.get(Dossier, busy_coach["dossier"])
        assert dossier.owner_id is None and "heeft nu geen eigenaar" in dossier.events[-1].text
        deliver_outbox()
    assert not [m for m in smtp.inbox.messages if "overgedragen" in m["Subject"]]
    # A dossier without an owner: its reminders go to all of Juridische Zaken again.
    from app.services.dossiers import dossier_contacts

    with app.app_context():
        assert {u.id for u in dossier_contacts(db.session.get(Dossier, busy_coach["dossier"]))} == {
            cast["fatima"],
            cast["gijs"],
        }


def test_losing_the_coach_role_hands_over_the_reports_too(app, cast, busy_coach):
    admin = login(app, "ada@example.test")
    _, response = _edit_user(admin, cast["coach"], {"active": "y", "roles": ["employee", "legal"]})
    assert response.status_code == 400 and "Kies wie er achter de 2 open meldingen" in text_of(response)
    _, response = _edit_user(
        admin, cast["coach"], {"active": "y", "roles": ["employee", "legal"], "reports_to": str(cast["coach2"])}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Dossier, busy_coach["dossier"]).owner_id == cast["coach"]  # still a lawyer


def test_saving_an_active_account_needs_no_choice(app, cast, busy_coach):
    admin = login(app, "ada@example.test")
    _, response = _edit_user(admin, cast["coach"], {"active": "y", "name": "Cor de Coach"})
    assert response.status_code == 303


# --- each user's choice per kind of mail --------------------------------------------------


def _update(app, cast, text="Nieuw bericht voor de melder."):
    with app.app_context():
        report = db.session.scalar(db.select(Report).order_by(Report.id.desc()))
        post_update(report, actor=_user(cast["coach"]), text=text)
        db.session.commit()


def _reported(app, cast, *, anonymous=False):
    with app.app_context():
        report = make_report(_user(cast["sanne"]), rule="Een regel die in de weg zit", anonymous=anonymous)
        make_support(_user(cast["mo"]), report)
        db.session.commit()
        return report.reference


def test_direct_mail_goes_out_at_the_next_delivery(app, smtp, cast):
    reference = _reported(app, cast)
    _update(app, cast)
    with app.app_context():
        deliver_outbox()
    assert [s for s in _subjects(smtp, "sanne@example.test") if reference in s] == [f"{reference}: nieuw bericht"]


def test_the_daily_overview_combines_waiting_mails_into_one_and_only_once(app, smtp, cast):
    with app.app_context():
        choose_mail(_user(cast["sanne"]), "digest", "own_reports")
        db.session.commit()
    reference = _reported(app, cast)
    _update(app, cast, "Eerste bericht.")
    _update(app, cast, "Tweede bericht.")
    with app.app_context():
        deliver_outbox()
        assert smtp.inbox.to("sanne@example.test") == []  # waiting for the overview
        assert len(smtp.inbox.to("mo@example.test")) == 2  # Mo chose nothing: direct
        first = daily_digest()
        second = daily_digest()
        assert (first["mails"], second["mails"]) == (1, 0)
        deliver_outbox()
        deliver_outbox(now=utcnow() + timedelta(hours=1))
        waiting = db.session.scalar(
            db.select(db.func.count(OutboxMessage.id)).where(
                OutboxMessage.digest.is_(True), OutboxMessage.sent_at.is_(None)
            )
        )
        assert waiting == 0
    [mail] = smtp.inbox.to("sanne@example.test")
    assert mail["Subject"] == "Uw dagelijks overzicht van Rode Knop: 2 berichten"
    text = smtp.inbox.text(mail)
    assert "Eerste bericht." in text and "Tweede bericht." in text and reference in text
    assert "Eerste bericht." in smtp.inbox.html(mail)
    # The next day's run finds nothing new: no empty overview.
    with app.app_context():
        assert daily_digest(now=utcnow() + timedelta(days=1))["mails"] == 0


def test_no_mail_means_none_is_queued_but_account_mails_always_arrive(app, smtp, cast):
    with app.app_context():
        choose_mail(_user(cast["sanne"]), "none")
        db.session.commit()
    _reported(app, cast)
    _update(app, cast)
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.to_user_id == cast["sanne"])
            )
            == 0
        )
        set_password(_user(cast["sanne"]), "een heel nieuw wachtwoord", actor=_user(cast["sanne"]))
        db.session.commit()
        deliver_outbox()
    assert _subjects(smtp, "sanne@example.test") == ["Uw account bij Rode Knop is gewijzigd"]


def test_an_anonymous_reporter_chose_the_daily_overview_and_stays_unnamed_in_the_database(app, smtp, cast):
    """The mail waits under her pseudonym; at sending time her choice (looked up through the
    pseudonym) puts it in an overview of its own, again under the pseudonym only, and that
    row is gone once sent."""
    reference = _reported(app, cast, anonymous=True)
    with app.app_context():
        choose_mail(_user(cast["sanne"]), "digest", "own_reports")
        db.session.commit()
    _update(app, cast)
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.to_pseudonym.is_not(None))).all()
        assert len(rows) == 1 and rows[0].to_user_id is None and rows[0].to_address is None
        assert rows[0].kind == "own_reports"
        deliver_outbox()
        assert smtp.inbox.to("sanne@example.test") == []
        assert daily_digest()["mails"] == 1
        digest = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "digest"))
        assert digest.to_pseudonym is not None and digest.to_user_id is None and digest.to_address is None
        assert "Sanne" not in digest.body_text
        deliver_outbox()
        # Nothing left that ties her to the report.
        assert (
            db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.to_pseudonym.is_not(None)))
            == 0
        )
        assert not db.session.scalar(
            db.select(db.func.count(OutboxMessage.id)).where(
                OutboxMessage.to_user_id == cast["sanne"], OutboxMessage.body_text.contains(reference)
            )
        )
    [mail] = smtp.inbox.to("sanne@example.test")
    assert "dagelijks overzicht" in mail["Subject"] and reference in smtp.inbox.text(mail)
    assert "Beste collega" in smtp.inbox.text(mail)


def test_an_anonymous_follower_who_switches_to_the_overview_after_queueing_gets_it_there(app, smtp, cast):
    """The choice is looked up when the mail goes out, through the pseudonym."""
    _reported(app, cast, anonymous=True)
    _update(app, cast)
    with app.app_context():
        choose_mail(_user(cast["sanne"]), "digest", "own_reports")
        db.session.commit()
        deliver_outbox()
        assert smtp.inbox.to("sanne@example.test") == []
        held = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_pseudonym.is_not(None)))
        assert held.digest and held.sent_at is None
        assert daily_digest()["mails"] == 1
        deliver_outbox()
    assert len(smtp.inbox.to("sanne@example.test")) == 1


def test_the_settings_page_offers_each_role_its_kinds_and_saves_them(app, cast):
    lawyer = login(app, "fatima@example.test")
    page = text_of(lawyer.get("/instellingen"))
    for label in (
        "Nieuws over mijn eigen meldingen",
        "Werk dat bij mij terechtkomt",
        "Nieuwe escalaties voor Juridische Zaken",
    ):
        assert label in page
    # A weekly mail has no daily overview.
    assert not re.search(r'name="overviews"[^>]*value="digest"', page)
    response = post_form(lawyer, "/instellingen", {"escalations": "digest", "overviews": "none"})
    assert response.status_code == 303
    page = text_of(lawyer.get("/instellingen"))
    assert "Uw keuzes voor e-mail zijn opgeslagen." in page
    assert re.search(r'<input checked[^>]*name="escalations"[^>]*value="digest"', page)
    # A choice a kind does not offer is refused, with the form back.
    bad = post_form(lawyer, "/instellingen", {"overviews": "digest"})
    assert bad.status_code == 400
    with app.app_context():
        fatima = _user(cast["fatima"])
        assert (fatima.mail_choice("escalations"), fatima.mail_choice("overviews")) == ("digest", "none")
    employee = login(app, "sanne@example.test")
    assert "Nieuwe escalaties" not in text_of(employee.get("/instellingen"))


def test_every_enqueue_in_the_app_names_its_kind():
    """A mail without a kind would ignore everyone's choice: enqueue refuses it, and every
    call in the code passes one (or always=True)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "app"
    for path in root.rglob("*.py"):
        source = path.read_text()
        for match in re.finditer(r"\b(enqueue|_queue_once)\(", source):
            if source[match.start() - 4 : match.start()] == "def ":
                continue
            depth, end = 0, match.end() - 1
            for end in range(match.end() - 1, len(source)):
                depth += {"(": 1, ")": -1}.get(source[end], 0)
                if depth == 0:
                    break
            call = source[match.start() : end]
            if "**context" in call:
                continue  # passes on what its callers gave (checked at those calls)
            assert "kind=" in call or "always=True" in call, f"{path.name}: {call[:80]}"


def test_four_processes_running_the_daily_overview_at_once_send_one(app, cast, database_url):

    with app.app_context():
        choose_mail(_user(cast["sanne"]), "digest", "own_reports")
        db.session.commit()
    _reported(app, cast)
    _update(app, cast, "Eerste bericht.")
    _update(app, cast, "Tweede bericht.")
    run_job_in_processes(database_url, "daily_digest", secret_key="d" * 48)
    with app.app_context():
        digests = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
        assert len(digests) == 1 and digests[0].to_user_id == cast["sanne"]
        assert "Eerste bericht." in digests[0].body_text and "Tweede bericht." in digests[0].body_text
        assert not db.session.scalar(
            db.select(db.func.count(OutboxMessage.id)).where(
                OutboxMessage.digest.is_(True), OutboxMessage.sent_at.is_(None)
            )
        )

"""Escalation dossiers: reports about the same law article share one dossier; each public
step reaches every reporter and supporter of every linked report."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Addressee, Dossier, OutboxMessage
from app.services import DomainError
from app.services.dossiers import LegalReference, change_dossier_status, update_dossier
from app.services.workflow import decide_report
from tests.factories import make_report, make_support, make_user, recipient


@pytest.fixture
def escalated(app):
    with app.app_context():
        coach = make_user("Eva Coach", roles=("employee", "coach"))
        legal = make_user("Fatima Jurist", roles=("employee", "legal"))
        first_reporter, second_reporter, supporter = make_user("Een"), make_user("Twee"), make_user("Drie")
        first = make_report(first_reporter, rule="Kostendelersnorm bij tijdelijke opvang")
        second = make_report(second_reporter, rule="Kostendelersnorm jongeren", anonymous=True)
        make_support(supporter, second)
        decide_report(
            first,
            actor=coach,
            outcome="escalated",
            explanation="Landelijke wet.",
            legal=LegalReference("Participatiewet", "bwbr0015703", "Artikel 22a"),
        )
        decide_report(
            second,
            actor=coach,
            outcome="escalated",
            explanation="Zelfde artikel.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
        )
        db.session.commit()
        return {
            "legal": legal.id,
            "coach": coach.id,
            "first": first.id,
            "second": second.id,
            "people": [first_reporter.id, second_reporter.id, supporter.id],
        }


def test_two_reports_about_the_same_article_share_one_dossier(app, escalated):
    with app.app_context():
        dossiers = db.session.scalars(db.select(Dossier)).all()
        assert len(dossiers) == 1
        dossier = dossiers[0]
        assert [r.id for r in dossier.reports] == [escalated["first"], escalated["second"]]
        assert dossier.bwb_id == "BWBR0015703"
        assert dossier.law_url == "https://wetten.overheid.nl/BWBR0015703/"
        assert dossier.status == "preparing"
        assert [e.kind for e in dossier.events] == ["created", "linked"]


def test_a_different_article_gets_its_own_dossier(app, escalated):
    with app.app_context():
        from app.models import User

        coach = db.session.get(User, escalated["coach"])
        other = make_report(make_user(), rule="Iets anders")
        decide_report(
            other,
            actor=coach,
            outcome="escalated",
            explanation="x",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 31"),
        )
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(Dossier.id))) == 2


def test_escalating_needs_a_law_and_a_valid_bwb_id(app, escalated):
    with app.app_context():
        from app.models import User

        coach = db.session.get(User, escalated["coach"])
        report = make_report(make_user())
        with pytest.raises(DomainError) as error:
            decide_report(report, actor=coach, outcome="escalated", explanation="x", legal=None)
        assert error.value.field == "law_title"
        with pytest.raises(DomainError) as error:
            decide_report(
                report, actor=coach, outcome="escalated", explanation="x", legal=LegalReference("Wet", "12345")
            )
        assert error.value.field == "bwb_id"


def test_sent_then_answered_reaches_every_reporter_and_supporter(app, escalated):
    with app.app_context():
        from app.models import User

        legal = db.session.get(User, escalated["legal"])
        dossier = db.session.scalar(db.select(Dossier))
        db.session.execute(db.delete(OutboxMessage))
        with pytest.raises(DomainError, match="geadresseerde"):
            change_dossier_status(dossier, "sent", actor=legal)
        ministry = db.session.scalar(db.select(Addressee).where(Addressee.name.like("Ministerie van Sociale%")))
        update_dossier(
            dossier,
            actor=legal,
            reference=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
            addressee_id=ministry.id,
            channel="Brief",
            sent_on=date(2026, 11, 1),
            answer_due=date(2026, 12, 1),
            follow_up_on=date(2026, 11, 20),
            owner_id=legal.id,
        )
        change_dossier_status(dossier, "sent", actor=legal, text="Brief aan SZW verstuurd.")
        with pytest.raises(DomainError):
            change_dossier_status(dossier, "answered", actor=legal, answer="Antwoord", answer_summary="")
        change_dossier_status(
            dossier,
            "answered",
            actor=legal,
            answer="Lange brief van de minister.",
            answer_summary="De minister past de norm aan voor tijdelijke opvang.",
        )
        with pytest.raises(DomainError, match="kan niet"):
            change_dossier_status(dossier, "sent", actor=legal)
        db.session.commit()
        recipients = [recipient(m).id for m in db.session.scalars(db.select(OutboxMessage))]
        for person in escalated["people"]:
            assert recipients.count(person) == 2  # sent + answered
        answered = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.subject.like("%antwoord%"))).all()
        assert all("De minister past de norm aan" in m.body_text for m in answered)
        assert all("Lange brief" not in m.body_text for m in answered)


def test_only_legal_moves_a_dossier_and_stale_forms_are_refused(app, escalated):
    with app.app_context():
        from app.models import User

        coach = db.session.get(User, escalated["coach"])
        legal = db.session.get(User, escalated["legal"])
        dossier = db.session.scalar(db.select(Dossier))
        with pytest.raises(DomainError, match="Juridische Zaken"):
            change_dossier_status(dossier, "closed", actor=coach)
        old = dossier.version
        change_dossier_status(dossier, "closed", actor=legal, text="Ingetrokken")
        with pytest.raises(DomainError, match="intussen gewijzigd"):
            update_dossier(
                dossier,
                actor=legal,
                reference=LegalReference("Participatiewet"),
                addressee_id=None,
                channel=None,
                sent_on=None,
                answer_due=None,
                follow_up_on=None,
                owner_id=None,
                expected_version=old,
            )


def test_a_text_rode_knop_writes_stays_dutch_and_is_shown_in_the_readers_language(app, escalated):
    """The database keeps the Dutch text it always had (the API, webhooks and exports read
    it); a page shows it in its reader's language (app.i18n.StoredText); what a person
    typed stays as it is."""
    from flask_babel import force_locale

    from app.i18n import shown_text
    from app.models import Report, User

    with app.app_context():
        dossier = db.session.scalars(db.select(Dossier)).one()
        legal = db.session.get(User, escalated["legal"])
        update_dossier(
            dossier,
            actor=legal,
            reference=LegalReference(dossier.law_title, dossier.bwb_id, dossier.article),
            addressee_id=db.session.scalar(db.select(Addressee.id).order_by(Addressee.id).limit(1)),
            channel="Brief",
            sent_on=date(2026, 11, 2),
            answer_due=None,
            follow_up_on=None,
            owner_id=legal.id,
        )
        change_dossier_status(dossier, "sent", actor=legal, text="Zelf getypt.")
        db.session.commit()
        first = db.session.get(Report, escalated["first"])
        stored = [event.text for event in dossier.events] + [first.events[-1].text]
        assert stored == [
            f"Dossier aangemaakt bij het escaleren van {first.reference}.",
            f"{db.session.get(Report, escalated['second']).reference} toegevoegd aan dit dossier.",
            "Gewijzigd: geadresseerde, kanaal, verzenddatum",
            "Fatima Jurist is eigenaar.",
            "Zelf getypt.",
            "Escalatiedossier: landelijk geagendeerd: de brief is verstuurd.\n\nZelf getypt.",
        ]
        with app.test_request_context(), force_locale("en"):
            assert [shown_text(text) for text in stored] == [
                f"Dossier created when {first.reference} was escalated.",
                f"{db.session.get(Report, escalated['second']).reference} added to this dossier.",
                "Changed: addressee, channel, date sent",
                "Fatima Jurist is the owner.",
                "Zelf getypt.",
                "Escalation dossier: put on the national agenda: the letter has been sent.\n\nZelf getypt.",
            ]
        with app.test_request_context(), force_locale("nl"):
            assert [shown_text(text) for text in stored] == stored

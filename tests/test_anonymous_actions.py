"""Nobody acts on a report, or its dossier, that they follow anonymously.

A coach who reported anonymously and then took the report on would put their name next to
'Anoniem' in its timeline, as 'wie gaat erachteraan', in the conflict message a colleague
reads, in the assignment mail and in the minutes. So the application steers them away: the
report page, the board and the weekly session offer them nothing to do with it (and tell
only them why), and every service refuses it. A colleague handles it. The same for a
jurist and the dossier of a report they made anonymously."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Event, Report, TriageItem, TriageSession
from app.services import workflow
from app.services.dossiers import LegalReference
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_report, make_user

ZORRO = "zorro@example.test"  # a coach who reports anonymously
COR = "cor@example.test"  # a colleague coach
WITHHELD = "U volgt deze melding anoniem"
HANDLING_FORMS = ("oppakken", "toewijzen", "besluit", "samenvoegen", "notitie", "bericht")


def _client(app, email):
    client = app.test_client()
    token = csrf_token(client, "/inloggen")
    assert client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    client.get("/")
    return client


def _page(response) -> str:
    return response.get_data(as_text=True)


def _fields(page: str, action: str) -> dict:
    """The hidden fields of the form on `page` that posts to `action`."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1)))


def _state(app, reference):
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == int(reference[-4:])))
        events = db.session.scalar(db.select(db.func.count(Event.id)).where(Event.report_id == report.id))
        return report.status, report.version, report.assignee_id, events


@pytest.fixture
def world(app):
    with app.app_context():
        zorro = make_user("Zorro Geheim", email=ZORRO, roles=("employee", "coach"))
        make_user("Cor Coach", email=COR, roles=("employee", "coach"))
        make_user("Lot Legal", email="lot@example.test", roles=("employee", "legal"))
        other = make_user("Olga Open", email="olga@example.test")
        own = make_report(zorro, rule="Huisbezoek verplicht bij bijzondere bijstand", problem="x", anonymous=True)
        earlier = make_report(other, rule="Een eerdere melding", problem="y")
        db.session.commit()
        return {"own": own.reference, "earlier": earlier.reference, "zorro": zorro.id}


def test_the_report_page_offers_the_anonymous_reporter_nothing_to_do_and_says_why_only_to_them(app, world):
    zorro, cor = _client(app, ZORRO), _client(app, COR)
    mine = _page(zorro.get(f"/meldingen/{world['own']}"))
    theirs = _page(cor.get(f"/meldingen/{world['own']}"))
    assert WITHHELD in mine and WITHHELD not in theirs
    for action in HANDLING_FORMS:
        path = f"/meldingen/{world['own']}/{action}"
        assert f'action="{path}"' not in mine, f"the anonymous reporter is offered {action}"
        if action != "samenvoegen":  # merge is offered from the search box too
            assert f'action="{path}"' in theirs, f"a colleague is not offered {action}"


def test_every_action_by_the_anonymous_reporter_is_refused_and_changes_nothing(app, world):
    cor, zorro = _client(app, COR), _client(app, ZORRO)
    # Zorro sends the forms a colleague's page has, with the right version and token.
    page = _page(cor.get(f"/meldingen/{world['own']}"))
    token = csrf_token(zorro, "/melden")
    before = _state(app, world["own"])
    data = {
        "toewijzen-assignee_id": str(world["zorro"]),
        "besluit-outcome": "explained",
        "besluit-explanation": "Zo is het.",
        "samenvoegen-target": world["earlier"],
        "samenvoegen-explanation": "Zelfde regel.",
        "notitie-text": "Intern.",
        "bericht-text": "Hallo melder.",
    }
    for action in HANDLING_FORMS:
        path = f"/meldingen/{world['own']}/{action}"
        fields = _fields(page, path)
        fields["csrf_token"] = token
        response = zorro.post(path, data={**fields, **data})
        assert response.status_code == 400, action
        assert WITHHELD in _page(response), action
        assert _state(app, world["own"]) == before, f"{action} changed the report"
    # The board's own forms too (from a colleague's action page for the card).
    board = _page(cor.get(f"/bord/meldingen/{world['own']}/verplaatsen"))
    version = re.search(r'name="oppakken-version" value="(\d+)"', board).group(1)
    for path, fields in (
        (f"/bord/meldingen/{world['own']}/oppakken", {"oppakken-version": version}),
        (f"/bord/meldingen/{world['own']}/verplaatsen", {"verplaats-version": version, "verplaats-to": "in_progress"}),
    ):
        response = zorro.post(path, data={**fields, "csrf_token": token})
        assert response.status_code == 400 and WITHHELD in _page(response), path
    assert _state(app, world["own"]) == before


def _card(page: str, reference: str) -> str:
    return page.split(f'id="kaart-{reference}"', 1)[1].split("</li>", 1)[0]


def test_the_board_card_offers_the_anonymous_reporter_nothing(app, world):
    zorro, cor = _client(app, ZORRO), _client(app, COR)
    zorro_card = _card(_page(zorro.get("/bord/")), world["own"])
    cor_card = _card(_page(cor.get("/bord/")), world["own"])
    assert 'data-moves="in_progress merged"' in cor_card and "data-take-on" in cor_card
    assert 'data-moves=""' in zorro_card and "data-take-on" not in zorro_card
    # The card looks like every other card (its 'Acties' link included), and nothing on it
    # says why: a colleague looking over the shoulder learns nothing.
    other_card = _card(_page(zorro.get("/bord/")), world["earlier"])
    for card in (zorro_card, other_card):
        assert "data-card-actions" in card and "anoniem" not in card.lower()
    # Only its action page, which only Zorro sees, says why, and offers nothing.
    actions = _page(zorro.get(f"/bord/meldingen/{world['own']}/verplaatsen"))
    assert WITHHELD in actions and "Ik pak hem op" not in actions and 'name="verplaats-to"' not in actions
    theirs = _page(cor.get(f"/bord/meldingen/{world['own']}/verplaatsen"))
    assert WITHHELD not in theirs and "Ik pak hem op" in theirs and 'name="verplaats-to"' in theirs


def test_a_colleague_may_assign_it_to_them_but_they_still_do_nothing_with_it(app, world, smtp):
    """The assignee list is the same for every report (leaving Zorro out of it here only
    would tell who reported it). Assigned anyway, Zorro is told, privately, to hand it on."""
    cor = _client(app, COR)
    page = _page(cor.get(f"/meldingen/{world['own']}"))
    path = f"/meldingen/{world['own']}/toewijzen"
    assert f'<option value="{world["zorro"]}">Zorro Geheim</option>' in page
    response = cor.post(path, data={**_fields(page, path), "toewijzen-assignee_id": str(world["zorro"])})
    assert response.status_code == 303
    zorro = _client(app, ZORRO)
    mine = _page(zorro.get(f"/meldingen/{world['own']}"))
    assert "Deze melding is aan u toegewezen. Vraag een collega-coach" in mine
    assert 'action="/meldingen/{}/besluit"'.format(world["own"]) not in mine
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == int(world["own"][-4:])))
        with pytest.raises(Exception, match="anoniem"):
            workflow.decide_report(report, actor=report.assignee, outcome="explained", explanation="x")
        db.session.rollback()


def test_merging_into_ones_own_anonymous_report_is_left_to_a_colleague(app, world):
    with app.app_context():
        from app.models import User
        from app.services.reports import get_by_reference

        zorro = db.session.get(User, world["zorro"])
        with pytest.raises(Exception, match="laat u dit samenvoegen aan een collega over"):
            workflow.merge_report(
                get_by_reference(world["earlier"]), get_by_reference(world["own"]), actor=zorro, explanation="x"
            )
        db.session.rollback()


def test_the_weekly_session_leaves_the_item_to_a_colleague(app, world):
    from app.services.triage import start_session

    with app.app_context():
        from app.models import User

        session = start_session(db.session.get(User, world["zorro"]))
        db.session.commit()
        session_id = session.id
        item_id = next(i.id for i in session.items if i.report.reference == world["own"])
    zorro, cor = _client(app, ZORRO), _client(app, COR)
    url = f"/weekoverleg/{session_id}?punt={item_id}"
    mine, theirs = _page(zorro.get(url)), _page(cor.get(url))
    assert WITHHELD in mine and WITHHELD not in theirs
    for form in ("take-on-form", "skip-form", "assign-form", "decide-form", "merge-form"):
        assert f'id="{form}"' not in mine and f'id="{form}"' in theirs, form
    before = _state(app, world["own"])
    token = csrf_token(zorro, url)
    for path, data in (
        ("oppakken", {"take_on-version": str(before[1])}),
        ("besluiten", {"decide-version": str(before[1]), "decide-outcome": "explained", "decide-explanation": "x"}),
        ("overslaan", {}),
    ):
        response = zorro.post(f"/weekoverleg/{session_id}/punten/{item_id}/{path}", data={**data, "csrf_token": token})
        assert response.status_code == 400 and WITHHELD in _page(response), path
    assert _state(app, world["own"]) == before
    with app.app_context():
        assert db.session.get(TriageItem, item_id).state == "pending"
    # A colleague decides it; the minutes name the colleague, and nobody beside 'Anoniem'.
    response = cor.post(
        f"/weekoverleg/{session_id}/punten/{item_id}/oppakken",
        data={"take_on-version": str(before[1]), "csrf_token": csrf_token(cor, url)},
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(TriageSession, session_id).items


def test_a_jurist_leaves_the_dossier_of_their_own_anonymous_report_to_a_colleague(app):
    from app.models import Dossier
    from app.services.dossiers import add_dossier_note

    with app.app_context():
        jurist = make_user("Jet Jurist", email="jet@example.test", roles=("employee", "legal"))
        colleague = make_user("Lot Legal", email="lot@example.test", roles=("employee", "legal"))
        coach = make_user("Cor Coach", email=COR, roles=("employee", "coach"))
        report = make_report(jurist, rule="Kostendelersnorm bij tijdelijke opvang", problem="x", anonymous=True)
        workflow.decide_report(
            report,
            actor=coach,
            outcome="escalated",
            explanation="Landelijk.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
        )
        db.session.commit()
        dossier_id = report.dossier_id
        with pytest.raises(Exception, match="anoniem"):
            add_dossier_note(db.session.get(Dossier, dossier_id), actor=jurist, text="Mijn notitie.")
        db.session.rollback()
        add_dossier_note(db.session.get(Dossier, dossier_id), actor=colleague, text="Notitie van een collega.")
        db.session.commit()
    jet, lot = _client(app, "jet@example.test"), _client(app, "lot@example.test")
    path = f"/juridisch/dossiers/{dossier_id}"
    mine, theirs = _page(jet.get(path)), _page(lot.get(path))
    assert "U volgt een melding in dit dossier anoniem" in mine and "in dit dossier anoniem" not in theirs
    for action in ("gegevens", "status", "notitie"):
        assert f'action="{path}/{action}"' not in mine and f'action="{path}/{action}"' in theirs
        fields = _fields(theirs, f"{path}/{action}")
        fields["csrf_token"] = csrf_token(jet, path)
        response = jet.post(f"{path}/{action}", data={**fields, "notitie-text": "x", "status-to_status": "sent"})
        assert response.status_code == 400 and "U volgt een melding in dit dossier anoniem" in _page(response), action


def test_the_minute_of_an_anonymous_report_is_known_only_to_its_reporter(app, world):
    """A beheerder who reads 'Zorro logged in at 10:01' in the Logboek must not read
    'Anoniem reported at 10:02' on the report: to others the moment is only a day."""
    from app.clock import local

    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == int(world["own"][-4:])))
        minute = local(report.created_at).strftime("%H:%M")
        iso_moment = report.created_at.isoformat()[:16]
    for email in (COR, "lot@example.test"):
        page = _page(_client(app, email).get(f"/meldingen/{world['own']}"))
        timeline = page.split("Wat er gebeurde", 1)[1]
        submitted = timeline.split("Melding gedaan", 1)[0].rsplit("<li", 1)[1]
        assert minute not in submitted and iso_moment not in page, email
        listing = _page(_client(app, email).get("/meldingen"))
        row = listing.split(world["own"], 1)[1].split("</tr>", 1)[0]
        assert iso_moment not in row, email
    own = _page(_client(app, ZORRO).get(f"/meldingen/{world['own']}"))
    assert minute in own.split("Wat er gebeurde", 1)[1]

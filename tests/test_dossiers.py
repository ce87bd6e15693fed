"""Juridische Zaken through the test client (CSRF on, real logins): from two escalated
reports to one dossier, sent to a ministry, answered, and every reporter told; the dossier
page keeps anonymous reporters anonymous; bad input and stale forms change nothing."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from app.clock import today as local_today
from app.extensions import db
from app.models import Addressee, Dossier, DossierEvent, OutboxMessage, Report, User
from app.services.dossiers import LegalReference, change_dossier_status, update_dossier
from app.services.workflow import decide_report
from tests.conftest import Auth
from tests.factories import make_report, make_support, make_user, recipient

COACH = "cor.coach@example.test"
LEGAL = "fatima.jurist@example.test"
OTHER_LEGAL = "gijs.jurist@example.test"
ADMIN = "ada.admin@example.test"
EMPLOYEE = "eva@example.test"
VISIBLE = "anna.zichtbaar@example.test"
HIDDEN = "bram.verborgen@example.test"
SUPPORTER = "pim.steun@example.test"
SZW = "Ministerie van Sociale Zaken en Werkgelegenheid"


# --- helpers shared by the test_legal*.py modules ----------------------------------------


def login(app, email: str):
    client = app.test_client()
    response = Auth(client).login(email)
    assert response.status_code == 302, f"could not log in as {email}"
    client.get("/")  # take the welcome flash
    return client


def text_of(response) -> str:
    return response.get_data(as_text=True)


def form_fields(page: str, action_path: str) -> dict[str, str]:
    """The hidden inputs of the form posting to `action_path`, as a browser sends them."""
    for match in re.finditer(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', page, re.S):
        if urlsplit(html_lib.unescape(match.group(1))).path != action_path:
            continue
        fields = {}
        for tag in re.findall(r"<input\b[^>]*>", match.group(2)):
            attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
            if attrs.get("type") == "hidden" and "name" in attrs:
                fields[attrs["name"]] = html_lib.unescape(attrs.get("value", ""))
        return fields
    raise AssertionError(f"no form posting to {action_path}")


def post_on_page(client, page_path: str, action_path: str, data: dict, page: str | None = None):
    """Fill in the form on `page_path` that posts to `action_path` and send it."""
    page = page if page is not None else text_of(client.get(page_path))
    return client.post(action_path, data={**form_fields(page, action_path), **data})


def today(app) -> date:
    """Today in the municipality's time zone, as the overview computes it."""
    with app.app_context():
        return local_today()


def dossier_path(dossier_id: int) -> str:
    return f"/juridisch/dossiers/{dossier_id}"


def overview_rows(page: str) -> list[str]:
    """The dossier references in the overview table, in order."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", page, re.S)
    return re.findall(r'class="utrecht-link rk-reference"[^>]*>(ESC-\d{4})<', body.group(1)) if body else []


def overview_row(page: str, reference: str) -> str:
    for row in re.findall(r"<tr class=\"utrecht-table__row[^\"]*\">.*?</tr>", page, re.S):
        if f">{reference}<" in row:
            return row
    raise AssertionError(f"no row for {reference}")


def dossier_state(app, dossier_id: int) -> dict:
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        return {
            "version": dossier.version,
            "status": dossier.status,
            "law_title": dossier.law_title,
            "bwb_id": dossier.bwb_id,
            "addressee_id": dossier.addressee_id,
            "sent_on": dossier.sent_on,
            "answer_due": dossier.answer_due,
            "owner_id": dossier.owner_id,
            "answer": dossier.answer,
            "events": db.session.scalar(
                db.select(db.func.count(DossierEvent.id)).where(DossierEvent.dossier_id == dossier_id)
            ),
            "outbox": db.session.scalar(db.select(db.func.count(OutboxMessage.id))),
        }


def addressee_id(app, name: str = SZW) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Addressee.id).where(Addressee.name == name))


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def make_people():
    """The cast: a coach, two lawyers, a beheerder, a medewerker, two reporters (one of
    whom reports anonymously) and a supporter."""
    people = {
        "coach": make_user("Cor Coach", email=COACH, roles=("employee", "coach")),
        "legal": make_user("Fatima Jurist", email=LEGAL, roles=("employee", "legal")),
        "other_legal": make_user("Gijs Jurist", email=OTHER_LEGAL, roles=("employee", "legal")),
        "admin": make_user("Ada Admin", email=ADMIN, roles=("employee", "admin")),
        "employee": make_user("Eva Medewerker", email=EMPLOYEE),
        "visible": make_user("Anna Zichtbaar", email=VISIBLE),
        "hidden": make_user("Bram Verborgen", email=HIDDEN),
        "supporter": make_user("Pim Steun", email=SUPPORTER),
    }
    return people


def escalate(report, coach, law="Participatiewet", bwb="BWBR0015703", article="art. 22a"):
    decide_report(
        report,
        actor=coach,
        outcome="escalated",
        explanation="Dit komt uit een landelijke wet.",
        legal=LegalReference(law, bwb, article),
    )
    return report.dossier


@pytest.fixture
def world(app):
    return build_world(app)


def build_world(app):
    """Two reports about the same article (one anonymous, with a supporter) in one dossier."""
    with app.app_context():
        people = make_people()
        first = make_report(
            people["visible"],
            rule="Kostendelersnorm bij tijdelijke opvang",
            problem="Een inwoner die tijdelijk iemand opvangt, verliest bijstand.",
        )
        second = make_report(
            people["hidden"], rule="Kostendelersnorm voor jongeren", problem="Jongeren thuis.", anonymous=True
        )
        make_support(people["supporter"], second)
        dossier = escalate(first, people["coach"])
        escalate(second, people["coach"], article="Artikel 22a")
        db.session.commit()
        return {
            "dossier": dossier.id,
            "reference": dossier.reference,
            "first": first.reference,
            "second": second.reference,
        }


# --- the whole story -------------------------------------------------------------------


def _escalate_on_report_page(client, reference: str, article: str):
    page = text_of(client.get(f"/meldingen/{reference}"))
    path = f"/meldingen/{reference}/besluit"
    response = post_on_page(
        client,
        f"/meldingen/{reference}",
        path,
        {
            "besluit-outcome": "escalated",
            "besluit-explanation": "De regel staat in de Participatiewet; die kunnen wij niet aanpassen.",
            "besluit-law_title": "Participatiewet",
            "besluit-article": article,
            "besluit-bwb_id": "BWBR0015703",
        },
        page=page,
    )
    assert response.status_code in (302, 303), text_of(response)


def test_from_two_escalations_to_an_answer_every_reporter_hears(app):
    with app.app_context():
        people = make_people()
        first = make_report(
            people["visible"], rule="Kostendelersnorm bij tijdelijke opvang", problem="Bijstand omlaag."
        )
        second = make_report(
            people["hidden"], rule="Kostendelersnorm jongeren", problem="Thuiswonende jongeren.", anonymous=True
        )
        make_support(people["supporter"], second)
        db.session.commit()
        references = (first.reference, second.reference)
        reporters = {people["visible"].id, people["hidden"].id, people["supporter"].id}
        legal_id = people["legal"].id

    coach = login(app, COACH)
    _escalate_on_report_page(coach, references[0], "art. 22a")
    _escalate_on_report_page(coach, references[1], "Artikel 22a")

    legal = login(app, LEGAL)
    page = text_of(legal.get("/juridisch/"))
    rows = overview_rows(page)
    assert len(rows) == 1, "two reports about the same article share one dossier"
    row = overview_row(page, rows[0])
    assert "Participatiewet, art. 22a" in row
    assert 'href="https://wetten.overheid.nl/BWBR0015703/" rel="noopener"' in row
    assert re.search(r'rk-legal-table__count">\s*2\s*<', row)
    with app.app_context():
        dossier_id = db.session.scalar(db.select(Dossier.id))
        db.session.execute(db.delete(OutboxMessage))
        db.session.commit()
    path = dossier_path(dossier_id)

    # Sent to the ministry: first the facts, then the step.
    sent_on, answer_due = today(app) - timedelta(days=2), today(app) + timedelta(days=42)
    response = post_on_page(
        legal,
        path,
        f"{path}/gegevens",
        {
            "gegevens-law_title": "Participatiewet",
            "gegevens-article": "art. 22a",
            "gegevens-bwb_id": "BWBR0015703",
            "gegevens-addressee_id": str(addressee_id(app)),
            "gegevens-channel": "Brief aan de minister",
            "gegevens-sent_on": sent_on.isoformat(),
            "gegevens-answer_due": answer_due.isoformat(),
            "gegevens-follow_up_on": (today(app) + timedelta(days=30)).isoformat(),
            "gegevens-owner_id": str(legal_id),
        },
    )
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == path
    response = post_on_page(
        legal, path, f"{path}/status", {"status-to_status": "sent", "status-text": "De brief is verstuurd."}
    )
    assert response.status_code == 303
    page = text_of(legal.get(path))
    assert "staat nu op Verstuurd" in page
    assert SZW in page and "Brief aan de minister" in page

    # The answer arrives.
    response = post_on_page(
        legal,
        path,
        f"{path}/status",
        {
            "status-to_status": "answered",
            "status-answer": "Brief van de minister, kenmerk 2026-0001: de norm wordt herzien.",
            "status-answer_summary": "De minister past de kostendelersnorm aan voor tijdelijke opvang.",
        },
    )
    assert response.status_code == 303

    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert (dossier.status, dossier.addressee.name, dossier.sent_on, dossier.answer_due) == (
            "answered",
            SZW,
            sent_on,
            answer_due,
        )
        assert dossier.owner_id == legal_id
        messages = db.session.scalars(db.select(OutboxMessage)).all()
        answered = [m for m in messages if "antwoord" in m.subject]
        assert {recipient(m).id for m in answered} == reporters
        assert all("De minister past de kostendelersnorm aan" in m.body_text for m in answered)
        assert all("kenmerk 2026-0001" not in m.body_text for m in answered), "the full answer stays with legal"
        assert {recipient(m).id for m in messages if "verstuurd" in m.subject} == reporters
        # Each reporter reads it in their report's timeline too.
        report = db.session.scalar(db.select(Report).where(Report.dossier_id == dossier_id).order_by(Report.id))
        assert any("De minister past de kostendelersnorm aan" in (e.text or "") for e in report.events)

    page = text_of(legal.get(path))
    assert "Status: Antwoord ontvangen" in page
    assert "De minister past de kostendelersnorm aan voor tijdelijke opvang." in page


def test_a_note_lands_in_the_dossier_timeline_and_reaches_no_reporter(app, world):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    before = dossier_state(app, world["dossier"])
    response = post_on_page(client, path, f"{path}/notitie", {"notitie-text": "Gebeld met SZW: <b>antwoord</b> volgt."})
    assert response.status_code == 303
    page = text_of(client.get(path))
    assert "Gebeld met SZW: &lt;b&gt;antwoord&lt;/b&gt; volgt." in page
    after = dossier_state(app, world["dossier"])
    assert after["events"] == before["events"] + 1
    assert after["outbox"] == before["outbox"]


# --- the dossier page -----------------------------------------------------------------------


@pytest.mark.parametrize("email", [LEGAL, ADMIN])
def test_the_dossier_page_keeps_anonymous_reporters_anonymous(app, world, email):
    page = text_of(login(app, email).get(dossier_path(world["dossier"])))
    assert world["first"] in page and world["second"] in page
    assert "Anna Zichtbaar" in page
    assert "Anoniem" in page
    assert "Bram Verborgen" not in page and HIDDEN not in page
    assert "Pim Steun" not in page and SUPPORTER not in page
    assert 'href="https://wetten.overheid.nl/BWBR0015703/" rel="noopener"' in page
    assert "Dossier aangemaakt" in page and "Melding toegevoegd" in page


def test_the_beheerder_may_look_but_gets_no_forms(app, world):
    client = login(app, ADMIN)
    path = dossier_path(world["dossier"])
    page = text_of(client.get(path))
    assert "U bekijkt dit dossier alleen" in page
    assert 'method="post" action="/juridisch' not in page
    before = dossier_state(app, world["dossier"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for action in ("gegevens", "status", "notitie"):
        response = client.post(
            f"{path}/{action}", data={"csrf_token": token, "notitie-text": "x", "status-to_status": "closed"}
        )
        assert response.status_code == 403
    assert dossier_state(app, world["dossier"]) == before


def test_the_status_form_offers_only_the_allowed_next_steps(app, world):
    client = login(app, LEGAL)
    page = text_of(client.get(dossier_path(world["dossier"])))
    options = re.findall(
        r'<option value="([a-z_]*)"', re.search(r'<select[^>]*id="status-to_status".*?</select>', page, re.S).group(0)
    )
    assert options == ["", "sent", "closed"]
    # The answer can only be recorded once the letter was sent.
    assert 'id="status-answer"' not in page


def test_sending_needs_an_addressee_and_a_date_first(app, world):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    before = dossier_state(app, world["dossier"])
    response = post_on_page(
        client, path, f"{path}/status", {"status-to_status": "sent", "status-text": "Verstuurd vandaag"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Vul eerst de geadresseerde en de verzenddatum in." in page
    assert "Verstuurd vandaag" in page, "the typed text is kept"
    assert dossier_state(app, world["dossier"]) == before


def test_recording_the_answer_needs_the_answer_and_a_summary(app, world):
    with app.app_context():
        dossier = db.session.get(Dossier, world["dossier"])
        legal = db.session.scalar(db.select(User).where(User.email == LEGAL))
        szw_id = db.session.scalar(db.select(Addressee.id).where(Addressee.name == SZW))
        update_dossier(
            dossier,
            actor=legal,
            reference=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
            addressee_id=szw_id,
            channel="Brief",
            sent_on=local_today(),
            answer_due=None,
            follow_up_on=None,
            owner_id=None,
        )
        change_dossier_status(dossier, "sent", actor=legal)
        db.session.commit()
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    page = text_of(client.get(path))
    assert 'id="status-answer"' in page and 'id="status-answer_summary"' in page
    before = dossier_state(app, world["dossier"])
    response = post_on_page(
        client,
        path,
        f"{path}/status",
        {
            "status-to_status": "answered",
            "status-answer": "Het lange antwoord van de minister.",
            "status-answer_summary": "  ",
        },
        page=page,
    )
    assert response.status_code == 400
    body = text_of(response)
    assert "Vat het antwoord samen voor de melders." in body
    assert "Het lange antwoord van de minister." in body
    assert 'aria-invalid="true"' in body and 'href="#status-answer_summary"' in body
    assert dossier_state(app, world["dossier"]) == before


# --- bad input ------------------------------------------------------------------------------


def _facts(app, **changes) -> dict:
    data = {
        "gegevens-law_title": "Participatiewet",
        "gegevens-article": "art. 22a",
        "gegevens-bwb_id": "BWBR0015703",
        "gegevens-addressee_id": str(addressee_id(app)),
        "gegevens-channel": "Brief",
        "gegevens-sent_on": "2026-03-02",
        "gegevens-answer_due": "2026-04-13",
        "gegevens-follow_up_on": "2026-04-01",
        "gegevens-owner_id": "",
    }
    data.update({f"gegevens-{name}": value for name, value in changes.items()})
    return data


@pytest.mark.parametrize(
    ("changes", "message", "kept"),
    [
        ({"law_title": "   "}, "Vul in om welke wet of regeling het gaat", "Brief"),
        ({"bwb_id": "12345"}, "Een BWB-id ziet eruit als BWBR0015703", 'value="12345"'),
        ({"answer_due": "2026-02-27"}, "De antwoorddatum ligt voor de verzenddatum.", 'value="2026-02-27"'),
        ({"addressee_id": "999999"}, "Kies een van de mogelijkheden in de lijst.", "Brief"),
        ({"owner_id": "999999"}, "Kies een van de mogelijkheden in de lijst.", "Brief"),
        ({"sent_on": "31-02-2026"}, "Vul een geldige datum in", 'value="31-02-2026"'),
        ({"follow_up_on": "0202-04-01"}, "Vul een datum in tussen 1990 en 2100.", 'value="0202-04-01"'),
        ({"channel": "x" * 201}, "Gebruik maximaal 200 tekens.", "x" * 201),
    ],
)
def test_bad_facts_get_a_dutch_message_and_change_nothing(app, world, changes, message, kept):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    before = dossier_state(app, world["dossier"])
    response = post_on_page(client, path, f"{path}/gegevens", _facts(app, **changes))
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert kept in page, "what the user typed stays in the form"
    assert "data-error-summary" in page and "<title>Fout: " in page
    assert dossier_state(app, world["dossier"]) == before


def test_an_inactive_addressee_cannot_be_chosen_but_stays_on_its_dossier(app, world):
    with app.app_context():
        uwv = db.session.scalar(db.select(Addressee).where(Addressee.name == "UWV"))
        dossier = db.session.get(Dossier, world["dossier"])
        dossier.addressee_id = uwv.id  # as if chosen before the beheerder deactivated it
        uwv.active = False
        vng = db.session.scalar(db.select(Addressee).where(Addressee.kind == "vng"))
        db.session.commit()
        uwv_id, other_id = uwv.id, vng.id if vng else None
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    page = text_of(client.get(path))
    assert f'<option selected value="{uwv_id}">UWV (niet actief)</option>' in page
    # Saving other facts keeps it.
    response = post_on_page(
        client, path, f"{path}/gegevens", _facts(app, addressee_id=str(uwv_id), channel="Via de VNG"), page=page
    )
    assert response.status_code == 303
    assert dossier_state(app, world["dossier"])["addressee_id"] == uwv_id
    # Another dossier cannot pick it.
    with app.app_context():
        coach = db.session.scalar(db.select(User).where(User.email == COACH))
        other = escalate(make_report(make_user(), rule="Iets anders"), coach, article="art. 31")
        db.session.commit()
        other_dossier = other.id
    other_path = dossier_path(other_dossier)
    assert f'value="{uwv_id}"' not in text_of(client.get(other_path))
    response = post_on_page(client, other_path, f"{other_path}/gegevens", _facts(app, addressee_id=str(uwv_id)))
    assert response.status_code == 400
    assert dossier_state(app, other_dossier)["addressee_id"] is None
    assert other_id is None or other_id != uwv_id


# --- no silent overwrite ------------------------------------------------------------------


def test_a_stale_facts_form_is_refused_with_what_changed(app, world):
    fatima, gijs = login(app, LEGAL), login(app, OTHER_LEGAL)
    path = dossier_path(world["dossier"])
    fatima_page = text_of(fatima.get(path))
    gijs_page = text_of(gijs.get(path))
    response = post_on_page(gijs, path, f"{path}/gegevens", _facts(app, channel="E-mail van Gijs"), page=gijs_page)
    assert response.status_code == 303
    before = dossier_state(app, world["dossier"])

    response = post_on_page(fatima, path, f"{path}/gegevens", _facts(app, channel="Brief van Fatima"), page=fatima_page)
    assert response.status_code == 409
    page = text_of(response)
    assert "Iemand anders was u voor" in page
    assert "Dit dossier is intussen gewijzigd door Gijs Jurist." in page
    assert 'value="Brief van Fatima"' in page, "her text is still in the form"
    assert dossier_state(app, world["dossier"]) == before
    with app.app_context():
        assert db.session.get(Dossier, world["dossier"]).channel == "E-mail van Gijs"

    # The page she got back carries the current version: sending again is deliberate, and works.
    response = post_on_page(fatima, path, f"{path}/gegevens", _facts(app, channel="Brief van Fatima"), page=page)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Dossier, world["dossier"]).channel == "Brief van Fatima"


def test_a_stale_status_form_sends_no_mail(app, world):
    with app.app_context():
        dossier = db.session.get(Dossier, world["dossier"])
        legal = db.session.scalar(db.select(User).where(User.email == LEGAL))
        szw_id = db.session.scalar(db.select(Addressee.id).where(Addressee.name == SZW))
        update_dossier(
            dossier,
            actor=legal,
            reference=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
            addressee_id=szw_id,
            channel="Brief",
            sent_on=local_today(),
            answer_due=None,
            follow_up_on=None,
            owner_id=None,
        )
        db.session.commit()
    fatima, gijs = login(app, LEGAL), login(app, OTHER_LEGAL)
    path = dossier_path(world["dossier"])
    fatima_page = text_of(fatima.get(path))
    assert post_on_page(gijs, path, f"{path}/status", {"status-to_status": "sent"}).status_code == 303
    before = dossier_state(app, world["dossier"])
    response = post_on_page(
        fatima, path, f"{path}/status", {"status-to_status": "closed", "status-text": "Ingetrokken"}, page=fatima_page
    )
    assert response.status_code == 409
    assert "De status is nu: Verstuurd" in text_of(response)
    assert "Ingetrokken" in text_of(response)
    assert dossier_state(app, world["dossier"]) == before


def test_a_form_without_its_version_changes_nothing(app, world):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    before = dossier_state(app, world["dossier"])
    data = dict(_facts(app).items())
    fields = form_fields(text_of(client.get(path)), f"{path}/gegevens")
    response = client.post(f"{path}/gegevens", data={"csrf_token": fields["csrf_token"], **data})
    assert response.status_code == 400
    assert "niet compleet of verouderd" in text_of(response)
    assert dossier_state(app, world["dossier"]) == before


def test_an_expired_form_comes_back_with_the_text_and_changes_nothing(app, world):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    fields = form_fields(text_of(client.get(path)), f"{path}/notitie")
    before = dossier_state(app, world["dossier"])
    response = client.post(
        f"{path}/notitie", data={**fields, "csrf_token": "verlopen", "notitie-text": "Mijn notitie over SZW"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Het formulier was verlopen" in page and "Mijn notitie over SZW" in page
    assert dossier_state(app, world["dossier"]) == before


# --- the overview ------------------------------------------------------------------------------


@pytest.fixture
def dossiers(app):
    """Four dossiers: one with a late answer, one to follow up, one closed, one fresh."""
    day = today(app)
    with app.app_context():
        people = make_people()
        coach, legal, other_legal = people["coach"], people["legal"], people["other_legal"]
        uwv = db.session.scalar(db.select(Addressee).where(Addressee.name == "UWV"))
        szw = db.session.scalar(db.select(Addressee).where(Addressee.name == SZW))

        def dossier(law, article, reports=1):
            first = None
            for n in range(reports):
                report = make_report(make_user(), rule=f"{law} {article} {n}")
                linked = escalate(report, coach, law=law, bwb=None, article=article)
                first = first or linked
            assert len(first.reports) == reports
            return first

        def facts(d, addressee, sent_on, answer_due, follow_up_on, owner):
            update_dossier(
                d,
                actor=legal,
                reference=LegalReference(d.law_title, d.bwb_id, d.article),
                addressee_id=addressee.id if addressee else None,
                channel="Brief",
                sent_on=sent_on,
                answer_due=answer_due,
                follow_up_on=follow_up_on,
                owner_id=owner.id if owner else None,
            )

        late = dossier("Wet maatschappelijke ondersteuning 2015", "art. 2.3.5", reports=3)
        facts(late, szw, day - timedelta(days=60), day - timedelta(days=5), day + timedelta(days=10), legal)
        change_dossier_status(late, "sent", actor=legal)
        follow_up = dossier("Jeugdwet", "art. 2.6")
        facts(follow_up, uwv, None, None, day, other_legal)
        closed = dossier("Algemene wet bestuursrecht", "art. 4:5")
        facts(closed, uwv, None, None, day - timedelta(days=3), legal)
        change_dossier_status(closed, "closed", actor=legal, text="Niet verder vervolgd.")
        fresh = dossier("Participatiewet", "art. 31", reports=2)
        db.session.commit()
        return {
            "late": late.reference,
            "follow_up": follow_up.reference,
            "closed": closed.reference,
            "fresh": fresh.reference,
            "uwv": uwv.id,
            "szw": szw.id,
            "legal": legal.id,
            "other_legal": other_legal.id,
        }


def test_late_answers_and_due_follow_ups_stand_out_in_words(app, dossiers):
    page = text_of(login(app, LEGAL).get("/juridisch/"))
    late, follow_up = overview_row(page, dossiers["late"]), overview_row(page, dossiers["follow_up"])
    assert "Antwoord te laat" in late and "rk-legal-row--attention" in late
    assert "Opvolgen" in follow_up and "rk-legal-row--attention" in follow_up
    for quiet in ("closed", "fresh"):
        row = overview_row(page, dossiers[quiet])
        assert "Antwoord te laat" not in row and "Opvolgen" not in row and "rk-legal-row--attention" not in row
    # What needs attention comes first, closed dossiers last.
    assert overview_rows(page) == [dossiers["follow_up"], dossiers["late"], dossiers["fresh"], dossiers["closed"]]
    assert "1 met een antwoord dat te laat is." in page and "1 om op te volgen." in page


def test_the_dossier_page_flags_a_late_answer_too(app, dossiers):
    client = login(app, LEGAL)
    overview = text_of(client.get("/juridisch/"))
    link = re.search(rf'href="(/juridisch/dossiers/\d+)">{dossiers["late"]}<', overview).group(1)
    page = text_of(client.get(link))
    assert 'rk-legal-flag--late">Antwoord te laat<' in page and "rk-legal-flag--follow-up" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=sent", ["late"]),
        ("status=closed", ["closed"]),
        ("status=open", ["follow_up", "late", "fresh"]),
        ("aandacht=te-laat", ["late"]),
        ("aandacht=opvolgen", ["follow_up"]),
        ("aandacht=een-van-beide", ["follow_up", "late"]),
        ("geadresseerde=geen", ["fresh"]),
        ("eigenaar=geen", ["fresh"]),
        ("status=open&aandacht=opvolgen&geadresseerde={uwv}&eigenaar={other_legal}", ["follow_up"]),
        ("geadresseerde={uwv}&sorteer=wet", ["closed", "follow_up"]),
        ("eigenaar={legal}&sorteer=nummer&richting=af", ["closed", "late"]),
    ],
)
def test_overview_filters(app, dossiers, query, expected):
    page = text_of(login(app, LEGAL).get("/juridisch/?" + query.format(**dossiers)))
    assert overview_rows(page) == [dossiers[name] for name in expected]


def test_overview_sorting_keeps_empty_values_last(app, dossiers):
    client = login(app, LEGAL)
    by_law = overview_rows(text_of(client.get("/juridisch/?sorteer=wet")))
    assert by_law == [dossiers[n] for n in ("closed", "follow_up", "fresh", "late")]
    assert overview_rows(text_of(client.get("/juridisch/?sorteer=wet&richting=af"))) == by_law[::-1]
    # Only one dossier was sent; the others have no date and come last either way.
    assert overview_rows(text_of(client.get("/juridisch/?sorteer=verzonden&richting=af")))[0] == dossiers["late"]
    assert overview_rows(text_of(client.get("/juridisch/?sorteer=meldingen&richting=af")))[:2] == [
        dossiers["late"],
        dossiers["fresh"],
    ]
    page = text_of(client.get("/juridisch/?sorteer=opvolgen"))
    assert overview_rows(page)[-1] == dossiers["fresh"]
    assert 'aria-sort="ascending"' in page
    # The sorted column's link turns the direction around and keeps the filters.
    page = text_of(client.get("/juridisch/?sorteer=opvolgen&status=open"))
    assert "/juridisch/?status=open&amp;sorteer=opvolgen&amp;richting=af" in page


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "status=",
        "geadresseerde=abc",
        "geadresseerde=999999",
        "geadresseerde=-1",
        "eigenaar=99999999999999999999",
        "aandacht=ja",
        "sorteer=id;DROP TABLE dossier",
        "sorteer=__class__",
        "richting=sideways",
        "status=sent%00",
        "geadresseerde=%F0%9F%98%80",
        "sorteer=wet&sorteer=status",
    ],
)
def test_unknown_filter_and_sort_values_are_ignored(app, dossiers, query):
    response = login(app, LEGAL).get("/juridisch/?" + query)
    assert response.status_code == 200
    rows = overview_rows(text_of(response))
    assert sorted(rows) == sorted(dossiers[n] for n in ("late", "follow_up", "closed", "fresh"))


def test_the_overview_has_an_empty_state(app):
    with app.app_context():
        make_user("Fatima Jurist", email=LEGAL, roles=("employee", "legal"))
        db.session.commit()
    client = login(app, LEGAL)
    page = text_of(client.get("/juridisch/"))
    assert "Er zijn nog geen escalatiedossiers." in page and "<table" not in page
    page = text_of(client.get("/juridisch/?status=sent"))
    assert "Er zijn geen dossiers met deze filters." in page


def test_the_menu_shows_juridische_zaken_to_legal_and_beheerder_only(app, world):
    link = 'href="/juridisch/"'
    assert link in text_of(login(app, LEGAL).get("/"))
    assert link in text_of(login(app, ADMIN).get("/"))
    assert link not in text_of(login(app, COACH).get("/"))
    assert link not in text_of(login(app, EMPLOYEE).get("/"))
    assert 'aria-current="page">Juridische Zaken' in text_of(login(app, LEGAL).get("/juridisch/"))


# --- who may do what ---------------------------------------------------------------------------


def test_roles(app, world):
    path = dossier_path(world["dossier"])
    gets = ["/juridisch/", path, "/juridisch/export.csv", "/juridisch/export.xlsx"]
    anonymous = app.test_client()
    for url in gets:
        response = anonymous.get(url)
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/inloggen", url
    for email in (COACH, EMPLOYEE):
        client = login(app, email)
        for url in gets:
            response = client.get(url)
            assert response.status_code == 403 and "Geen toegang" in text_of(response), (email, url)
        token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(client.get("/"))).group(1)
        for action in ("gegevens", "status", "notitie"):
            assert client.post(f"{path}/{action}", data={"csrf_token": token, "notitie-text": "x"}).status_code == 403
    for email in (LEGAL, ADMIN):
        client = login(app, email)
        for url in gets:
            assert client.get(url).status_code == 200, (email, url)
    assert login(app, LEGAL).get("/juridisch/dossiers/999999").status_code == 404


def test_with_an_answer_the_summary_is_the_message(app, world):
    with app.app_context():
        dossier = db.session.get(Dossier, world["dossier"])
        legal = db.session.scalar(db.select(User).where(User.email == LEGAL))
        szw_id = db.session.scalar(db.select(Addressee.id).where(Addressee.name == SZW))
        update_dossier(
            dossier,
            actor=legal,
            reference=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
            addressee_id=szw_id,
            channel="Brief",
            sent_on=local_today(),
            answer_due=None,
            follow_up_on=None,
            owner_id=None,
        )
        change_dossier_status(dossier, "sent", actor=legal)
        db.session.commit()
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    before = dossier_state(app, world["dossier"])
    response = post_on_page(
        client,
        path,
        f"{path}/status",
        {
            "status-to_status": "answered",
            "status-text": "Een toelichting die nergens heen zou gaan",
            "status-answer": "Antwoord",
            "status-answer_summary": "Samenvatting",
        },
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Zet uw toelichting in de samenvatting" in page and "Een toelichting die nergens heen zou gaan" in page
    assert dossier_state(app, world["dossier"]) == before


def test_saving_unchanged_facts_says_so_and_records_nothing(app, world):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    page = text_of(client.get(path))
    before = dossier_state(app, world["dossier"])
    values = {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input[^>]*?id="(gegevens-[a-z_]+)"[^>]*?value="([^"]*)"', page)
        if not name.endswith("version")
    }
    response = post_on_page(
        client, path, f"{path}/gegevens", {**values, "gegevens-addressee_id": "", "gegevens-owner_id": ""}, page=page
    )
    assert response.status_code == 303
    assert "Er was niets gewijzigd" in text_of(client.get(path))
    assert dossier_state(app, world["dossier"]) == before


def test_texts_are_escaped_on_every_legal_page(app, world):
    client = login(app, LEGAL)
    path = dossier_path(world["dossier"])
    response = post_on_page(
        client,
        path,
        f"{path}/gegevens",
        _facts(app, law_title="<script>alert(1)</script>Wet", channel='"><img src=x onerror=alert(2)>'),
    )
    assert response.status_code == 303
    for url in ("/juridisch/", path):
        page = text_of(client.get(url))
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;Wet" in page


def test_a_coach_who_reported_anonymously_leaves_the_escalation_to_a_colleague(app):
    """Escalating one's own anonymous report would put one's name beside 'Anoniem' in the
    dossier's timeline: the service refuses it, a colleague escalates."""
    from app.services import DomainError

    with app.app_context():
        people = make_people()
        coach = people["coach"]
        own = make_report(coach, rule="Een regel die de coach zelf tegenkwam", problem="x", anonymous=True)
        db.session.commit()
        with pytest.raises(DomainError, match="anoniem"):
            escalate(own, coach, article="art. 9")
        db.session.rollback()
        colleague = make_user("Dirk Tweede Coach", email="dirk@example.test", roles=("employee", "coach"))
        dossier = escalate(own, colleague, article="art. 9")
        db.session.commit()
        dossier_id = dossier.id
    page = text_of(login(app, LEGAL).get(dossier_path(dossier_id)))
    assert "Cor Coach" not in page and COACH not in page
    assert "Dirk Tweede Coach" in page

"""The weekly session through the test client, CSRF on, logged in through the real form:
start with the automatic agenda, handle items one at a time, end it, read the minutes."""

from __future__ import annotations

import html
import re

import pytest

from app.extensions import db
from app.models import OutboxMessage, Report, TriageItem, TriageSession, User
from app.services.workflow import assign_report
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_report
from tests.test_triage import build_world


def _login(client, email: str) -> None:
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"could not log in as {email}"


def _page(response) -> str:
    return response.get_data(as_text=True)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert match, f"no field {name} on the page"
    return match.group(1)


def _token(page: str) -> str:
    match = re.search(r'name="(?:[a-z_]+-)?csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Coach:
    """One coach in a browser: loads pages and sends the forms on them."""

    def __init__(self, app, email: str):
        self.client = app.test_client()
        _login(self.client, email)

    def start(self, attendee_ids=()):
        page = _page(self.client.get("/weekoverleg/"))
        return self.client.post(
            "/weekoverleg/",
            data={"start-attendees": [str(i) for i in attendee_ids], "csrf_token": _token(page)},
        )

    def open(self, session_id: int, item_id: int | None = None) -> str:
        response = self.client.get(f"/weekoverleg/{session_id}" + (f"?punt={item_id}" if item_id else ""))
        assert response.status_code == 200
        self.page = _page(response)
        return self.page

    def act(
        self, session_id: int, item_id: int, path: str, action: str, data: dict | None = None, page: str | None = None
    ):
        """Send an action form from the page loaded last (its version and token)."""
        page = page or self.page
        payload = {f"{action}-{name}": value for name, value in (data or {}).items()}
        if action != "skip":  # skipping changes nothing about the report: no version
            payload[f"{action}-version"] = _hidden(page, f"{action}-version")
        payload["csrf_token"] = _token(page)
        return self.client.post(f"/weekoverleg/{session_id}/punten/{item_id}/{path}", data=payload)

    def end(self, session_id: int):
        page = _page(self.client.get(f"/weekoverleg/{session_id}"))
        return self.client.post(f"/weekoverleg/{session_id}/afsluiten", data={"csrf_token": _token(page)})


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def _session_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(TriageSession.id))


def _items(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(TriageItem.id).order_by(TriageItem.position)))


def _item(app, item_id: int) -> TriageItem:
    with app.app_context():
        item = db.session.get(TriageItem, item_id)
        _ = (item.report.status, item.report.assignee, item.follow_up, item.handled_by)
        db.session.expunge_all()
        return item


def _report(app, report_id: int) -> Report:
    with app.app_context():
        report = db.session.get(Report, report_id)
        _ = (report.assignee, report.duplicate_of_id)
        db.session.expunge_all()
        return report


def _started(app, world, email="eva@example.test") -> tuple[Coach, int, list[int]]:
    coach = Coach(app, email)
    response = coach.start([world["eva"], world["daan"]])
    assert response.status_code == 303
    session_id = _session_id(app)
    assert response.headers["Location"] == f"/weekoverleg/{session_id}"
    return coach, session_id, _items(app)


# --- starting, agenda, attendees -------------------------------------------------------


def test_start_page_offers_the_agenda_and_checks_the_current_coach(app, world):
    coach = Coach(app, "eva@example.test")
    page = _page(coach.client.get("/weekoverleg/"))
    assert "Weekoverleg starten" in page
    assert (
        "Op de agenda komen nu 4 meldingen: 3 nieuw sinds het vorige weekoverleg en 1 die te lang blijft liggen."
        in page
    )
    own = re.search(rf'<input[^>]*value="{world["eva"]}"[^>]*>', page).group(0)
    other = re.search(rf'<input[^>]*value="{world["daan"]}"[^>]*>', page).group(0)
    assert "checked" in own and "checked" not in other
    assert "Oud Coach" not in page, "an inactive coach is offered as attendee"
    assert "Er is nog geen weekoverleg afgesloten." in page


def test_starting_builds_the_agenda_records_attendees_and_shows_the_first_item(app, world):
    coach, session_id, items = _started(app, world)
    with app.app_context():
        session = db.session.get(TriageSession, session_id)
        assert {a.user_id for a in session.attendees} == {world["eva"], world["daan"]}
        assert [(i.report_id, i.reason) for i in session.items] == [
            (world["old_new"], "new"),
            (world["new1"], "new"),
            (world["new2"], "new"),
            (world["overdue"], "overdue"),
        ]
    page = coach.open(session_id)
    assert "Punt 1 van 4" in page
    assert "Bewijsstukken opnieuw opvragen" in page
    assert "Nieuw sinds het vorige weekoverleg" in page
    assert "30 dagen geleden gemeld" in page
    assert 'id="punt-titel" tabindex="-1"' in page
    # The timer: start time for the script, remaining minutes as text without it.
    assert re.search(r'data-started-at="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', page)
    assert 'data-minutes="30"' in page
    assert re.search(r'role="timer"[^>]*>nog (30|29) min<', page)
    assert 'id="triage-timer-alert" aria-live="polite"' in page
    assert "Sneltoetsen" in page and 'data-triage-key="o"' in page and 'data-triage-key="x"' in page
    assert "triage.js" in page
    # The overdue item says why it is there; the agenda lists every item.
    overdue = coach.open(session_id, items[3])
    assert "Punt 4 van 4" in overdue and "Blijft liggen: 14 dagen of langer niets gebeurd" in overdue
    for rule in ("Uittreksel alleen op papier", "Kopie kentekenbewijs", "Kwijtschelding elk jaar opnieuw"):
        assert rule in overdue
    assert "Paspoortafspraak alleen online" not in overdue and "Dakkapel volledige procedure" not in overdue


def test_a_second_coach_starting_joins_the_open_session(app, world):
    _, session_id, _ = _started(app, world)
    daan = Coach(app, "daan@example.test")
    index = _page(daan.client.get("/weekoverleg/"))
    assert "Er loopt een weekoverleg" in index and f'href="/weekoverleg/{session_id}"' in index
    response = daan.client.post("/weekoverleg/", data={"csrf_token": _token(index)})
    assert response.headers["Location"] == f"/weekoverleg/{session_id}"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TriageSession.id))) == 1


def test_attendees_can_be_corrected(app, world):
    coach, session_id, _ = _started(app, world)
    page = coach.open(session_id)
    response = coach.client.post(f"/weekoverleg/{session_id}/aanwezigen", data={"csrf_token": _token(page)})
    assert response.status_code == 303
    with app.app_context():
        session = db.session.get(TriageSession, session_id)
        assert [a.user_id for a in session.attendees] == [world["eva"]]
    bad = coach.client.post(
        f"/weekoverleg/{session_id}/aanwezigen", data={"attendees-attendees": "999999", "csrf_token": _token(page)}
    )
    assert bad.status_code == 400 and 'aria-invalid="true"' in _page(bad)
    with app.app_context():
        assert [a.user_id for a in db.session.get(TriageSession, session_id).attendees] == [world["eva"]]


def test_anonymous_reporter_stays_hidden_in_the_session(app, world):
    coach, session_id, items = _started(app, world)
    page = coach.open(session_id, items[2])
    assert "Kopie kentekenbewijs" in page
    assert "Anoniem" in page and "Sanne de Vries" not in page


# --- the actions, through the session page ---------------------------------------------


def test_take_on_assigns_the_coach_and_records_the_decision(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id)
    response = coach.act(session_id, items[0], "oppakken", "take_on")
    assert response.status_code == 303 and response.headers["Location"] == f"/weekoverleg/{session_id}?punt={items[1]}"
    report = _report(app, world["old_new"])
    assert report.status == "in_progress" and report.assignee_id == world["eva"]
    item = _item(app, items[0])
    assert item.state == "handled" and item.decision == "Eva Jansen gaat erachteraan"
    assert item.follow_up_id == world["eva"] and item.handled_by_id == world["eva"] and item.handled_at is not None
    after = _page(coach.client.get(response.headers["Location"]))
    assert "Punt 2 van 4" in after and "Eva Jansen gaat erachteraan" in after
    assert "1 behandeld" in after


def test_assign_gives_the_report_to_the_chosen_coach(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[1])
    response = coach.act(session_id, items[1], "toewijzen", "assign", {"assignee_id": str(world["daan"])})
    assert response.status_code == 303
    report = _report(app, world["new1"])
    assert report.status == "in_progress" and report.assignee_id == world["daan"]
    item = _item(app, items[1])
    assert item.decision == "Daan Bakker gaat erachteraan" and item.follow_up_id == world["daan"]
    assert item.handled_by_id == world["eva"]
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(OutboxMessage.id)).where(
                    OutboxMessage.to_user_id == world["daan"], OutboxMessage.subject.like("%toegewezen%")
                )
            )
            == 1
        )


def test_assign_without_a_coach_is_refused_next_to_the_field(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[1])
    response = coach.act(session_id, items[1], "toewijzen", "assign", {"assignee_id": ""})
    page = _page(response)
    assert response.status_code == 400
    assert "Kies wie erachteraan gaat." in page and 'aria-invalid="true"' in page
    assert _item(app, items[1]).state == "pending"


def test_decide_resolves_the_report_with_the_explanation(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[1])
    response = coach.act(
        session_id,
        items[1],
        "besluiten",
        "decide",
        {
            "outcome": "resolved",
            "explanation": "We raadplegen de BRP voortaan zelf.",
            "what_changed": "Geen uittreksel meer nodig.",
        },
    )
    assert response.status_code == 303
    report = _report(app, world["new1"])
    assert report.status == "resolved" and report.explanation == "We raadplegen de BRP voortaan zelf."
    assert report.outcome == "Geen uittreksel meer nodig." and report.assignee_id == world["eva"]
    item = _item(app, items[1])
    assert item.decision == "Opgelost: We raadplegen de BRP voortaan zelf."
    assert item.follow_up_id == world["eva"]


def test_decide_without_explanation_comes_back_with_the_message_and_the_text(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[1])
    response = coach.act(
        session_id,
        items[1],
        "besluiten",
        "decide",
        {"outcome": "resolved", "explanation": "  ", "what_changed": "Het formulier is aangepast."},
    )
    page = _page(response)
    assert response.status_code == 400
    assert "Schrijf voor de melder op wat er besloten is en waarom." in page
    assert re.search(
        r'<textarea[^>]*aria-invalid="true"[^>]*id="decide-explanation"|<textarea[^>]*id="decide-explanation"[^>]*aria-invalid="true"',
        page,
    )
    assert 'href="#decide-explanation"' in page, "the error summary does not link to the field"
    assert "Het formulier is aangepast." in page, "the text the coach typed was lost"
    assert re.search(r'<input[^>]*checked[^>]*value="resolved"|<input[^>]*value="resolved"[^>]*checked', page)
    assert "Punt 2 van 4" in page
    assert _report(app, world["new1"]).status == "new"
    assert _item(app, items[1]).state == "pending"


def test_resolved_needs_what_changed(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[1])
    response = coach.act(
        session_id, items[1], "besluiten", "decide", {"outcome": "resolved", "explanation": "Aangepast."}
    )
    assert response.status_code == 400 and "Beschrijf wat er veranderd is." in _page(response)
    assert _report(app, world["new1"]).status == "new"


def test_decide_explained_and_escalated(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[3])
    no_law = coach.act(
        session_id, items[3], "besluiten", "decide", {"outcome": "escalated", "explanation": "Landelijke wet."}
    )
    assert no_law.status_code == 400 and "Vul in om welke wet of regeling het gaat" in _page(no_law)
    assert 'href="#decide-law_title"' in _page(no_law) and "Landelijke wet." in _page(no_law)
    assert _report(app, world["overdue"]).status == "in_progress"
    coach.act(
        session_id,
        items[3],
        "besluiten",
        "decide",
        {"outcome": "escalated", "explanation": "Landelijke wet.", "law_title": "Gemeentewet", "article": "art. 255"},
    )
    report = _report(app, world["overdue"])
    assert report.status == "escalated"
    with app.app_context():
        assert db.session.get(Report, world["overdue"]).dossier.law_title == "Gemeentewet"
    item = _item(app, items[3])
    assert item.decision == "Landelijk geagendeerd (Gemeentewet, art. 255): Landelijke wet."
    assert item.follow_up_id == world["daan"]
    coach.open(session_id, items[2])
    coach.act(session_id, items[2], "besluiten", "decide", {"outcome": "explained", "explanation": "De regel blijft."})
    assert _report(app, world["new2"]).status == "explained"
    assert _item(app, items[2]).decision == "Uitgelegd: De regel blijft."


def test_merge_into_an_earlier_report(app, world):
    coach, session_id, items = _started(app, world)
    with app.app_context():
        target = db.session.get(Report, world["busy"]).reference
    coach.open(session_id, items[2])
    unknown = coach.act(
        session_id, items[2], "samenvoegen", "merge", {"target": "RK-1999-0042", "explanation": "Zelfde regel."}
    )
    assert unknown.status_code == 400 and "Er is geen melding met nummer RK-1999-0042" in _page(unknown)
    assert "Zelfde regel." in _page(unknown)
    preview = coach.act(
        session_id, items[2], "samenvoegen", "merge", {"target": target, "explanation": "Zelfde regel."}
    )
    assert preview.status_code == 200 and "Paspoortafspraak alleen online" in _page(preview)
    assert _report(app, world["new2"]).status == "new", "the preview changed the report"
    response = coach.act(
        session_id,
        items[2],
        "samenvoegen",
        "merge",
        {"target": target, "explanation": "Zelfde regel.", "confirm": target},
        page=_page(preview),
    )
    assert response.status_code == 303
    report = _report(app, world["new2"])
    assert report.status == "merged" and report.duplicate_of_id == world["busy"]
    item = _item(app, items[2])
    assert item.decision == f"Samengevoegd met {target}" and item.follow_up_id == world["eva"]


@pytest.mark.parametrize(
    "path, action, data",
    [
        ("oppakken", "take_on", {}),
        ("toewijzen", "assign", {"assignee_id": "DAAN"}),
        ("besluiten", "decide", {"outcome": "explained", "explanation": "Uitleg."}),
        ("samenvoegen", "merge", {"target": "BUSY", "explanation": "Zelfde regel."}),
    ],
)
@pytest.mark.parametrize("version", [None, "", "drie"])
def test_an_action_without_the_page_version_changes_nothing(app, world, path, action, data, version):
    coach, session_id, items = _started(app, world)
    page = coach.open(session_id, items[1])
    with app.app_context():
        busy = db.session.get(Report, world["busy"]).reference
    payload = {f"{action}-{k}": {"DAAN": str(world["daan"]), "BUSY": busy}.get(v, v) for k, v in data.items()}
    if version is not None:
        payload[f"{action}-version"] = version
    payload["csrf_token"] = _token(page)
    response = coach.client.post(f"/weekoverleg/{session_id}/punten/{items[1]}/{path}", data=payload)
    assert response.status_code == 400
    assert "Dit formulier was niet compleet of verouderd. Er is niets gewijzigd" in _page(response)
    report = _report(app, world["new1"])
    assert (report.status, report.assignee_id) == ("new", None)
    assert _item(app, items[1]).state == "pending"


def test_skip_leaves_the_report_alone_and_moves_on(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id)
    response = coach.act(session_id, items[0], "overslaan", "skip")
    assert response.status_code == 303
    assert _item(app, items[0]).state == "skipped"
    assert _report(app, world["old_new"]).status == "new"
    page = _page(coach.client.get(response.headers["Location"]))
    assert "Punt 2 van 4" in page and "1 overgeslagen" in page
    # A skipped item can still be handled later in the session.
    coach.open(session_id, items[0])
    assert "Dit punt is overgeslagen door u." in coach.page
    coach.act(session_id, items[0], "oppakken", "take_on")
    assert _item(app, items[0]).state == "handled"


def test_next_goes_to_the_next_item_still_to_discuss(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id)
    coach.act(session_id, items[1], "overslaan", "skip", page=coach.open(session_id, items[1]))
    page = coach.open(session_id)
    assert re.search(rf'href="/weekoverleg/{session_id}\?punt={items[2]}" data-triage-key="n"', page)


# --- two coaches -----------------------------------------------------------------------


def test_two_coaches_on_different_items_both_succeed(app, world):
    eva, session_id, items = _started(app, world)
    daan = Coach(app, "daan@example.test")
    eva.open(session_id, items[0])
    daan.open(session_id, items[1])
    first = eva.act(session_id, items[0], "oppakken", "take_on")
    second = daan.act(session_id, items[1], "toewijzen", "assign", {"assignee_id": str(world["daan"])})
    assert first.status_code == 303 and second.status_code == 303
    assert _item(app, items[0]).decision == "Eva Jansen gaat erachteraan"
    assert _item(app, items[1]).decision == "Daan Bakker gaat erachteraan"
    assert _report(app, world["old_new"]).assignee_id == world["eva"]
    assert _report(app, world["new1"]).assignee_id == world["daan"]


def test_the_same_item_twice_the_second_coach_hears_who_was_first(app, world):
    eva, session_id, items = _started(app, world)
    daan = Coach(app, "daan@example.test")
    eva.open(session_id, items[1])
    daan.open(session_id, items[1])
    assert eva.act(session_id, items[1], "oppakken", "take_on").status_code == 303
    response = daan.act(
        session_id,
        items[1],
        "besluiten",
        "decide",
        {"outcome": "explained", "explanation": "Mijn uitleg die niet verloren mag gaan."},
    )
    page = _page(response)
    assert response.status_code == 409
    assert "Dit punt is al behandeld door Eva Jansen: Eva Jansen gaat erachteraan." in page
    assert "De melding staat nu op: In behandeling." in page
    assert "Mijn uitleg die niet verloren mag gaan." in page
    report = _report(app, world["new1"])
    assert report.status == "in_progress" and report.assignee_id == world["eva"]
    assert _item(app, items[1]).decision == "Eva Jansen gaat erachteraan"


def test_a_report_changed_elsewhere_is_a_conflict_with_the_current_state(app, world):
    eva, session_id, items = _started(app, world)
    eva.open(session_id, items[1])
    with app.app_context():
        daan = db.session.get(User, world["daan"])
        assign_report(db.session.get(Report, world["new1"]), daan, actor=daan)  # on the board, say
        db.session.commit()
    response = eva.act(
        session_id, items[1], "besluiten", "decide", {"outcome": "explained", "explanation": "Uitleg van Eva."}
    )
    page = _page(response)
    assert response.status_code == 409
    assert "Deze melding is intussen gewijzigd door Daan Bakker" in page and "Daan Bakker gaat erachteraan" in page
    assert "Uitleg van Eva." in page
    report = _report(app, world["new1"])
    assert report.status == "in_progress" and report.assignee_id == world["daan"]
    assert _item(app, items[1]).state == "pending"
    # The form that came back carries the current version: a deliberate second try works.
    again = eva.act(
        session_id,
        items[1],
        "besluiten",
        "decide",
        {"outcome": "explained", "explanation": "Uitleg van Eva."},
        page=page,
    )
    assert again.status_code == 303
    assert _report(app, world["new1"]).status == "explained"


# --- ending and the minutes -------------------------------------------------------------


def test_ending_stores_the_minutes_and_mails_every_active_coach(app, world):
    eva, session_id, items = _started(app, world)
    eva.open(session_id)
    eva.act(session_id, items[0], "oppakken", "take_on")
    eva.open(session_id)
    eva.act(session_id, items[1], "toewijzen", "assign", {"assignee_id": str(world["daan"])})
    eva.open(session_id)
    eva.act(session_id, items[2], "overslaan", "skip")
    response = eva.end(session_id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/weekoverleg/{session_id}/besluitenlijst"
    with app.app_context():
        assert db.session.get(TriageSession, session_id).ended_at is not None
        references = {r.id: r.reference for r in db.session.scalars(db.select(Report))}
    page = _page(eva.client.get(response.headers["Location"]))
    assert "Besluitenlijst weekoverleg" in page and "Het weekoverleg is afgesloten" in page
    assert "Daan Bakker, Eva Jansen" in page
    minutes = html.unescape(page)
    assert "Eva Jansen gaat erachteraan" in minutes and "Daan Bakker gaat erachteraan" in minutes
    assert "Overgeslagen (1)" in minutes and references[world["new2"]] in minutes
    assert "Niet aan toegekomen (1)" in minutes and references[world["overdue"]] in minutes

    with app.app_context():
        mails = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.subject.like("Besluitenlijst weekoverleg%"))
        ).all()
        recipients = {m.to_user_id for m in mails}
        assert recipients == {world["eva"], world["daan"]}, "every active coach, and only them"
        for mail in mails:
            assert f"http://127.0.0.1:5000/weekoverleg/{session_id}/besluitenlijst" in mail.body_text
            assert f"/weekoverleg/{session_id}/besluitenlijst" in mail.body_html
            assert (
                "Daan Bakker gaat erachteraan" in mail.body_text
                and "Wie gaat erachteraan: Daan Bakker" in mail.body_text
            )
            assert "OVERGESLAGEN (1)" in mail.body_text and references[world["new2"]] in mail.body_text
            assert "Daan Bakker gaat erachteraan" in mail.body_html

    # The session page now leads to the minutes; nothing more can change.
    assert (
        eva.client.get(f"/weekoverleg/{session_id}").headers["Location"] == f"/weekoverleg/{session_id}/besluitenlijst"
    )
    late = eva.client.post(f"/weekoverleg/{session_id}/punten/{items[3]}/oppakken", data={"csrf_token": _token(page)})
    assert late.headers["Location"] == f"/weekoverleg/{session_id}/besluitenlijst"
    assert _item(app, items[3]).state == "pending" and _report(app, world["overdue"]).assignee_id == world["daan"]
    again = eva.client.post(f"/weekoverleg/{session_id}/afsluiten", data={"csrf_token": _token(page)})
    assert again.status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.subject.like("Besluitenlijst%"))
            )
            == 2
        ), "ending twice mailed the minutes twice"
    index = _page(eva.client.get("/weekoverleg/"))
    assert f'href="/weekoverleg/{session_id}/besluitenlijst"' in index and "Weekoverleg starten" in index


def test_empty_agenda_has_a_sensible_empty_state(app):
    from tests.factories import make_user

    with app.app_context():
        make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        db.session.commit()
    coach = Coach(app, "eva@example.test")
    assert "de agenda is dan leeg" in _page(coach.client.get("/weekoverleg/"))
    response = coach.start()
    session_id = _session_id(app)
    page = _page(coach.client.get(response.headers["Location"]))
    assert "De agenda is leeg" in page and "Niets op de agenda." in page
    assert "Weekoverleg afsluiten" in page and 'id="punt-titel" tabindex="-1"' in page
    ended = coach.end(session_id)
    minutes = _page(coach.client.get(ended.headers["Location"]))
    assert "Er stond niets op de agenda." in minutes


def test_minutes_of_a_running_session_are_a_draft(app, world):
    eva, session_id, _items = _started(app, world)
    page = _page(eva.client.get(f"/weekoverleg/{session_id}/besluitenlijst"))
    assert "Dit weekoverleg loopt nog" in page and "Nog te bespreken (4)" in page


def test_markup_in_a_report_is_escaped_on_the_page_in_the_minutes_and_in_the_mail(app, world):
    with app.app_context():
        make_report(
            db.session.get(User, world["reporter"]), rule='<script>alert("x")</script> formulier', problem="<b>vet</b>"
        )
        db.session.commit()
    eva, session_id, items = _started(app, world)
    page = eva.open(session_id, items[3])
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>vet</b>" not in page
    eva.act(session_id, items[3], "besluiten", "decide", {"outcome": "explained", "explanation": "<i>uitleg</i>"})
    eva.end(session_id)
    minutes = _page(eva.client.get(f"/weekoverleg/{session_id}/besluitenlijst"))
    assert "<script>alert" not in minutes and "<i>uitleg</i>" not in minutes
    with app.app_context():
        mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.subject.like("Besluitenlijst%"))).first()
        assert "<script>alert" not in mail.body_html and "<i>uitleg</i>" not in mail.body_html


def test_an_expired_start_form_says_so(app, world):
    coach, _session_id, _ = _started(app, world)
    response = coach.client.post(
        "/weekoverleg/", data={"start-attendees": [str(world["daan"])], "csrf_token": "verlopen"}
    )
    assert response.status_code == 400 and "Het formulier was verlopen" in _page(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TriageSession.id))) == 1


def test_an_expired_form_keeps_what_the_coach_typed(app, world):
    coach, session_id, items = _started(app, world)
    coach.open(session_id, items[1])
    response = coach.client.post(
        f"/weekoverleg/{session_id}/punten/{items[1]}/besluiten",
        data={
            "decide-outcome": "explained",
            "decide-explanation": "Mijn lange uitleg.",
            "decide-version": "1",
            "csrf_token": "verlopen",
        },
    )
    page = _page(response)
    assert response.status_code == 400
    assert "verlopen" in page and "Mijn lange uitleg." in page
    assert _item(app, items[1]).state == "pending"


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["sanne@example.test", "fatima@example.test", "pieter@example.test"])
def test_only_coaches_get_the_weekly_session(app, world, email):
    _coach, session_id, items = _started(app, world)
    other = app.test_client()
    _login(other, email)
    token = csrf_token(other, "/")
    for path in ("/weekoverleg/", f"/weekoverleg/{session_id}", f"/weekoverleg/{session_id}/besluitenlijst"):
        response = other.get(path)
        assert response.status_code == 403 and "Geen toegang" in _page(response), path
    for path in (
        "/weekoverleg/",
        f"/weekoverleg/{session_id}/punten/{items[0]}/oppakken",
        f"/weekoverleg/{session_id}/afsluiten",
    ):
        assert other.post(path, data={"csrf_token": token}).status_code == 403, path
    assert _item(app, items[0]).state == "pending"
    with app.app_context():
        assert db.session.get(TriageSession, session_id).ended_at is None
    assert "Weekoverleg</a>" not in _page(other.get("/mijn-meldingen"))


def test_anonymous_visitors_go_to_the_login_page(app, world):
    client = app.test_client()
    for path in ("/weekoverleg/", "/weekoverleg/1", "/weekoverleg/1/besluitenlijst"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen?next="), path


def test_unknown_sessions_and_items_are_not_found(app, world):
    coach, session_id, _items = _started(app, world)
    assert coach.client.get("/weekoverleg/999").status_code == 404
    assert coach.client.get("/weekoverleg/999/besluitenlijst").status_code == 404
    page = coach.open(session_id)
    missing = coach.client.post(f"/weekoverleg/{session_id}/punten/999999/oppakken", data={"csrf_token": _token(page)})
    assert missing.status_code == 404
    assert "Weekoverleg</a>" in page, "coaches get the nav link"

"""The coaches' board through the test client, CSRF on and real logins: columns, compact
cards, filters (also with bad values), and moving cards with the forms of a card's action
page (which the board's one action dialog stands in for with JavaScript)."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import Event, Report
from app.models.base import utcnow
from app.services import workflow
from app.services.dossiers import LegalReference
from tests.conftest import Auth, csrf_token
from tests.factories import make_department, make_report, make_support, make_user

COACH = "coach@example.test"
OTHER_COACH = "dina@example.test"
REPORTER = "sanne@example.test"


# --- helpers shared by the board tests ------------------------------------------------


def login(app, email: str):
    client = app.test_client()
    response = Auth(client).login(email)
    assert response.status_code == 302, f"could not log in as {email}"
    client.get("/")  # take the welcome flash
    return client


def page_of(response) -> str:
    return response.get_data(as_text=True)


def board_columns(page: str) -> dict[str, list[str]]:
    """Column key -> the references of its cards, in order."""
    columns = {}
    for match in re.finditer(
        r'<section class="rk-board__column[^"]*" aria-labelledby="kolom-([a-z-]+)">(.*?)</section>', page, re.S
    ):
        columns[match.group(1)] = re.findall(
            r'<li class="rk-board-card[^"]*" id="kaart-(RK-\d{4}-\d{4})"', match.group(2)
        )
    assert set(columns) == {"nieuw", "in-behandeling", "geescaleerd", "afgerond"}, columns
    return columns


def card_html(page: str, reference: str) -> str:
    match = re.search(rf'<li class="rk-board-card[^"]*" id="kaart-{reference}".*?</li>', page, re.S)
    assert match, f"no card for {reference}"
    return match.group(0)


def form_fields(page: str, action_path: str) -> dict[str, str]:
    """The hidden inputs of the form that posts to `action_path`, as a browser sends them."""
    for match in re.finditer(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', page, re.S):
        if urlsplit(html_lib.unescape(match.group(1))).path == action_path:
            fields = {}
            for tag in re.findall(r"<input\b[^>]*>", match.group(2)):
                attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
                # Only what a browser sends untouched: radios and checkboxes are chosen.
                if attrs.get("type") == "hidden" and "name" in attrs:
                    fields[attrs["name"]] = html_lib.unescape(attrs.get("value", ""))
            return fields
    raise AssertionError(f"no form posting to {action_path}")


def actions_page(client, reference: str, query: str = "") -> str:
    """A card's action page: where its 'Acties' link goes."""
    response = client.get(f"/bord/meldingen/{reference}/verplaatsen{query}")
    assert response.status_code == 200
    return page_of(response)


def form_action(page: str, action_path: str) -> str:
    for action in re.findall(r'<form method="post" action="([^"]*)"', page):
        if urlsplit(html_lib.unescape(action)).path == action_path:
            return html_lib.unescape(action)
    raise AssertionError(f"no form posting to {action_path}")


def report_state(app, reference: str) -> dict:
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == int(reference.rsplit("-", 1)[1])))
        return {
            "status": report.status,
            "version": report.version,
            "assignee": report.assignee.email if report.assignee else None,
            "explanation": report.explanation,
            "outcome": report.outcome,
            "events": db.session.scalar(db.select(db.func.count(Event.id)).where(Event.report_id == report.id)),
        }


@pytest.fixture
def world(app):
    """Two departments, a reporter, two coaches, legal, admin, and a report in every column."""
    now = utcnow()
    with app.app_context():
        vergunningen = make_department("Vergunningen")
        burgerzaken = make_department("Burgerzaken")
        reporter = make_user("Sanne de Vries", email=REPORTER, department=burgerzaken)
        colleague = make_user("Mo El Amrani", email="mo@example.test")
        coach = make_user("Cor Coach", email=COACH, roles=("employee", "coach"))
        dina = make_user("Dina Coach", email=OTHER_COACH, roles=("employee", "coach"))
        make_user("Lot Legal", email="legal@example.test", roles=("employee", "legal"))
        make_user("Ada Admin", email="admin@example.test", roles=("employee", "admin"))
        make_user("Eva Medewerker", email="eva@example.test")

        new = make_report(
            reporter,
            rule="Dakkapel vraagt volledige vergunningprocedure",
            problem="Acht weken wachten.",
            department_id=vergunningen.id,
            now=now - timedelta(days=12),
        )
        make_support(colleague, new, "Bij ons ook")
        taken = make_report(
            colleague,
            rule="Parkeervergunning alleen op papier",
            problem="Inwoners moeten langskomen.",
            department_id=burgerzaken.id,
        )
        workflow.take_on(taken, dina)
        stale = make_report(
            reporter,
            rule="Uittreksel BRP op papier voor de eigen gemeente",
            problem="Leges voor eigen gegevens.",
            now=now - timedelta(days=40),
        )
        stale.last_activity_at = now - timedelta(days=40)
        escalated = make_report(
            colleague,
            rule="Kostendelersnorm bij tijdelijk thuis wonen",
            problem="Jongeren dakloos.",
            department_id=burgerzaken.id,
        )
        workflow.decide_report(
            escalated,
            actor=coach,
            outcome="escalated",
            explanation="Landelijke wet; geagendeerd.",
            legal=LegalReference("Participatiewet", article="art. 22a"),
        )
        resolved = make_report(
            reporter,
            rule="Handtekening op papier voor verhuizing",
            problem="Dubbel werk.",
            department_id=burgerzaken.id,
        )
        workflow.decide_report(
            resolved,
            actor=coach,
            outcome="resolved",
            explanation="Aangepast.",
            what_changed="Digitaal ondertekenen mag.",
        )
        long_ago = make_report(reporter, rule="Oude regel die al lang is opgelost", problem="Was lastig.")
        workflow.decide_report(long_ago, actor=coach, outcome="resolved", explanation="Aangepast.", what_changed="Weg.")
        long_ago.last_activity_at = now - timedelta(days=app.config["RECENT_DONE_DAYS"] + 5)
        db.session.commit()
        return {
            "new": new.reference,
            "taken": taken.reference,
            "stale": stale.reference,
            "escalated": escalated.reference,
            "resolved": resolved.reference,
            "long_ago": long_ago.reference,
            "vergunningen": vergunningen.id,
            "burgerzaken": burgerzaken.id,
            "coach_id": coach.id,
            "dina_id": dina.id,
        }


# --- the board itself -----------------------------------------------------------------


def test_cards_stand_in_their_columns_with_what_a_coach_needs(app, world):
    client = login(app, COACH)
    response = client.get("/bord/")
    assert response.status_code == 200
    page = page_of(response)
    columns = board_columns(page)
    assert columns["nieuw"] == [world["stale"], world["new"]]  # the longest waiting first
    assert columns["in-behandeling"] == [world["taken"]]
    assert columns["geescaleerd"] == [world["escalated"]]
    assert columns["afgerond"] == [world["resolved"]]  # not the one ended long ago
    assert world["long_ago"] not in page

    card = card_html(page, world["new"])
    assert "Dakkapel vraagt volledige vergunningprocedure" in card
    assert "12 dagen geleden" in card
    assert "Vergunningen" in card
    assert "1 collega" in card
    assert "Nog niemand" in card
    assert "Te lang stil" not in card
    assert "Dina Coach" in card_html(page, world["taken"])
    stale = card_html(page, world["stale"])
    assert "Te lang stil" in stale and "40 dagen" in stale
    # The board never names reporters.
    assert "Sanne de Vries" not in page and "Mo El Amrani" not in page


def test_a_card_offers_only_the_moves_the_workflow_allows(app, world):
    client = login(app, COACH)
    page = page_of(client.get("/bord/"))

    def options(reference):
        select = re.search(r'<select[^>]*id="verplaats-to".*?</select>', actions_page(client, reference), re.S)
        return [value for value in re.findall(r'<option value="([^"]*)"', select.group(0)) if value]

    def card_moves(reference):
        return re.search(r'data-moves="([^"]*)"', card_html(page, reference)).group(1).split()

    for reference, moves in [
        (world["new"], ["in_progress", "merged"]),
        (world["taken"], ["resolved", "escalated", "explained", "merged"]),
        (world["escalated"], ["in_progress"]),
    ]:
        assert options(reference) == moves and card_moves(reference) == moves
    # Dina has it; Cor may take it over.
    assert "Ik pak hem op" in actions_page(client, world["taken"]) and "data-take-on" in card_html(page, world["taken"])
    assert "Ik pak hem op" not in actions_page(client, world["resolved"])
    assert "data-take-on" not in card_html(page, world["resolved"])


def test_a_card_is_compact_and_its_actions_are_one_link(app, world):
    """No forms on a card: one 'Acties' link to the card's action page; the board has one
    action dialog for all cards, whatever their number."""
    client = login(app, COACH)
    page = page_of(client.get("/bord/?zoek=vergunning"))
    card = card_html(page, world["new"])
    assert "<form" not in card and "<select" not in card
    assert len(card.encode()) < 1200
    link = re.search(r'<a class="rk-board-card__actions[^"]*" href="([^"]+)"', card).group(1)
    assert html_lib.unescape(link) == f"/bord/meldingen/{world['new']}/verplaatsen?zoek=vergunning"
    assert page.count("<dialog") == 1 and page.count('name="verplaats-to"') == 1
    assert "1 collega loopt hier ook tegenaan" in card


@pytest.mark.parametrize("email", ["legal@example.test", "admin@example.test"])
def test_legal_and_admin_see_the_board_but_cannot_move_cards(app, world, email):
    client = login(app, email)
    response = client.get("/bord/")
    assert response.status_code == 200
    page = page_of(response)
    assert world["new"] in board_columns(page)["nieuw"]
    assert "Ik pak hem op" not in page and "Verplaats naar" not in page and "data-card-actions" not in page
    assert "Sortable.min.js" not in page and 'data-can-move="0"' in page
    assert client.get(f"/bord/meldingen/{world['new']}/verplaatsen").status_code == 403
    refused = client.post(
        f"/bord/meldingen/{world['new']}/oppakken",
        data={"csrf_token": csrf_token(client, "/bord/"), "oppakken-version": "1"},
    )
    assert refused.status_code == 403
    assert report_state(app, world["new"])["status"] == "new"


def test_an_employee_gets_no_board(app, world):
    client = login(app, "eva@example.test")
    assert client.get("/bord/").status_code == 403
    assert 'href="/bord/"' not in page_of(client.get("/"))


def test_the_board_loads_its_script_only_there_and_without_inline_code(app, world):
    client = login(app, COACH)
    page = page_of(client.get("/bord/"))
    assert re.search(r'<script src="/static/vendor/sortablejs/Sortable\.min\.js" defer></script>', page)
    assert re.search(r'<script src="/static/js/board\.js" defer></script>', page)
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", page) and not re.search(r"\son[a-z]+=", page)
    for asset in ("/static/js/board.js", "/static/vendor/sortablejs/Sortable.min.js"):
        response = client.get(asset)
        assert response.status_code == 200
        response.close()
    assert "board.js" not in page_of(client.get(f"/meldingen/{world['new']}"))


# --- filters ----------------------------------------------------------------------------


def _cards(client, query: str) -> set[str]:
    response = client.get("/bord/" + query)
    assert response.status_code == 200, query
    return {ref for refs in board_columns(page_of(response)).values() for ref in refs}


def test_filters(app, world):
    client = login(app, COACH)
    everything = _cards(client, "")
    assert len(everything) == 5
    assert _cards(client, f"?afdeling={world['vergunningen']}") == {world["new"]}
    assert _cards(client, f"?afdeling={world['burgerzaken']}") == {
        world["taken"],
        world["escalated"],
        world["resolved"],
    }
    assert _cards(client, f"?coach={world['dina_id']}") == {world["taken"]}
    assert _cards(client, "?coach=geen") == {world["new"], world["stale"]}
    assert _cards(client, "?mijn=1") == {world["escalated"], world["resolved"]}
    assert _cards(client, "?stil=1") == {world["stale"]}
    assert _cards(client, "?zoek=parkeerVERGUNNING") == {world["taken"]}
    assert _cards(client, "?zoek=leges+voor+eigen") == {world["stale"]}  # the problem text counts too
    assert _cards(client, f"?zoek={world['escalated']}") == {world["escalated"]}
    assert _cards(client, f"?zoek={world['escalated'].lower()}") == {world["escalated"]}
    assert _cards(client, f"?afdeling={world['burgerzaken']}&coach={world['coach_id']}") == {
        world["escalated"],
        world["resolved"],
    }
    # A worker keeps the statements of a kind of view, with the values as parameters: the
    # same filters with other values, and another coach's own cards, show their own cards.
    assert _cards(client, f"?afdeling={world['burgerzaken']}&coach={world['dina_id']}") == {world["taken"]}
    assert _cards(login(app, OTHER_COACH), "?mijn=1") == {world["taken"]}
    assert _cards(client, f"?afdeling={world['vergunningen']}&coach=geen") == {world["new"]}
    assert _cards(client, f"?afdeling={world['burgerzaken']}&coach=geen") == set()
    assert _cards(client, "?coach=geen&stil=1") == {world["stale"]}
    # A chosen filter is shown as chosen, with a way back to everything.
    page = page_of(client.get(f"/bord/?afdeling={world['vergunningen']}&stil=1"))
    assert re.search(rf'<option value="{world["vergunningen"]}" selected>Vergunningen</option>', page)
    assert re.search(r'id="filter-stil" name="stil" value="1" checked', page)
    assert "Alle kaarten tonen" in page


def test_search_is_typo_tolerant_and_finds_word_forms_and_references(app, world):
    """The board's search is app.search.text_condition: the same typo tolerance, stemming
    and compounds as the similar reports, every word must be found, and a reference or a
    number finds its report."""
    client = login(app, COACH)
    assert _cards(client, "?zoek=dakapel") == {world["new"]}  # a typo
    assert _cards(client, "?zoek=parkeervergunnig") == {world["taken"]}
    assert _cards(client, "?zoek=vergunningen") == {world["new"], world["taken"]}  # plural, and compounds
    assert _cards(client, "?zoek=handtekeningen+verhuizen") == {world["resolved"]}
    assert _cards(client, "?zoek=handtekening+dakkapel") == set()
    assert _cards(client, f"?zoek={world['escalated'][3:]}") == {world["escalated"]}  # 2026-0004
    assert world["long_ago"] not in _cards(client, "?zoek=oude+regel")  # the board's own limits still hold


@pytest.mark.parametrize(
    "query",
    [
        "?afdeling=abc",
        "?afdeling=99999",
        "?afdeling=-1",
        "?afdeling=%C2%B2",
        "?afdeling=1.5",
        "?afdeling=",
        "?coach=<script>alert(1)</script>",
        "?coach=99999",
        "?coach=0",
        "?mijn=ja",
        "?stil=true",
        "?zoek=" + "x" * 5000,
        "?zoek=%25",
        "?zoek=_",
        "?zoek=%00",
        "?onbekend=1",
        "?afdeling=abc&afdeling=1",
        "?afdeling=" + "9" * 400,
    ],
)
def test_bad_filter_values_are_ignored_never_an_error(app, world, query):
    client = login(app, COACH)
    response = client.get("/bord/" + query)
    assert response.status_code == 200
    page = page_of(response)
    assert "<script>alert(1)</script>" not in page
    cards = {ref for refs in board_columns(page).values() for ref in refs}
    if query in ("?zoek=%25", "?zoek=_") or query.startswith("?zoek=x"):
        # Searched literally: no report contains these, and a LIKE wildcard matches nothing extra.
        assert cards == set()
    else:
        assert len(cards) == 5


# --- moving cards ------------------------------------------------------------------------


def test_take_on_from_the_board(app, world):
    client = login(app, COACH)
    page = actions_page(client, world["new"], f"?afdeling={world['vergunningen']}")
    path = f"/bord/meldingen/{world['new']}/oppakken"
    fields = form_fields(page, path)
    assert fields["oppakken-version"] == str(report_state(app, world["new"])["version"])
    response = client.post(form_action(page, path), data=fields)
    assert response.status_code == 303
    # Back on the board with the same filter, at the card that moved.
    location = response.headers["Location"]
    assert urlsplit(location).path == "/bord/" and f"afdeling={world['vergunningen']}" in location
    assert f"kaart={world['new']}" in location and location.endswith(f"#kaart-{world['new']}")
    state = report_state(app, world["new"])
    assert state["status"] == "in_progress" and state["assignee"] == COACH
    board = page_of(client.get(location))
    assert "U gaat achter" in board
    assert world["new"] in board_columns(board)["in-behandeling"]
    # "U" to the coach themselves, the name to every other coach.
    assert "Wie gaat erachteraan: <strong>U</strong>" in card_html(board, world["new"])
    assert "Cor Coach" in card_html(page_of(login(app, OTHER_COACH).get("/bord/")), world["new"])


def test_move_to_in_behandeling_takes_the_card_on(app, world):
    client = login(app, COACH)
    page = actions_page(client, world["stale"])
    path = f"/bord/meldingen/{world['stale']}/verplaatsen"
    response = client.post(path, data={**form_fields(page, path), "verplaats-to": "in_progress"})
    assert response.status_code == 303
    state = report_state(app, world["stale"])
    assert state["status"] == "in_progress" and state["assignee"] == COACH


@pytest.mark.parametrize("to", ["resolved", "escalated", "explained"])
def test_an_ending_from_the_board_goes_to_the_decide_form_instead_of_ending_silently(app, world, to):
    client = login(app, COACH)
    before = report_state(app, world["taken"])
    page = actions_page(client, world["taken"])
    path = f"/bord/meldingen/{world['taken']}/verplaatsen"
    response = client.post(path, data={**form_fields(page, path), "verplaats-to": to})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/meldingen/{world['taken']}?besluit={to}#besluit"
    assert report_state(app, world["taken"]) == before
    detail = page_of(client.get(response.headers["Location"]))
    assert "Schrijf voor de melder op wat er besloten is" in detail  # the flash
    assert re.search(rf'<input checked[^>]*name="besluit-outcome"[^>]*value="{to}"', detail)


def test_merging_and_reopening_from_the_board_also_ask_for_words_first(app, world):
    client = login(app, COACH)
    merge = f"/bord/meldingen/{world['new']}/verplaatsen"
    response = client.post(
        merge, data={**form_fields(actions_page(client, world["new"]), merge), "verplaats-to": "merged"}
    )
    assert response.headers["Location"] == f"/meldingen/{world['new']}#samenvoegen"
    reopen = f"/bord/meldingen/{world['resolved']}/verplaatsen"
    response = client.post(
        reopen, data={**form_fields(actions_page(client, world["resolved"]), reopen), "verplaats-to": "in_progress"}
    )
    assert response.headers["Location"] == f"/meldingen/{world['resolved']}#heropenen"
    assert report_state(app, world["new"])["status"] == "new"
    assert report_state(app, world["resolved"])["status"] == "resolved"


@pytest.mark.parametrize(
    "to, message",
    [
        ("resolved", "Van Nieuw naar Opgelost kan niet."),
        ("banaan", "Kies een van de mogelijkheden"),
        ("", "Kies waar de melding heen moet."),
    ],
)
def test_a_move_that_is_not_allowed_changes_nothing_and_says_why_on_the_card(app, world, to, message):
    client = login(app, COACH)
    before = report_state(app, world["new"])
    page = actions_page(client, world["new"])
    path = f"/bord/meldingen/{world['new']}/verplaatsen"
    response = client.post(path, data={**form_fields(page, path), "verplaats-to": to})
    assert response.status_code == 400
    again = page_of(response)
    assert message in again and "Dat lukte niet" in again and 'href="#verplaats-to"' in again
    assert re.search(r'id="verplaats-to" name="verplaats-to" aria-invalid="true"', again)
    assert report_state(app, world["new"]) == before


def test_a_move_from_a_stale_board_is_refused_with_the_current_state(app, world):
    cor = login(app, COACH)
    dina = login(app, OTHER_COACH)
    cor_board = actions_page(cor, world["new"])
    dina_board = actions_page(dina, world["new"])
    take = f"/bord/meldingen/{world['new']}/oppakken"
    assert dina.post(take, data=form_fields(dina_board, take)).status_code == 303
    after_dina = report_state(app, world["new"])

    response = cor.post(take, data=form_fields(cor_board, take))
    assert response.status_code == 409
    page = page_of(response)
    assert "Iemand anders was u voor" in page and "intussen gewijzigd door Dina Coach" in page
    assert "In behandeling" in page and "Dina Coach gaat erachteraan" in page
    assert report_state(app, world["new"]) == after_dina  # Dina's take-on stands

    move = f"/bord/meldingen/{world['new']}/verplaatsen"
    response = cor.post(move, data={**form_fields(cor_board, move), "verplaats-to": "merged"})
    assert response.status_code == 409
    assert report_state(app, world["new"]) == after_dina


def test_a_move_without_its_version_changes_nothing(app, world):
    client = login(app, COACH)
    token = csrf_token(client, "/bord/")
    before = report_state(app, world["new"])
    for path, data in [
        (f"/bord/meldingen/{world['new']}/oppakken", {"oppakken-return_to": "bord"}),
        (f"/bord/meldingen/{world['new']}/verplaatsen", {"verplaats-to": "in_progress", "verplaats-version": "abc"}),
    ]:
        response = client.post(path, data={**data, "csrf_token": token})
        # The board comes back with the message on the card; nothing changed.
        assert response.status_code == 400
        assert "niet compleet of verouderd" in page_of(response)
    assert report_state(app, world["new"]) == before


def test_a_board_form_with_an_expired_token_changes_nothing(app, world):
    client = login(app, COACH)
    page = actions_page(client, world["new"])
    path = f"/bord/meldingen/{world['new']}/verplaatsen"
    before = report_state(app, world["new"])
    response = client.post(
        path, data={**form_fields(page, path), "csrf_token": "verlopen", "verplaats-to": "in_progress"}
    )
    assert response.status_code == 400
    assert "verlopen" in page_of(response)
    assert report_state(app, world["new"]) == before


def test_unknown_report_answers_404(app, world):
    client = login(app, COACH)
    token = csrf_token(client, "/bord/")
    for reference in ("RK-2026-9999", "niets"):
        assert client.get(f"/bord/meldingen/{reference}/verplaatsen").status_code == 404
    paths = ["/bord/meldingen/{}/oppakken", "/bord/meldingen/{}/verplaatsen"] + [
        "/meldingen/{}/" + action
        for action in ("oppakken", "besluit", "toewijzen", "samenvoegen", "heropenen", "notitie", "bericht")
    ]
    for path in paths:
        for reference in ("RK-2026-9999", "niets"):
            assert client.post(path.format(reference), data={"csrf_token": token}).status_code == 404, path

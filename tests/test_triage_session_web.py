"""The weekly session at real size through the test client (CSRF on): it only moves
forward over an agenda of 30+ items handled out of order; a merge shows the chosen report
before it acts, with a search and the likely duplicates; 'Ongedaan maken' undoes a
decision and tells nobody."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import OutboxMessage, Report, TriageItem, User
from app.models.base import utcnow
from app.services.workflow import assign_report, decide_report
from tests.factories import make_report, make_user
from tests.test_triage_web import Coach, _hidden, _page, _session_id, _token

AGENDA = 32


def _unescaped(response) -> str:
    return html.unescape(_page(response))


@pytest.fixture
def big(app):
    """Two coaches and 32 new reports (oldest first), one earlier report to merge into."""
    with app.app_context():
        make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        make_user("Daan Bakker", email="daan@example.test", roles=("employee", "coach"))
        reporter = make_user("Sanne de Vries", email="sanne@example.test")
        now = utcnow()
        earlier = make_report(
            reporter, rule="Uittreksel gemeentelijke basisadministratie alleen op papier", now=now - timedelta(days=60)
        )
        eva = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        assign_report(earlier, eva, actor=eva)  # in progress: not on the agenda
        ended = make_report(reporter, rule="Parkeervergunning elk jaar opnieuw", now=now - timedelta(days=59))
        decide_report(ended, actor=eva, outcome="explained", explanation="De regel blijft.")
        rules = [f"Regel nummer {n} over formulier {chr(97 + n % 26)}" for n in range(AGENDA)]
        rules[7] = "Uittreksel basisadministratie op papier gevraagd"  # a likely duplicate of `earlier`
        for n, rule in enumerate(rules):
            make_report(reporter, rule=rule, problem=f"Probleem {n}.", now=now - timedelta(hours=AGENDA - n))
        db.session.commit()
        return {"earlier": earlier.reference, "ended": ended.reference, "eva": eva.id}


def _start(app) -> tuple[Coach, int, list[int]]:
    coach = Coach(app, "eva@example.test")
    assert coach.start().status_code == 303
    session_id = _session_id(app)
    with app.app_context():
        items = list(db.session.scalars(db.select(TriageItem.id).order_by(TriageItem.position)))
    assert len(items) >= AGENDA
    return coach, session_id, items


def _position(app, response) -> int | None:
    match = re.search(r"punt=(\d+)$", response.headers["Location"])
    if match is None:
        return None
    with app.app_context():
        return db.session.get(TriageItem, int(match.group(1))).position


# --- forward only ----------------------------------------------------------------------


def test_the_session_only_moves_forward_over_thirty_items_handled_out_of_order(app, big):
    coach, session_id, items = _start(app)
    position = dict(enumerate(items, start=1))

    def act(p: int, what: str):
        coach.open(session_id, position[p])
        if what == "skip":
            response = coach.act(session_id, position[p], "overslaan", "skip")
        elif what == "take_on":
            response = coach.act(session_id, position[p], "oppakken", "take_on")
        else:
            response = coach.act(
                session_id, position[p], "besluiten", "decide", {"outcome": "explained", "explanation": "Uitleg."}
            )
        assert response.status_code == 303, _page(response)
        return response

    # Jump ahead to 10: the next item is 11, never the untouched 1 to 9.
    assert _position(app, act(10, "take_on")) == 11
    assert _position(app, act(11, "skip")) == 12
    # Back to 5 by hand: forward from there, to 6 (not 1, not 12).
    assert _position(app, act(5, "decide")) == 6
    assert _position(app, act(6, "take_on")) == 7
    # 9 is next to 10, which is done: on to 12 (11 was skipped).
    assert _position(app, act(9, "take_on")) == 12
    for p in range(12, AGENDA):
        assert _position(app, act(p, "take_on")) == p + 1
    # The last item: nothing left ahead, so back to the first item still to discuss, and said so.
    last = act(AGENDA, "take_on")
    assert _position(app, last) == 1
    page = _unescaped(coach.client.get(last.headers["Location"]))
    assert "Er staat niets meer na dit punt op de agenda: u gaat terug naar punt 1, dat nog niet is besproken." in page
    for p, expected in ((1, 2), (2, 3), (3, 4), (4, 7)):
        assert _position(app, act(p, "take_on")) == expected
    assert _position(app, act(7, "take_on")) == 8
    # 8 is the last one not discussed; after it only the skipped 11 is left.
    wrapped = act(8, "take_on")
    assert _position(app, wrapped) == 11
    assert "u gaat terug naar punt 11, dat is overgeslagen." in _unescaped(
        coach.client.get(wrapped.headers["Location"])
    )
    done = act(11, "take_on")
    assert done.headers["Location"] == f"/weekoverleg/{session_id}"
    assert "Alle punten zijn besproken" in _page(coach.client.get(done.headers["Location"]))


def test_the_next_link_on_a_handled_item_points_ahead(app, big):
    coach, session_id, items = _start(app)
    coach.open(session_id, items[19])
    coach.act(session_id, items[19], "oppakken", "take_on")
    page = coach.open(session_id, items[19])
    assert re.search(rf'href="/weekoverleg/{session_id}\?punt={items[20]}" data-triage-key="n"', page)


# --- merging -----------------------------------------------------------------------------


def _merge(coach, session_id, item_id, target, *, confirm=None, page=None):
    data = {"target": target, "explanation": "Zelfde regel."}
    if confirm is not None:
        data["confirm"] = confirm
    return coach.act(session_id, item_id, "samenvoegen", "merge", data, page=page)


def _report_state(app, position: int) -> tuple:
    with app.app_context():
        item = db.session.scalar(db.select(TriageItem).where(TriageItem.position == position))
        report = item.report
        return (item.state, report.status, report.duplicate_of_id, report.version, len(report.supports))


def test_a_merge_shows_the_chosen_report_and_changes_nothing_until_confirmed(app, big):
    coach, session_id, items = _start(app)
    coach.open(session_id, items[7])
    before = _report_state(app, 8)
    outbox = _outbox_count(app)
    preview = _merge(coach, session_id, items[7], big["earlier"].lower())
    page = _unescaped(preview)
    assert preview.status_code == 200
    assert "U voegt" in page and big["earlier"] in page
    assert "Uittreksel gemeentelijke basisadministratie alleen op papier" in page and "In behandeling" in page
    assert f"Ja, samenvoegen met {big['earlier']}" in page
    assert "Let op: dit is een afgeronde melding" not in page
    assert _report_state(app, 8) == before and _outbox_count(app) == outbox
    # The explanation may wait until the chosen report is shown; merging needs it.
    bare = coach.act(session_id, items[7], "samenvoegen", "merge", {"target": big["earlier"]}, page=_page(preview))
    assert bare.status_code == 200 and f"Ja, samenvoegen met {big['earlier']}" in _unescaped(bare)
    unexplained = coach.act(
        session_id,
        items[7],
        "samenvoegen",
        "merge",
        {"target": big["earlier"], "confirm": big["earlier"]},
        page=_page(preview),
    )
    assert unexplained.status_code == 400
    assert "Schrijf voor de melder op waarom deze meldingen samengaan." in _unescaped(unexplained)
    assert f"Ja, samenvoegen met {big['earlier']}" in _unescaped(unexplained), "the chosen report left the page"
    assert _report_state(app, 8) == before
    # Another number typed after the preview: shown first again, not merged.
    other = _merge(coach, session_id, items[7], big["ended"], confirm=big["earlier"], page=_page(preview))
    assert other.status_code == 200 and "Let op: dit is een afgeronde melding" in _unescaped(other)
    assert _report_state(app, 8) == before
    # Confirmed (the number typed without RK- is the same report): merged.
    done = _merge(coach, session_id, items[7], big["earlier"][3:], confirm=big["earlier"], page=_page(preview))
    assert done.status_code == 303
    assert _report_state(app, 8)[:2] == ("handled", "merged")


def test_a_merge_into_itself_or_into_a_merged_report_is_refused_in_dutch(app, big):
    coach, session_id, items = _start(app)
    with app.app_context():
        own = db.session.get(TriageItem, items[3]).report.reference
        fifth = db.session.get(TriageItem, items[4]).report.reference
    page = coach.open(session_id, items[3])
    itself = _merge(coach, session_id, items[3], own, page=page)
    assert itself.status_code == 400
    assert "Een melding kan niet met zichzelf worden samengevoegd." in _unescaped(itself)
    coach.open(session_id, items[4])
    preview = _merge(coach, session_id, items[4], own)
    merged = _merge(coach, session_id, items[4], own, confirm=own, page=_page(preview))
    assert merged.status_code == 303
    page = coach.open(session_id, items[5])
    into_merged = _merge(coach, session_id, items[5], fifth, confirm=fifth, page=page)
    assert into_merged.status_code == 400
    assert "Die melding is zelf al samengevoegd." in _unescaped(into_merged)
    assert _report_state(app, 6)[:2] == ("pending", "new")


def test_the_merge_offers_likely_duplicates_and_a_search(app, big):
    coach, session_id, items = _start(app)
    with app.app_context():
        own = db.session.get(TriageItem, items[7]).report.reference
        third = db.session.get(TriageItem, items[2]).report.reference
    page = html.unescape(coach.open(session_id, items[7]))
    suggestions = page[page.index("Lijkt op deze melding") :]
    assert big["earlier"] in suggestions and f"Kies {own}" not in suggestions
    # By reference, and by words with a typo.
    found = _unescaped(coach.client.get(f"/weekoverleg/{session_id}?punt={items[7]}&zoek={third}"))
    assert "Gevonden" in found and f"Kies {third}" in found
    short = _unescaped(coach.client.get(f"/weekoverleg/{session_id}?punt={items[7]}&zoek={third[3:]}"))
    assert f"Kies {third}" in short, "a reference typed without RK- is found too"
    words = _unescaped(coach.client.get(f"/weekoverleg/{session_id}?punt={items[7]}&zoek=parkeervergunnig"))
    assert f"Kies {big['ended']}" in words
    nothing = _unescaped(coach.client.get(f"/weekoverleg/{session_id}?punt={items[7]}&zoek=zzzqqq"))
    assert "Geen melding gevonden voor “zzzqqq”" in nothing
    # Choosing one shows it before anything happens, ready to confirm.
    chosen = _unescaped(coach.client.get(f"/weekoverleg/{session_id}?punt={items[7]}&doel={big['ended']}"))
    assert "U voegt" in chosen and "Parkeervergunning elk jaar opnieuw" in chosen
    assert "Let op: dit is een afgeronde melding" in chosen and f"Ja, samenvoegen met {big['ended']}" in chosen
    assert _report_state(app, 8)[:2] == ("pending", "new")


# --- undo --------------------------------------------------------------------------------


def _outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(OutboxMessage.id)))


def _undo(coach, session_id, item_id, page, *, version=None, token=None):
    data = {"undo-version": version if version is not None else _hidden(page, "undo-version")}
    data["undo-csrf_token"] = token if token is not None else _token(page)
    return coach.client.post(f"/weekoverleg/{session_id}/punten/{item_id}/ongedaan-maken", data=data)


def test_undo_on_the_session_page_restores_the_report_and_mails_nobody(app, big):
    coach, session_id, items = _start(app)
    outbox = _outbox_count(app)
    coach.open(session_id, items[2])
    coach.act(session_id, items[2], "toewijzen", "assign", {"assignee_id": str(big["eva"])})
    assert _outbox_count(app) > outbox
    page = coach.open(session_id, items[2])
    assert "Ongedaan maken" in page and 'id="undo-form"' in page
    # Also from the agenda, next to the handled item, while another item is open.
    other = coach.open(session_id, items[5])
    assert f'action="/weekoverleg/{session_id}/punten/{items[2]}/ongedaan-maken"' in other
    # Without a valid token nothing happens.
    refused = _undo(coach, session_id, items[2], page, token="verlopen")
    assert refused.status_code == 400 and _report_state(app, 3)[:2] == ("handled", "in_progress")
    assert "Het formulier was verlopen. Er is niets ongedaan gemaakt" in _unescaped(refused)
    stale = _undo(coach, session_id, items[2], page, version="")
    assert stale.status_code == 400 and "Dit formulier was niet compleet of verouderd" in _unescaped(stale)
    assert _report_state(app, 3)[:2] == ("handled", "in_progress")
    response = _undo(coach, session_id, items[2], page)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/weekoverleg/{session_id}?punt={items[2]}"
    after = _unescaped(coach.client.get(response.headers["Location"]))
    assert "is ongedaan gemaakt. Niemand krijgt er bericht over." in after
    state = _report_state(app, 3)
    assert state[:2] == ("pending", "new")
    assert _outbox_count(app) == outbox, "a held mail survived the undo"
    minutes = _unescaped(coach.client.get(f"/weekoverleg/{session_id}/besluitenlijst"))
    assert "Besluiten (0)" in minutes


def test_undo_after_a_change_elsewhere_is_refused_with_what_changed(app, big):
    coach, session_id, items = _start(app)
    coach.open(session_id, items[2])
    coach.act(session_id, items[2], "oppakken", "take_on")
    page = coach.open(session_id, items[2])
    with app.app_context():
        report = db.session.get(TriageItem, items[2]).report
        daan = db.session.scalar(db.select(User).where(User.email == "daan@example.test"))
        assign_report(report, daan, actor=daan)
        db.session.commit()
    response = _undo(coach, session_id, items[2], page)
    text = _unescaped(response)
    assert response.status_code == 409
    assert "Ongedaan maken kan niet" in text and "gewijzigd door Daan Bakker" in text
    with app.app_context():
        report = db.session.get(TriageItem, items[2]).report
        assert report.assignee.name == "Daan Bakker"


def test_undo_after_the_mails_went_out_is_refused_and_not_offered(app, big):
    coach, session_id, items = _start(app)
    coach.open(session_id, items[2])
    coach.act(session_id, items[2], "oppakken", "take_on")
    page = coach.open(session_id, items[2])
    with app.app_context():
        item = db.session.get(TriageItem, items[2])
        item.handled_at = utcnow() - timedelta(minutes=11)
        db.session.commit()
    assert "Ongedaan maken" not in coach.open(session_id, items[2])
    response = _undo(coach, session_id, items[2], page)
    assert response.status_code == 400
    assert "Ongedaan maken kan niet meer" in _unescaped(response)
    assert _report_state(app, 3)[:2] == ("handled", "in_progress")


def test_the_session_page_needs_a_constant_number_of_queries(app, big):
    """The agenda of 32 items does not cost a query per item."""
    from sqlalchemy import event

    coach, session_id, items = _start(app)
    counts = []
    for positions in (range(0, 1), range(1, 6)):
        for p in positions:
            coach.open(session_id, items[p])
            coach.act(session_id, items[p], "oppakken", "take_on")
        statements = []
        with app.app_context():
            engine = db.engine

        def count(_conn, _cursor, statement, *_args, statements=statements, **_kwargs):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            coach.open(session_id, items[AGENDA - 1])
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] < 30, "\n".join(s[-200:].replace("\n", " ") for s in statements)


def test_markup_in_the_chosen_report_is_escaped_in_the_preview(app, big):
    with app.app_context():
        reporter = db.session.scalar(db.select(User).where(User.email == "sanne@example.test"))
        evil = make_report(reporter, rule='<script>alert("x")</script> regel', now=utcnow() - timedelta(days=90))
        db.session.commit()
        reference = evil.reference
        assert db.session.get(Report, evil.id).status == "new"
    coach, session_id, items = _start(app)
    page = _page(coach.client.get(f"/weekoverleg/{session_id}?punt={items[1]}&doel={reference}"))
    assert "<script>alert" not in page and "&lt;script&gt;" in page

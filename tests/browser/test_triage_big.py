"""A weekly session at real size in Chromium: 32 items, handled out of order, the session
only moving forward; a merge chosen from the likely duplicates, shown before it acts;
the merge undone from the agenda (nobody mailed); the session ended. axe-core on each
state of the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Report, Support, User
from app.models.base import utcnow
from app.notify import deliver_outbox
from app.services.workflow import assign_report
from tests.browser.helpers import axe_check, login, no_horizontal_scroll, shot
from tests.factories import make_report, make_support, make_user

pytestmark = pytest.mark.browser

AGENDA = 32
DUPLICATE = 11  # the agenda position of the report that repeats an earlier one


def _seed(app) -> dict:
    with app.app_context():
        eva = make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        make_user("Daan Bakker", email="daan@example.test", roles=("employee", "coach"))
        sanne = make_user("Sanne de Vries", email="sanne@example.test")
        piet = make_user("Piet Smit", email="piet@example.test")
        now = utcnow()
        earlier = make_report(
            sanne, rule="Uittreksel basisadministratie alleen op papier", now=now - timedelta(days=60)
        )
        assign_report(earlier, eva, actor=eva)  # in progress: not on the agenda
        reports = []
        for n in range(1, AGENDA + 1):
            rule = f"Regel {n}: formulier {n} vraagt een handtekening"
            if n == DUPLICATE:
                rule = "Uittreksel basisadministratie op papier gevraagd"
            reports.append(make_report(piet, rule=rule, problem=f"Probleem {n}.", now=now - timedelta(hours=100 - n)))
        make_support(sanne, reports[DUPLICATE - 1])
        db.session.commit()
        return {"earlier": earlier.reference, "duplicate": reports[DUPLICATE - 1].reference}


def _heading(page: Page, text: str) -> None:
    expect(page.locator("#punt-titel")).to_contain_text(text)


def test_a_session_of_thirty_two_items(app, live_server, page: Page, smtp):
    world = _seed(app)
    with app.app_context():
        deliver_outbox()  # what the seeding queued is not what this test is about
    smtp.inbox.messages.clear()
    login(page, live_server, "eva@example.test")
    page.goto(live_server + "/weekoverleg/")
    page.get_by_role("button", name="Weekoverleg starten").click()
    _heading(page, f"Punt 1 van {AGENDA}")
    axe_check(page, "session of 32 items")

    # Jump ahead to item 10 from the agenda and take it on: on to 11, not back to 1.
    page.locator(".rk-triage-agenda__list a").nth(9).click()
    _heading(page, f"Punt 10 van {AGENDA}")
    page.get_by_role("button", name="Ik pak hem op").click()
    _heading(page, f"Punt 11 van {AGENDA}")
    expect(page.locator(".rk-flashes")).to_contain_text("Eva Jansen gaat erachteraan")

    # Item 11 repeats an earlier report: it is among the likely duplicates.
    suggestions = page.locator(".rk-board-candidates")
    expect(suggestions).to_contain_text(world["earlier"])
    expect(suggestions).not_to_contain_text(world["duplicate"])
    page.get_by_role("link", name=f"Kies {world['earlier']}").click()
    preview = page.locator("[data-triage-preview]")
    expect(preview).to_contain_text("Uittreksel basisadministratie alleen op papier")
    expect(preview).to_contain_text("In behandeling")
    expect(preview).to_be_focused()
    axe_check(page, "merge preview")
    shot(page, "triage-merge-preview")
    with app.app_context():
        assert db.session.scalar(db.select(Report.status).where(Report.rule.like("Uittreksel%gevraagd"))) == "new"
    page.locator("#merge-explanation").fill("Dezelfde regel als de eerdere melding.")
    page.get_by_role("button", name=f"Ja, samenvoegen met {world['earlier']}").click()
    _heading(page, f"Punt 12 van {AGENDA}")
    with app.app_context():
        merged = db.session.scalar(db.select(Report).where(Report.rule.like("Uittreksel%gevraagd")))
        assert merged.status == "merged"
        target = db.session.scalar(db.select(Report).where(Report.rule.like("Uittreksel%alleen op papier")))
        moved = db.session.scalar(db.select(db.func.count(Support.id)).where(Support.report_id == target.id))
        assert moved == 1  # Piet; Sanne already follows the earlier report

    # Back to item 3 by hand, decide it: on to 4, forward from there.
    page.locator(".rk-triage-agenda__list a").nth(2).click()
    page.get_by_role("radio", name="Uitgelegd").check()
    page.locator("#decide-explanation").fill("De regel blijft; we leggen uit waarom.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    _heading(page, f"Punt 4 van {AGENDA}")

    # Undo the merge from the agenda, next to item 11.
    undo = page.locator(".rk-triage-agenda__undo button", has_text=world["duplicate"])
    expect(undo).to_have_count(1)
    axe_check(page, "agenda with undo buttons")
    undo.click()
    _heading(page, f"Punt {DUPLICATE} van {AGENDA}")
    expect(page.locator(".rk-flashes")).to_contain_text("ongedaan gemaakt. Niemand krijgt er bericht over.")
    axe_check(page, "after undo")
    with app.app_context():
        merged = db.session.scalar(db.select(Report).where(Report.rule.like("Uittreksel%gevraagd")))
        assert (merged.status, merged.duplicate_of_id) == ("new", None)
        target = db.session.scalar(db.select(Report).where(Report.rule.like("Uittreksel%alleen op papier")))
        assert db.session.scalar(db.select(db.func.count(Support.id)).where(Support.report_id == target.id)) == 0
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("#end-form button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Besluitenlijst weekoverleg")
    expect(page.locator("#besluiten")).to_have_text("Besluiten (2)")
    axe_check(page, "minutes")
    with app.app_context():
        deliver_outbox()
        piet = db.session.scalar(db.select(User).where(User.email == "piet@example.test"))
        duplicate = world["duplicate"]
        assert not [m for m in smtp.inbox.to(piet.email) if duplicate in m["Subject"]], "the undone merge was mailed"
        earlier = world["earlier"]
        assert not [m for m in smtp.inbox.to("sanne@example.test") if earlier in m["Subject"]]
        # The decisions that stand were mailed, once each, at the end of the session.
        assert len([m for m in smtp.inbox.to(piet.email) if "de regel blijft" in m["Subject"]]) == 1

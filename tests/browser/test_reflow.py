"""WCAG 1.4.10: at 320 CSS pixels wide nothing scrolls sideways and the red button stays
in view. Screenshots at 320 go to /tmp/shots (those at 1280 are taken in test_story)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import seed_demo
from tests.browser.helpers import login, no_horizontal_scroll, red_button, shot

pytestmark = pytest.mark.browser

NARROW = {"viewport": {"width": 320, "height": 800}}


def _red_button_visible(page: Page) -> None:
    button = red_button(page)
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, f"red button sticks out: {box}"


def test_no_horizontal_scrolling_at_320px(app, live_server, new_page):
    demo = seed_demo(app)
    page = new_page(**NARROW)

    page.goto(live_server + "/inloggen")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Inloggen").click()  # with errors
    expect(page.locator("[data-error-summary]")).to_be_visible()
    no_horizontal_scroll(page)

    login(page, live_server, demo.employee_email)
    _red_button_visible(page)
    no_horizontal_scroll(page)

    red_button(page).click()
    expect(page).to_have_url(re.compile(r"/melden$"))
    no_horizontal_scroll(page)
    shot(page, "report-form-320")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    _red_button_visible(page)
    no_horizontal_scroll(page)
    shot(page, "report-form-errors-320")

    # A long unbroken word must wrap, not push the page wider.
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(
        "Dakkapelvergunningsaanvraagprocedurevoorschriften dakkapel vergunning"
    )
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill("Acht weken wachten.")
    expect(page.locator("#similar-results .rk-similar-item")).to_have_count(1)
    no_horizontal_scroll(page)
    shot(page, "report-form-similar-320")
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(
        "Uittreksel BRP op papier voor eigen gemeente"
    )
    expect(page.locator("#similar-results")).to_contain_text("Er zijn nog geen open meldingen")
    page.get_by_role("button", name="Melding versturen").click()

    expect(page).to_have_url(re.compile(r"/bevestiging$"))
    _red_button_visible(page)
    no_horizontal_scroll(page)
    shot(page, "confirmation-320")

    page.get_by_role("link", name="Naar Mijn meldingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn meldingen")
    _red_button_visible(page)
    no_horizontal_scroll(page)
    shot(page, "mine-320")


def test_the_legal_list_fits_a_1280_pixel_screen(app, live_server, new_page):
    """Juridische Zaken works on an ordinary laptop: every column of the dossier list is in
    view at 1280 px, also with long law titles, articles and addressees."""
    from app.extensions import db
    from app.services.dossiers import LegalReference
    from app.services.workflow import decide_report
    from tests.browser.data import add_user
    from tests.factories import make_report, make_user

    seed_demo(app)
    add_user(app, "Fatima Yilmaz", "jurist@rodeknop.test", roles=("employee", "legal"))
    with app.app_context():
        coach = make_user("Kees Coach", email="kees@rodeknop.test", roles=("employee", "coach"))
        reporter = make_user("Mo Melder", email="mo.melder@rodeknop.test")
        from datetime import date

        from app.models import Addressee, User

        lawyer = db.session.scalar(db.select(User).where(User.email == "jurist@rodeknop.test"))
        # The longest name on the shipped list of addressees.
        ministry = max(db.session.scalars(db.select(Addressee)), key=lambda a: len(a.name))
        for number in range(4):
            report = make_report(reporter, rule=f"Een lange regel over de kinderopvangtoeslag nummer {number}")
            decide_report(
                report,
                actor=coach,
                outcome="escalated",
                explanation="Landelijke wet.",
                legal=LegalReference(
                    "Wet op het financieel toezicht en de bijbehorende uitvoeringsbesluiten en regelingen",
                    "BWBR0020368",
                    f"art. 4:{number}a, tweede lid, onderdeel b, onder 3°",
                ),
            )
            dossier = report.dossier
            dossier.addressee, dossier.owner, dossier.status = ministry, lawyer, "sent"
            dossier.sent_on, dossier.answer_due, dossier.follow_up_on = (
                date(2026, 9, 30),
                date(2026, 11, 28),
                date(2026, 12, 12),
            )
        db.session.commit()
    page = new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server, "jurist@rodeknop.test")
    page.goto(live_server + "/juridisch/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    no_horizontal_scroll(page, width=1280)
    shot(page, "legal-list-1280")
    # ...and the table itself needs no sideways scrolling inside its wrapper either.
    overflow = page.evaluate(
        "() => Array.from(document.querySelectorAll('.rk-table-wrap')).map(el => el.scrollWidth - el.clientWidth)"
    )
    assert overflow and max(overflow) <= 0, f"the dossier table scrolls sideways by {overflow} px at 1280 px"

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

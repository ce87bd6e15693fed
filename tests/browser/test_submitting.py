"""Submitting in a real browser: a double click sends one report, and without JavaScript
the similar reports come as a step after submitting."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import count_reports, seed_demo
from tests.browser.helpers import REFERENCE_RE, axe_check, login, without_app_js

pytestmark = pytest.mark.browser


def _fill_report(page: Page, rule: str, problem: str) -> None:
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(rule)
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill(problem)


def test_double_click_on_submit_creates_one_report(app, live_server, page: Page):
    demo = seed_demo(app, with_dakkapel=False)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    _fill_report(
        page, "Parkeervergunning per kenteken in plaats van per huishouden", "Bij een nieuwe auto opnieuw aanvragen."
    )
    expect(page.locator("#similar-results")).to_contain_text("Er zijn nog geen open meldingen")
    page.get_by_role("button", name="Melding versturen").dblclick()
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    expect(page.locator("[data-reference]")).to_have_text(REFERENCE_RE)
    assert count_reports(app) == 1


def test_without_javascript_similar_reports_come_as_a_step(app, live_server, new_page):
    demo = seed_demo(app)
    assert count_reports(app) == 1
    page = new_page(java_script_enabled=False)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    _fill_report(
        page,
        "Vergunning voor dakkapel ook nodig als buren akkoord zijn",
        "De inwoner moet acht weken wachten op een vergunning voor een dakkapel.",
    )
    page.get_by_role("button", name="Melding versturen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Is dit al gemeld?")
    expect(page.locator(".rk-similar-item")).to_contain_text(demo.dakkapel_reference)
    assert count_reports(app) == 1, "the step must come before anything is stored"

    page.get_by_role("button", name="Nee, verstuur mijn melding").click()
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    expect(page.locator("[data-reference]")).to_have_text(REFERENCE_RE)
    assert count_reports(app) == 2


def test_without_javascript_back_to_the_form_keeps_the_text(app, live_server, new_page):
    demo = seed_demo(app)
    page = new_page(java_script_enabled=False)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    rule = "Dakkapel vergunning duurt acht weken"
    _fill_report(page, rule, "Ook als de buren akkoord zijn.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is dit al gemeld?")
    page.get_by_role("button", name="Terug naar mijn melding").click()
    expect(page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan"))).to_have_value(rule)
    assert count_reports(app) == 1


def test_is_dit_al_gemeld_step_passes_axe(app, live_server, page: Page):
    """The no-JavaScript step, checked by axe in a page where app.js is left out."""
    demo = seed_demo(app)
    without_app_js(page)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    _fill_report(page, "Dakkapel vergunning ook als buren akkoord zijn", "Acht weken wachten.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is dit al gemeld?")
    expect(page).to_have_title(re.compile(r"^Is dit al gemeld\?"))
    axe_check(page, "'Is dit al gemeld?' step")

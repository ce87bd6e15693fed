"""The impact of a rule in a real browser: a medewerker adds an estimate in the folded part
of the report form, a coach solves the report and confirms the (prefilled, corrected)
estimate, and 'Wat we ontregelden' shows the hours saved, marked as an estimate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import REFERENCE_RE, axe_check, login

pytestmark = pytest.mark.browser


def test_a_coach_confirms_the_estimate_when_solving_and_the_hours_show(app, live_server, page: Page, new_page):
    demo = seed_demo(app, with_dakkapel=False)
    add_user(app, "Eva Jansen", "coach@rodeknop.test", roles=("employee", "coach"))

    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(
        "Parkeervergunning elk jaar opnieuw aanvragen"
    )
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill("Hetzelfde formulier, elk jaar weer.")
    # The estimate is folded away: the form stays two fields.
    expect(page.get_by_role("textbox", name=re.compile(r"^Hoe vaak per maand"))).to_be_hidden()
    page.get_by_text("Hoeveel tijd kost deze regel? (niet verplicht)").click()
    page.get_by_role("textbox", name=re.compile(r"^Hoe vaak per maand")).fill("120")
    page.get_by_role("textbox", name=re.compile(r"^Hoeveel minuten kost het de inwoner")).fill("20")
    page.get_by_role("textbox", name=re.compile(r"^Hoeveel minuten kost het medewerkers")).fill("10")
    page.get_by_role("radio", name="Inwoners").check()
    axe_check(page, "report form with the estimate open")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    reference = page.locator("[data-reference]").inner_text()
    assert REFERENCE_RE.fullmatch(reference)

    coach = new_page()
    login(coach, live_server, "coach@rodeknop.test")
    coach.goto(live_server + f"/meldingen/{reference}")
    expect(coach.locator("#impact")).to_contain_text("ongeveer 120 keer per maand")
    expect(coach.locator("#impact")).to_contain_text("nog niet")
    decide = coach.locator("#besluit")
    decide.get_by_role("radio", name=re.compile("^Opgelost")).check()
    decide.get_by_role("textbox", name=re.compile(r"^Uitleg voor de melder")).fill("De vergunning loopt voortaan door.")
    decide.get_by_role("textbox", name=re.compile(r"^Wat is er veranderd")).fill("Geen jaarlijkse aanvraag meer.")
    cases = decide.get_by_role("textbox", name=re.compile(r"^Hoe vaak per maand"))
    expect(cases).to_have_value("120")  # the reporter's estimate, prefilled
    decide.get_by_role("textbox", name=re.compile(r"^Hoeveel minuten kost het medewerkers")).fill("30")
    decide.get_by_role("checkbox", name="De tekst van deze melding mag openbaar").check()
    axe_check(coach, "report page with the decision and the estimate")
    decide.get_by_role("button", name="Besluit vastleggen").click()

    expect(coach.locator(".rk-flash--success, [role=status]").first).to_contain_text("Besluit vastgelegd")
    expect(coach.locator("#impact")).to_contain_text("Bevestigd")
    expect(coach.locator("#impact")).to_contain_text("door U op")
    # 120 × 12 × (20 + 30) / 60 = 1.200 hours a year.
    expect(coach.locator("#impact")).to_contain_text("1.200 uur per jaar (geschat)")

    page.goto(live_server + "/ontregeld/")
    hours = page.locator("#uren")
    expect(hours).to_contain_text("Geschatte tijdwinst per jaar")
    expect(hours.get_by_role("row", name=re.compile("Voor inwoners en ondernemers"))).to_contain_text("480 uur")
    expect(hours.get_by_role("row", name=re.compile("Voor medewerkers"))).to_contain_text("720 uur")
    expect(hours.get_by_role("row", name=re.compile(r"Samen \(geschat\)"))).to_contain_text("1.200 uur")
    expect(page.locator(f"#melding-{reference}")).to_contain_text("geschat 1.200 uur per jaar bespaard")
    axe_check(page, "Wat we ontregelden with hours saved")


def test_half_an_estimate_comes_back_open_with_its_message_and_the_summary_takes_focus(app, live_server, page: Page):
    demo = seed_demo(app, with_dakkapel=False)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(
        "Kopie paspoort bij elke aanvraag"
    )
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill("We hebben het al.")
    page.get_by_text("Hoeveel tijd kost deze regel? (niet verplicht)").click()
    page.get_by_role("textbox", name=re.compile(r"^Hoe vaak per maand")).fill("veel")
    page.get_by_role("button", name="Melding versturen").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Vul een heel getal in van 0 tot en met 1.000.000.")
    cases = page.get_by_role("textbox", name=re.compile(r"^Hoe vaak per maand"))
    expect(cases).to_be_visible()  # the folded part is open again
    expect(cases).to_have_value("veel")
    expect(cases).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").first.click()
    expect(cases).to_be_focused()
    axe_check(page, "report form with an estimate error")

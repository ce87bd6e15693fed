"""An anonymous report in the browser: coaches see the report but nowhere who made it;
the reporter still follows it under Mijn meldingen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import REFERENCE_RE, axe_check, login

pytestmark = pytest.mark.browser

RULE = "Bewijsstukken opnieuw opvragen die al in het dossier zitten"


def _assert_reporter_hidden(page: Page, name: str, email: str, where: str) -> None:
    html = page.content()
    for secret in (name, email):
        assert secret not in html, f"{secret!r} shows on {where} for a coach, although the report is anonymous"


def test_anonymous_report_hides_the_reporter_from_coaches(app, live_server, page: Page, new_page):
    demo = seed_demo(app, with_dakkapel=False)
    add_user(
        app, "Eva Jansen", "coach@rodeknop.test", roles=("employee", "coach"), department="Vergunningen en Toezicht"
    )

    # The reporter reports anonymously.
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(RULE)
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill(
        "Bij een heronderzoek vragen we bankafschriften opnieuw op."
    )
    anonymous = page.get_by_role("checkbox", name="Anoniem melden")
    expect(anonymous).to_have_attribute("aria-describedby", "anonymous-description")
    anonymous.check()
    expect(page.locator("#similar-results")).to_contain_text("Er zijn nog geen open meldingen")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page).to_have_url(re.compile(r"/bevestiging$"))
    reference = page.locator("[data-reference]").inner_text()
    assert REFERENCE_RE.fullmatch(reference)
    expect(page.locator("main")).to_contain_text("U heeft anoniem gemeld")
    axe_check(page, "confirmation (anonymous)")

    # A coach, in a browser of their own, sees the report but not who made it.
    coach = new_page()
    login(coach, live_server, "coach@rodeknop.test")
    coach.get_by_role("link", name="Alle meldingen").click()
    expect(coach).to_have_url(re.compile(r"/meldingen$"))
    row = coach.get_by_role("row", name=re.compile(re.escape(reference)))
    expect(row).to_contain_text("Anoniem")
    _assert_reporter_hidden(coach, demo.employee_name, demo.employee_email, "Alle meldingen")
    axe_check(coach, "Alle meldingen (coach)")

    row.get_by_role("link", name=RULE).click()
    expect(coach).to_have_url(re.compile(rf"/meldingen/{reference}$"))
    expect(coach.get_by_role("heading", level=1)).to_have_text(RULE)
    expect(coach.locator(".rk-facts")).to_contain_text("Anoniem")
    _assert_reporter_hidden(coach, demo.employee_name, demo.employee_email, f"/meldingen/{reference}")
    axe_check(coach, "report page (coach, anonymous report)")

    # The reporter still sees it as theirs.
    page.get_by_role("link", name="Naar Mijn meldingen").click()
    card = page.locator(f"#melding-{reference}")
    expect(card).to_contain_text("anoniem gemeld")
    expect(card.get_by_role("heading", level=3)).to_have_text(RULE)
    axe_check(page, "Mijn meldingen (anonymous report)")
    page.goto(live_server + f"/meldingen/{reference}")
    expect(page.locator(".rk-facts")).to_contain_text("U (anoniem)")

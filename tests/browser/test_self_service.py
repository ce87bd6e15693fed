"""Accounts that look after themselves, in the browser: a medewerker who forgot their
password gets a link by mail and chooses a new one; a coach whose first password was
typed by someone else chooses their own before reaching the board. axe-core on each page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.data import seed_demo
from tests.browser.helpers import axe_check, login
from tests.factories import TEMPORARY_PASSWORD, make_temporary_coach

pytestmark = pytest.mark.browser


def _last_link(app, address: str) -> str:
    from app.models import OutboxMessage

    with app.app_context():
        body = db.session.scalar(
            db.select(OutboxMessage.body_text)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    return urlsplit(re.search(r"http://\S+/wachtwoord-kiezen/\S+", body).group(0)).path


def test_a_forgotten_password_is_replaced_through_a_mailed_link(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    page.goto(live_server + "/inloggen")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten")
    axe_check(page, "Wachtwoord vergeten")
    page.get_by_role("button", name="Stuur mij een link").click()  # nothing filled in
    expect(page.locator("[data-error-summary]")).to_be_focused()
    axe_check(page, "Wachtwoord vergeten (error)")
    page.get_by_label(re.compile(r"^E-mailadres")).fill("medewerker@rodeknop.test")
    page.get_by_role("button", name="Stuur mij een link").click()
    expect(page).to_have_url(re.compile(r"/inloggen$"))
    expect(page.locator(".rk-flash--info")).to_contain_text("Als er een account bij Rode Knop is met dit e-mailadres")

    page.goto(live_server + _last_link(app, "medewerker@rodeknop.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies een nieuw wachtwoord")
    page.get_by_label(re.compile(r"^Nieuw wachtwoord")).fill("een nieuwe lange wachtzin")
    page.get_by_label(re.compile(r"^Herhaal")).fill("een nieuwe lange wachtzin")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.locator(".rk-flash--success")).to_contain_text("Uw wachtwoord is opgeslagen")
    login(page, live_server, "medewerker@rodeknop.test", "een nieuwe lange wachtzin")


def test_a_temporary_password_is_replaced_before_the_board(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    make_temporary_coach(app, "nieuwe.coach@rodeknop.test")
    login(page, live_server, "nieuwe.coach@rodeknop.test", TEMPORARY_PASSWORD)
    expect(page).to_have_url(re.compile(r"/wachtwoord$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies uw eigen wachtwoord")
    expect(page.locator(".rk-flash--info")).to_contain_text("Kies eerst uw eigen wachtwoord")
    axe_check(page, "Kies uw eigen wachtwoord")
    page.goto(live_server + "/bord/")
    expect(page).to_have_url(re.compile(r"/wachtwoord$"))
    page.get_by_label(re.compile(r"^Huidig wachtwoord")).fill(TEMPORARY_PASSWORD)
    page.get_by_label(re.compile(r"^Nieuw wachtwoord")).fill("mijn eigen lange wachtzin")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.locator(".rk-flash--success")).to_contain_text("Uw wachtwoord is gewijzigd")
    page.goto(live_server + "/bord/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bord")

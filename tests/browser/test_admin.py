"""The administrator's area in the browser: users (with a validation error first) and
departments. axe-core on every page and state."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import axe_check, login

pytestmark = pytest.mark.browser

ADMIN = "beheer@rodeknop.test"


@pytest.fixture
def admin_page(app, live_server, page: Page) -> Page:
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Pieter Visser", ADMIN, roles=("employee", "admin"), department="Burgerzaken")
    login(page, live_server, ADMIN)
    return page


def test_admin_adds_a_user_after_a_validation_error(app, live_server, admin_page: Page):
    page = admin_page
    page.locator("header").get_by_role("link", name="Beheer").click()
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebruikers")
    expect(page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Gebruikers")).to_have_attribute(
        "aria-current", "page"
    )
    axe_check(page, "Beheer: Gebruikers")

    page.get_by_role("link", name="Gebruiker toevoegen").click()
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers/nieuw$"))
    axe_check(page, "Beheer: Gebruiker toevoegen (empty)")

    page.get_by_label(re.compile(r"^Naam")).fill("Joris Smit")
    page.get_by_label(re.compile(r"^E-mailadres")).fill("joris.smit@rodeknop.test")
    page.get_by_label(re.compile(r"^Afdeling")).select_option(label="Belastingen")
    # The beheerder chooses no password for someone else.
    expect(page.get_by_label(re.compile(r"^Wachtwoord"))).to_have_count(0)
    page.get_by_role("button", name="Account aanmaken en uitnodiging sturen").click()  # no role chosen

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("Kies minstens één rol"))
    expect(link).to_have_attribute("href", "#roles-0")
    roles = page.get_by_role("group", name=re.compile(r"^Rollen"))
    expect(roles).to_have_attribute("aria-describedby", re.compile(r"\broles-error\b"))
    expect(page.locator("#roles-error")).to_contain_text("Kies minstens één rol")
    # What was typed is kept.
    expect(page.get_by_label(re.compile(r"^Naam"))).to_have_value("Joris Smit")
    axe_check(page, "Beheer: Gebruiker toevoegen (error)")
    link.click()
    expect(page.locator("#roles-0")).to_be_focused()

    roles.get_by_role("checkbox", name="medewerker").check()
    page.get_by_role("button", name="Account aanmaken en uitnodiging sturen").click()

    # (A redirect keeps the #roles-0 the summary link added to the address.)
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers(#[\w-]*)?$"))
    expect(page.locator(".rk-flash--success")).to_contain_text("Account voor Joris Smit aangemaakt")
    row = page.get_by_role("row", name=re.compile("Joris Smit"))
    expect(row).to_contain_text("joris.smit@rodeknop.test")
    expect(row).to_contain_text("Belastingen")
    expect(row).to_contain_text("medewerker")
    expect(row).to_contain_text("Uitgenodigd, nog geen wachtwoord")
    axe_check(page, "Beheer: Gebruikers (after adding)")

    # Joris follows the invitation's link and chooses his own password.
    page.get_by_role("button", name="Uitloggen").click()
    with app.app_context():
        from app.extensions import db
        from app.models import OutboxMessage

        body = db.session.scalar(
            db.select(OutboxMessage.body_text).where(OutboxMessage.to_address == "joris.smit@rodeknop.test")
        )
    link = re.search(r"http://\S+/wachtwoord-kiezen/\S+", body).group(0)
    page.goto(live_server + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kies uw wachtwoord")
    axe_check(page, "Wachtwoord kiezen")
    page.get_by_label(re.compile(r"^Nieuw wachtwoord")).fill("een lang eerste wachtwoord")
    page.get_by_label(re.compile(r"^Herhaal")).fill("een lang eerste wachtwoord")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.locator(".rk-flash--success")).to_contain_text("Uw wachtwoord is opgeslagen")
    login(page, live_server, "joris.smit@rodeknop.test", "een lang eerste wachtwoord")


def test_admin_departments(live_server, admin_page: Page):
    page = admin_page
    page.goto(live_server + "/beheer/afdelingen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Afdelingen")
    expect(page.get_by_role("link", name="Burgerzaken")).to_be_visible()
    axe_check(page, "Beheer: Afdelingen")

    page.get_by_role("button", name="Toevoegen").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    field = page.get_by_label(re.compile(r"^Naam van de afdeling"))
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_check(page, "Beheer: Afdelingen (error)")

    field.fill("Sport en Cultuur")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator(".rk-flash--success")).to_contain_text("Afdeling Sport en Cultuur toegevoegd")
    page.get_by_role("link", name="Sport en Cultuur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afdeling Sport en Cultuur")
    axe_check(page, "Beheer: Afdeling bewerken")

"""Notifications in the browser, with axe-core in every state: a lawyer chooses per kind of
mail on Mijn instellingen (keyboard only); the beheerder deactivates a coach who still
follows up a report and is asked who takes it over; a lawyer takes a dossier on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import axe_check, login
from tests.factories import make_dossier, make_report

pytestmark = pytest.mark.browser

LAWYER = "jurist@rodeknop.test"
COACH = "coach@rodeknop.test"
ADMIN = "beheer@rodeknop.test"


def test_a_lawyer_chooses_mail_per_kind_with_the_keyboard(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Fatima Yilmaz", LAWYER, roles=("employee", "legal"))
    login(page, live_server, LAWYER)
    page.goto(live_server + "/instellingen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn instellingen")
    group = page.get_by_role("group", name=re.compile("Nieuwe escalaties voor Juridische Zaken"))
    expect(group.get_by_role("radio", name="Direct een e-mail")).to_be_checked()
    # A weekly mail offers no daily overview.
    overviews = page.get_by_role("group", name=re.compile("Agenda's en weekoverzichten"))
    expect(overviews.get_by_role("radio")).to_have_count(2)
    axe_check(page, "Mijn instellingen (jurist)")

    group.get_by_role("radio", name="Direct een e-mail").focus()
    page.keyboard.press("ArrowDown")  # radios in a group move with the arrow keys
    expect(group.get_by_role("radio", name="Eén e-mail per dag met alles bij elkaar")).to_be_checked()
    page.get_by_role("button", name="Opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Uw keuzes voor e-mail zijn opgeslagen.")).to_be_visible()
    expect(
        page.get_by_role("group", name=re.compile("Nieuwe escalaties")).get_by_role(
            "radio", name="Eén e-mail per dag met alles bij elkaar"
        )
    ).to_be_checked()
    axe_check(page, "Mijn instellingen (saved)")


def test_deactivating_a_busy_coach_asks_who_takes_over(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Eva Jansen", COACH, roles=("employee", "coach"))
    add_user(app, "Daan de Boer", "coach2@rodeknop.test", roles=("employee", "coach"))
    add_user(app, "Pieter Visser", ADMIN, roles=("employee", "admin"))
    from app.models import User
    from app.services.workflow import assign_report

    with app.app_context():
        eva = db.session.scalar(db.select(User).where(User.email == COACH))
        sanne = db.session.scalar(db.select(User).where(User.email == "medewerker@rodeknop.test"))
        assign_report(make_report(sanne, rule="Een regel waar Eva achteraan gaat"), eva, actor=eva)
        db.session.commit()
        eva_id = eva.id
    login(page, live_server, ADMIN)
    page.goto(live_server + f"/beheer/gebruikers/{eva_id}")
    expect(page.get_by_role("group", name="Werk overdragen")).to_contain_text("gaat nu achter 1 open melding aan")
    axe_check(page, "Gebruiker met open werk")
    page.get_by_label("Account actief").uncheck()
    page.get_by_role("button", name="Opslaan").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Kies wie er achter de open melding van Eva Jansen aangaat.")
    axe_check(page, "Gebruiker met open werk (error)")
    page.get_by_label(re.compile("Wie gaat achter de open melding aan")).select_option(label="Daan de Boer")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Gegevens van Eva Jansen opgeslagen.")).to_be_visible()


def test_a_lawyer_takes_a_dossier_on(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Fatima Yilmaz", LAWYER, roles=("employee", "legal"))
    add_user(app, "Eva Jansen", COACH, roles=("employee", "coach"))
    from app.models import User

    with app.app_context():
        sanne = db.session.scalar(db.select(User).where(User.email == "medewerker@rodeknop.test"))
        coach = db.session.scalar(db.select(User).where(User.email == COACH))
        dossier_id = make_dossier(make_report(sanne, rule="Kostendelersnorm"), coach).id
        db.session.commit()
    login(page, live_server, LAWYER)
    page.goto(live_server + f"/juridisch/dossiers/{dossier_id}")
    page.get_by_role("button", name="Ik pak dit dossier op").click()
    expect(page.get_by_text(re.compile(r"U bent nu eigenaar van ESC-\d{4}"))).to_be_visible()
    expect(page.locator(".rk-facts")).to_contain_text("Eigenaar bij Juridische Zaken")
    expect(page.get_by_role("button", name="Ik pak dit dossier op")).to_have_count(0)
    axe_check(page, "Dossier opgepakt")

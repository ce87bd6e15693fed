"""The second factor in Chromium: a coach whose role requires it is sent to its setup page,
reads the key off the page, confirms with a code computed from it (pyotp, a real code),
keeps the recovery codes, and logs in again with password and code. The beheerder wipes a
lost second factor. axe-core on every page and state (setup, error, codes, code page)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import axe_check, login, no_horizontal_scroll
from tests.factories import PASSWORD, enable_second_factor

pytestmark = pytest.mark.browser

COACH = "coach@rodeknop.test"
ADMIN = "beheer@rodeknop.test"


def _fresh_step() -> float:
    """Early in a 30-second step, so the steps counted from here do not roll over mid-test."""
    if time.time() % 30 > 15:
        time.sleep(30 - time.time() % 30 + 0.05)
    return time.time()


def _password(page: Page, base: str, email: str) -> None:
    page.goto(base + "/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_coach_sets_up_the_second_factor_and_logs_in_with_a_code(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Eva Jansen", COACH, roles=("employee", "coach"))
    app.config.update(MFA_REQUIRED_ROLES=("admin", "coach", "legal"))

    _password(page, live_server, COACH)
    # Required for the role: the setup page, and nothing else, until it is on.
    expect(page).to_have_url(re.compile(r"/instellingen/tweestapsverificatie$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie")
    expect(page.get_by_text("Voor uw rol is de tweestapsverificatie verplicht")).to_be_visible()
    expect(page.locator("svg.rk-qr")).to_be_visible()
    axe_check(page, "Tweestapsverificatie instellen")
    no_horizontal_scroll(page)  # the QR code and the key fit at 320 px
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/bord/")
    expect(page).to_have_url(re.compile(r"/instellingen/tweestapsverificatie$"))

    t0 = _fresh_step()
    key = page.locator("#sleutel").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", key)
    totp = pyotp.TOTP(key.replace(" ", ""))

    code = page.get_by_label(re.compile(r"^Code uit uw app"))
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    code.fill("000000" if totp.at(t0) != "000000" else "111111")
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Deze code klopt niet")
    expect(code).to_have_attribute("aria-invalid", "true")
    axe_check(page, "Tweestapsverificatie instellen (verkeerde code)")

    code.fill(totp.at(t0))
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw herstelcodes")
    codes = page.locator(".rk-recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", c) for c in codes)
    expect(page.get_by_role("button", name="Codes afdrukken")).to_be_visible()
    axe_check(page, "Herstelcodes")
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server + "/bord/")
    expect(page).to_have_url(re.compile(r"/bord/$"))
    page.get_by_role("button", name="Uitloggen").click()

    # Password, then the code page: a wrong code first, then the app's next code.
    _password(page, live_server, COACH)
    expect(page).to_have_url(re.compile(r"/inloggen/code$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Code uit uw app")
    axe_check(page, "Code uit uw app")
    login_code = page.get_by_label(re.compile(r"^Code uit uw app"))
    expect(login_code).to_be_focused()
    login_code.fill(totp.at(t0))  # the code that switched it on: used already
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.locator("[data-error-summary]")).to_contain_text("klopt niet of is al gebruikt")
    axe_check(page, "Code uit uw app (verkeerde code)")
    page.get_by_label(re.compile(r"^Code uit uw app")).fill(totp.at(t0 + 30))
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.goto(live_server + "/bord/")
    expect(page).to_have_url(re.compile(r"/bord/$"))

    page.goto(live_server + "/instellingen/tweestapsverificatie")
    expect(page.get_by_text("staat aan sinds")).to_be_visible()
    axe_check(page, "Tweestapsverificatie (aan)")


def test_the_beheerder_wipes_a_lost_second_factor(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Pieter Visser", ADMIN, roles=("employee", "admin"))
    add_user(app, "Eva Jansen", COACH, roles=("employee", "coach"))
    from app.models import User

    with app.app_context():
        coach = db.session.scalar(db.select(User).where(User.email == COACH))
        enable_second_factor(coach)
        db.session.commit()
        coach_id = coach.id

    login(page, live_server, ADMIN)
    page.goto(f"{live_server}/beheer/gebruikers/{coach_id}")
    panel = page.get_by_role("region", name="Tweestapsverificatie")
    expect(panel).to_contain_text("aangezet op")
    axe_check(page, "Beheer: gebruiker met tweestapsverificatie")
    panel.get_by_role("button", name="Tweestapsverificatie wissen").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Vink aan")
    box = page.get_by_label("Ja, wis de tweestapsverificatie van dit account")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-describedby", "confirm-error")
    axe_check(page, "Beheer: wissen zonder bevestiging")
    page.get_by_label("Ja, wis de tweestapsverificatie van dit account").check()
    page.get_by_role("button", name="Tweestapsverificatie wissen").click()
    expect(page.get_by_text("De tweestapsverificatie van Eva Jansen is gewist")).to_be_visible()
    expect(page.get_by_role("region", name="Tweestapsverificatie")).to_contain_text("geen tweestapsverificatie")

"""Single sign-on in a real browser against a real OpenID Connect provider
(tests/oidc/provider.mjs): a new employee signs in with the municipality's account, reports a
rule without ever seeing a Rode Knop password, and logging out ends the provider's session
too. axe-core checks the new pages."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import User
from app.services.users import has_password
from tests.browser.conftest import QuietHandler, answered_from_memory
from tests.browser.data import count_reports
from tests.browser.helpers import axe_check, red_button
from tests.oidc.fixtures import ACCOUNTS, _free_port, sso_config

pytestmark = pytest.mark.browser


@pytest.fixture
def sso_site(database_url, oidc_provider):
    """The app with single sign-on, served on a port chosen first (the provider must know
    the redirect URI before the app starts)."""
    from tests.conftest import _empty_tables

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(sso_config(database_url, oidc_provider, base=base))
    app.config.update({"WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", port, answered_from_memory(app), threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield app, base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        _empty_tables(app)


@pytest.fixture
def sso_page(browser, sso_site):
    from tests.browser.conftest import CONTEXT_DEFAULTS
    from tests.browser.helpers import watch_console

    context = browser.new_context(**CONTEXT_DEFAULTS)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch_console(page)
    yield page
    context.close()


def _sign_in_at_provider(page: Page, login: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij de testgemeente")
    page.get_by_label("Gebruikersnaam").fill(login)
    page.get_by_label("Wachtwoord").fill(ACCOUNTS[login]["password"])
    page.get_by_role("button", name="Aanmelden").click()


def test_a_new_employee_signs_in_with_the_municipality_reports_a_rule_and_logs_out_everywhere(sso_site, sso_page):
    app, base = sso_site
    app.config["LOCAL_LOGIN"] = False  # no Rode Knop password anywhere in sight
    page = sso_page

    page.goto(base + "/mijn-meldingen")
    expect(page).to_have_url(re.compile(r"/inloggen\?next="))
    expect(page.locator("input[type=password]")).to_have_count(0)
    axe_check(page, "login page with single sign-on, local passwords off")
    sso_link = page.get_by_role("link", name="Inloggen met uw account van de gemeente")
    sso_link.click()

    _sign_in_at_provider(page, "nieuw")
    expect(page).to_have_url(base + "/mijn-meldingen")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.locator(".utrecht-alert, [role=status]").first).to_contain_text("Welkom, Noor Nieuw")
    axe_check(page, "Mijn meldingen after signing in with the municipality")

    red_button(page).click()
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(
        "Reiskosten alleen vergoed met originele bonnetjes op papier"
    )
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill(
        "Inwoners met een digitaal kaartje kunnen hun reiskosten niet declareren."
    )
    page.get_by_role("button", name="Melding versturen").click()
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    assert count_reports(app) == 1
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user.email == ACCOUNTS["nieuw"]["email"] and user.roles == {"employee"}
        assert not has_password(user), "the account has no Rode Knop password at all"

    page.goto(base + "/instellingen")
    expect(page.get_by_text("Uw wachtwoord wijzigt u bij de gemeente")).to_be_visible()
    axe_check(page, "Mijn instellingen of someone who signs in with the municipality")

    # Logging out ends the session at the provider too (RP-initiated logout).
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afmelden bij de testprovider")
    page.get_by_role("button", name="Ja, meld mij af").click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/inloggen(\?.*)?$"))
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    page.get_by_role("link", name="Inloggen met uw account van de gemeente").click()
    # The provider asks again: its session ended as well.
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()


def test_the_new_pages_pass_axe(sso_site, sso_page):
    app, base = sso_site
    page = sso_page
    page.goto(base + "/inloggen")
    expect(page.get_by_role("heading", level=2)).to_have_text("Of log in met e-mailadres en wachtwoord")
    axe_check(page, "login page with single sign-on and local passwords")

    app.config["LOCAL_LOGIN"] = False
    page.goto(base + "/inloggen")
    page.get_by_role("link", name=re.compile("Noodtoegang voor de beheerder")).click()
    expect(page.get_by_label("Wachtwoord")).to_be_visible()
    axe_check(page, "break-glass login form")
    page.get_by_label("E-mailadres").fill("iemand@gemeente.example")
    page.get_by_label("Wachtwoord").fill("niet-het-goede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".utrecht-form-field-error-message, [role=alert]").first).to_be_visible()
    axe_check(page, "break-glass login refused")

    # Cancelling at the provider comes back as a Dutch refusal.
    page.goto(base + "/inloggen/gemeente")
    page.get_by_role("button", name="Annuleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen is afgebroken")
    axe_check(page, "sign-in cancelled at the provider")

    page.goto(base + "/inloggen/gemeente/terug?code=x&state=y")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze inlogpoging is verlopen")
    axe_check(page, "callback without a sign-in in this browser")


def test_the_beheerder_sees_which_roles_come_from_the_municipality(sso_site, sso_page):
    from app.models import UserRole
    from tests.browser.helpers import login
    from tests.factories import make_user

    app, base = sso_site
    with app.app_context():
        make_user(email="beheer@gemeente.example", roles=("employee", "admin"))
        person = make_user(name="Cees Coach", email="cees@gemeente.example", roles=("employee",))
        person.oidc_issuer, person.oidc_subject = "https://sso.gemeente.example", "sub-1"
        person.role_rows.append(UserRole(role="coach", from_provider=True))
        db.session.commit()
        person_id = person.id
    page = sso_page
    login(page, base, "beheer@gemeente.example")
    page.goto(f"{base}/beheer/gebruikers/{person_id}")
    expect(page.get_by_role("heading", name="Account van de gemeente")).to_be_visible()
    expect(page.locator("#gemeente")).to_contain_text("Uit de groepen van de gemeente: ontregelcoach.")
    axe_check(page, "a user who signs in with the municipality, as the beheerder sees them")

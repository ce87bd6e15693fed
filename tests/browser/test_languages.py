"""The red-button story in the other catalogs (app/i18n.py): a municipality that says "je",
and a colleague who chose English under Mijn instellingen. Press the red button, fill in the
two fields, see the confirmation, open Mijn meldingen; axe-core on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.browser.helpers import REFERENCE_RE, axe_check
from tests.conftest import INSTANCE_DIR, _empty_tables
from tests.factories import PASSWORD, make_department, make_user

pytestmark = pytest.mark.browser

# What the reader sees in each catalog, and the words that must not be there.
STORY = {
    "je": {
        "settings": {"TONE": "je"},
        "language": None,
        "lang": "nl",
        "red_button": "Rode knop: meld een regel",
        "rule": "Welke regel loop je tegenaan?",
        "problem": "Wat gaat er mis?",
        "no_similar": "Er zijn nog geen open meldingen die hierop lijken.",
        "send": "Melding versturen",
        "thanks": "Bedankt, je melding is ontvangen",
        "to_mine": "Naar Mijn meldingen",
        "mine": "Mijn meldingen",
        "reported": "door jou gemeld",
        "forbidden": re.compile(r"\b(u|uw|U|Uw)\b"),
    },
    "en": {
        "settings": {},
        "language": "en",
        "lang": "en",
        "red_button": "Red button: report a rule",
        "rule": "Which rule do you run into?",
        "problem": "What goes wrong?",
        "no_similar": "There are no open reports like this yet.",
        "send": "Send report",
        "thanks": "Thank you, your report has been received",
        "to_mine": "Go to My reports",
        "mine": "My reports",
        "reported": "reported by you",
        "forbidden": re.compile(r"\b(de|het|een|van|niet|uw|u|je|melding|meldingen)\b"),
    },
}


@pytest.fixture(params=list(STORY))
def story(request):
    return STORY[request.param]


@pytest.fixture
def app(database_url, story):
    """The app as the municipality configured it (its tone), for this module's live server."""
    config = type("StoryConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **story["settings"]})
    app = create_app(config)
    app.instance_path = INSTANCE_DIR
    app.config.update({"WTF_CSRF_ENABLED": True})
    yield app
    _empty_tables(app)


def _visible(page: Page) -> str:
    return page.evaluate("() => document.body.innerText")


def test_red_button_story(app, live_server, page: Page, story):
    with app.app_context():
        user = make_user("Lin Gamma", email="lin@example.test", department=make_department("Burgerzaken"))
        user.language = story["language"]
        db.session.commit()
    page.goto(live_server + "/inloggen")
    page.get_by_label("E-mailadres").fill("lin@example.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.locator("header").get_by_role("link", name=story["red_button"]).click()
    expect(page).to_have_url(re.compile(r"/melden$"))
    axe_check(page, "report form", lang=story["lang"])
    page.get_by_role("textbox", name=re.compile("^" + re.escape(story["rule"]))).fill("Formulier A12 paspoort")
    page.get_by_role("textbox", name=re.compile("^" + re.escape(story["problem"]))).fill("Probleem B7")
    # The similar reports come from the server while typing, in the reader's language too.
    expect(page.locator("#similar-results")).to_contain_text(story["no_similar"])
    assert not story["forbidden"].findall(_visible(page).replace("Formulier A12 paspoort", ""))
    page.get_by_role("button", name=story["send"]).click()

    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(story["thanks"])
    expect(page.locator("[data-reference]")).to_have_text(REFERENCE_RE)
    axe_check(page, "confirmation", lang=story["lang"])
    assert not story["forbidden"].findall(_visible(page)), _visible(page)

    page.get_by_role("link", name=story["to_mine"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(story["mine"])
    expect(page.locator(".rk-report")).to_contain_text(story["reported"])
    axe_check(page, "Mijn meldingen", lang=story["lang"])
    visible = _visible(page).replace("Formulier A12 paspoort", "")
    assert not story["forbidden"].findall(visible), visible

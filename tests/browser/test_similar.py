"""Similar reports while typing, in a real browser: one word (with a typo) is enough, the
panel follows the text (old suggestions go, late answers to an older text are dropped,
too little text shows the introduction again), and a report the user already follows
says so; pressing 'Ik loop hier ook tegenaan' after all keeps what they typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.data import seed_demo
from tests.browser.helpers import axe_check, login
from tests.factories import make_report, make_support, make_user

pytestmark = pytest.mark.browser

INTRO = "Terwijl u de regel beschrijft"


def _rule(page: Page):
    return page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan"))


def _items(page: Page):
    return page.locator("#similar-results .rk-similar-item")


def test_one_word_finds_and_the_panel_follows_the_text(app, live_server, page: Page):
    demo = seed_demo(app)
    with app.app_context():
        other = make_user("Ali Bakker", email="ali@rodeknop.test")
        passport = make_report(other, rule="Afspraak voor een paspoort alleen online", problem="Geen computer.")
        db.session.commit()
        passport_reference = passport.reference
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")

    _rule(page).press_sequentially("dakapel", delay=20)  # one word, with a typo
    expect(_items(page)).to_have_count(1)
    expect(_items(page)).to_contain_text(demo.dakkapel_reference)
    expect(page.locator("#similar-status")).to_have_text("1 melding lijkt op wat u beschrijft.")
    axe_check(page, "report form with one suggestion")

    # Another subject: the dakkapel suggestion goes at once, the new one comes.
    _rule(page).fill("paspoort")
    expect(page.locator("#similar-results")).not_to_contain_text(demo.dakkapel_reference)
    expect(_items(page)).to_contain_text(passport_reference)

    # Too little text: the introduction again, nothing stale.
    _rule(page).fill("pa")
    expect(_items(page)).to_have_count(0)
    expect(page.locator("#similar-results")).to_contain_text(INTRO)
    expect(page.locator("#similar-hint")).to_be_hidden()


def test_a_late_answer_to_an_older_text_is_dropped(app, live_server, page: Page):
    demo = seed_demo(app)
    # The answer for 'dakkapel' is held back until after the next one has arrived.
    page.add_init_script(
        """
        (function () {
          var original = window.fetch;
          window.fetch = function (url, options) {
            var promise = original(url, options);
            if (String(url).indexOf("dakkapel") === -1) { return promise; }
            return promise.then(function (response) {
              return new Promise(function (resolve) { setTimeout(function () { resolve(response); }, 1500); });
            });
          };
        })();
        """
    )
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    _rule(page).fill("dakkapel")
    page.wait_for_timeout(600)  # its request is on its way
    _rule(page).fill("zwembad openingstijden")
    expect(page.locator("#similar-results")).to_contain_text("Er zijn nog geen open meldingen")
    page.wait_for_timeout(1800)  # the late answer has come and gone
    expect(page.locator("#similar-results")).to_contain_text("Er zijn nog geen open meldingen")
    expect(_items(page)).to_have_count(0)


def test_already_followed_says_so_and_the_draft_survives(app, live_server, page: Page):
    demo = seed_demo(app)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    rule = "Dakapel aan de achterkant"
    problem = "Mijn eigen verhaal, nog niet af."
    _rule(page).fill(rule)
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill(problem)
    item = _items(page).filter(has_text=demo.dakkapel_reference)
    expect(item.get_by_role("button", name="Ik loop hier ook tegenaan")).to_be_visible()

    # Meanwhile (another tab) she already says she runs into it too.
    with app.app_context():
        from app.models import Report, User

        sanne = db.session.scalar(db.select(User).where(User.email == demo.employee_email))
        report = db.session.scalar(db.select(Report).where(Report.rule.like("Dakkapel%")))
        make_support(sanne, report, "Uit het andere tabblad")
        db.session.commit()

    item.get_by_role("button", name="Ik loop hier ook tegenaan").click()
    expect(page.get_by_role("status").filter(has_text="U volgt deze melding al")).to_be_visible()
    expect(page.get_by_role("heading", name="Uw melding is nog niet verstuurd")).to_be_visible()
    axe_check(page, "already following, with the draft")
    page.get_by_role("button", name="Verder met mijn melding").click()
    expect(_rule(page)).to_have_value(rule)
    expect(page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis"))).to_have_value(problem)

    # Now the suggestion itself says so, instead of the button.
    item = _items(page).filter(has_text=demo.dakkapel_reference)
    expect(item).to_contain_text("U volgt deze melding al")
    expect(item.get_by_role("button", name="Ik loop hier ook tegenaan")).to_have_count(0)

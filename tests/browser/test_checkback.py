"""'Merkbaar beter?' in a real browser: the question is mailed through a real SMTP server on
loopback to an anonymous reporter; its 'nee' link is opened in Chromium without logging in,
answered with a comment, and the report is back on the board for the coach, who reads why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.jobs import checkback
from app.notify import deliver_outbox
from tests.browser.helpers import axe_check, login
from tests.factories import make_report, make_user, solve_report
from tests.smtp import Inbox

pytestmark = pytest.mark.browser

COMMENT = "Aan de balie vragen ze nog steeds om het uittreksel."


def test_an_anonymous_reporter_answers_no_and_the_report_is_back_on_the_board(app, live_server, new_page, smtp):
    app.config["APP_BASE_URL"] = live_server  # the mail's links point to this server
    with app.app_context():
        coach = make_user("Eva Jansen", email="coach@example.test", roles=("employee", "coach"))
        anna = make_user("Anna Anoniem", email="anna@example.test")
        report = make_report(anna, rule="Uittreksel BRP op papier voor eigen gemeente", anonymous=True)
        solve_report(report, coach)
        db.session.commit()
        reference = report.reference
        assert checkback()["mails"] == 1
        deliver_outbox()
    [mail] = [m for m in smtp.inbox.to("anna@example.test") if m["Subject"].startswith("Merkbaar beter?")]
    html = Inbox.html(mail)
    assert "Anna" not in html
    link = re.search(r'href="([^"]+\?antwoord=nee)"', html).group(1).replace("&amp;", "&")
    assert link.startswith(live_server + "/merkbaar-beter/")

    page: Page = new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Merkbaar beter?")
    expect(page.get_by_role("radio", name="Nee")).to_be_checked()
    expect(page.get_by_text("Anna")).to_have_count(0)
    axe_check(page, "Merkbaar beter? (the question)")
    page.get_by_label("Toelichting").fill(COMMENT)
    page.get_by_role("button", name="Verstuur mijn antwoord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw antwoord")
    expect(page.get_by_role("status")).to_contain_text("staat de melding weer op het bord")
    axe_check(page, "Merkbaar beter? (thanks)")

    # The same link a second time: a clear page, nothing recorded twice.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("U heeft deze vraag al beantwoord")
    axe_check(page, "Merkbaar beter? (used link)")

    coach_page: Page = new_page()
    login(coach_page, live_server, "coach@example.test")
    coach_page.goto(live_server + "/bord/")
    in_progress = coach_page.locator("section.rk-board__column--in-behandeling")
    expect(in_progress.get_by_text(reference, exact=True)).to_be_visible()
    expect(coach_page.locator("section.rk-board__column--afgerond").get_by_text(reference, exact=True)).to_have_count(0)
    axe_check(coach_page, "board after 'nee' (coach)")
    coach_page.goto(f"{live_server}/meldingen/{reference}")
    expect(coach_page.get_by_text(COMMENT)).to_be_visible()
    expect(coach_page.get_by_text("Anna")).to_have_count(0)
    axe_check(coach_page, "report page after 'nee' (coach)")

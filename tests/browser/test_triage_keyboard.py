"""The weekly session in a real browser: a coach goes from agenda to minutes with the
keyboard alone, while the SMTP server is down; afterwards every reporter and supporter of
a decided report finds the decision and its explanation in a real SMTP server's inbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import OutboxMessage, Report, User
from app.models.base import utcnow
from app.notify import deliver_outbox, follower_kind, followers
from app.services.triage import start_session
from tests.browser.helpers import axe_check, login, no_horizontal_scroll, shot
from tests.factories import make_report, make_user

pytestmark = pytest.mark.browser


def _seed(app):
    from app.demo import seed_demo

    with app.app_context():
        # The demo's own dozen reports: the year of reports for Inzicht would fill the agenda.
        seed_demo(insight=False)
        db.session.commit()


def _focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? (e.id || e.tagName) + '|' + (e.textContent || '').trim().slice(0, 60) : '' }"
    )


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _wait_heading(page: Page, text: str) -> None:
    expect(page.locator("#punt-titel")).to_contain_text(text)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'punt-titel'")


def test_keyboard_session(app, live_server, page: Page, smtp):
    _seed(app)
    with app.app_context():
        first = db.session.scalar(db.select(Report).order_by(Report.id)).reference
        # What the demo data already queued is not what this test is about.
        deliver_outbox()
        db.session.execute(db.delete(OutboxMessage))
        db.session.commit()
    smtp.inbox.messages.clear()
    smtp.stop()  # the mail server is down during the whole session
    page.goto(live_server + "/inloggen")
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type("coach@rodeknop.test")
    page.keyboard.press("Tab")
    page.keyboard.type("rodeknop-demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    _tab_to(page, 'nav a[href="/weekoverleg/"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekoverleg")
    axe_check(page, "start page")
    _tab_to(page, "#start-form button[type=submit]")
    page.keyboard.press("Enter")
    _wait_heading(page, "Punt 1 van 6")
    clock = page.locator("[role=timer]")
    expect(clock).to_have_text(re.compile(r"^(30:00|29:\d\d)$"))
    before = clock.text_content()
    page.wait_for_timeout(1500)
    assert clock.text_content() != before
    expect(page.locator("[data-triage-shortcuts]")).to_be_visible()
    axe_check(page, "session page")
    shot(page, "triage-session")
    # o: take on item 1
    page.keyboard.press("o")
    _wait_heading(page, "Punt 2 van 6")
    expect(page.locator(".rk-flashes")).to_contain_text("Eva Jansen gaat erachteraan")
    # n: next item (3) without deciding
    page.keyboard.press("n")
    _wait_heading(page, "Punt 3 van 6")
    # t: assign to Daan; the session moves on to item 4 (never back to the skipped-past 2)
    page.keyboard.press("t")
    assert page.evaluate("() => document.activeElement.id") == "assign-assignee_id"
    page.keyboard.press("ArrowDown")
    assert page.locator("#assign-assignee_id").input_value() != ""
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    _wait_heading(page, "Punt 4 van 6")
    expect(page.locator(".rk-flashes")).to_contain_text("Daan Bakker gaat erachteraan")
    # s: merge item 4 into the first demo report: first shown, then confirmed
    page.keyboard.press("s")
    assert page.evaluate("() => document.activeElement.id") == "merge-target"
    page.keyboard.type(first)
    page.keyboard.press("Tab")
    page.keyboard.type("Zelfde soort regel, we pakken ze samen op.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    preview = page.locator("[data-triage-preview]")
    expect(preview).to_be_focused()
    expect(preview).to_contain_text(first)
    axe_check(page, "merge preview")
    _tab_to(page, "#merge-form button[type=submit]")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == f"Ja, samenvoegen met {first}"
    page.keyboard.press("Enter")
    _wait_heading(page, "Punt 5 van 6")
    # b: decide item 5 without explanation first -> error summary focused
    page.keyboard.press("b")
    assert page.evaluate("() => document.activeElement.id") == "decide-outcome-0"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "decide-explanation"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "decide-what_changed"
    page.keyboard.type("Het formulier vraagt het niet meer op.")
    for expected in (
        "decide-law_title",
        "decide-article",
        "decide-bwb_id",
        # The impact estimate a solving coach confirms, and the open-data mark.
        "decide-cases_per_month",
        "decide-minutes_inhabitant",
        "decide-minutes_staff",
        "decide-affected-0",
        "decide-text_public",
    ):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == expected
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Besluit vastleggen"
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    axe_check(page, "session page with an error")
    shot(page, "triage-error")
    page.keyboard.press("Tab")  # the link in the error summary
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "decide-explanation"
    page.keyboard.type("Opgelost: we vragen het bewijsstuk niet meer opnieuw op, omdat het in het dossier zit.")
    # what_changed, the law (3), the estimate (3 fields, the radio group) and the mark: then the button.
    _tab_to(page, "#decide-form button[type=submit]", 10)
    page.keyboard.press("Enter")
    _wait_heading(page, "Punt 6 van 6")
    # x: skip item 6; nothing is left ahead, so back to item 2 (not discussed), and said so
    page.keyboard.press("x")
    _wait_heading(page, "Punt 2 van 6")
    expect(page.locator(".rk-flashes")).to_contain_text("u gaat terug naar punt 2")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("b")
    page.keyboard.press("ArrowDown")  # second radio: landelijk agenderen (arrow keys also check it)
    assert page.locator("#decide-outcome-1").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Dit staat in de landelijke wet; Juridische Zaken agendeert het.")
    page.keyboard.press("Tab")  # what_changed: not needed for this outcome
    page.keyboard.press("Tab")
    page.keyboard.type("Wet basisregistratie personen")
    page.keyboard.press("Tab")
    page.keyboard.type("art. 2.38")
    _tab_to(page, "#decide-form button[type=submit]", 7)  # past the BWB-id, the estimate and the mark
    page.keyboard.press("Enter")
    # Only the skipped item 6 is left: the session offers it again.
    _wait_heading(page, "Punt 6 van 6")
    expect(page.locator(".rk-flashes")).to_contain_text("u gaat terug naar punt 6, dat is overgeslagen")
    axe_check(page, "back to a skipped item")
    _tab_to(page, "#end-form button[type=submit]", 200)
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Weekoverleg afsluiten", _focused(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Besluitenlijst weekoverleg")
    table = page.locator("table")
    expect(table).to_contain_text("Eva Jansen gaat erachteraan")
    expect(table).to_contain_text("Daan Bakker gaat erachteraan")
    expect(table).to_contain_text("Opgelost: Opgelost: we vragen")
    expect(table).to_contain_text(f"Samengevoegd met {first}")
    expect(table).to_contain_text("Landelijk geagendeerd (Wet basisregistratie personen, art. 2.38)")
    expect(page.locator("#overgeslagen")).to_contain_text("Overgeslagen (1)")
    axe_check(page, "minutes")
    shot(page, "triage-minutes")
    no_horizontal_scroll(page)

    with app.app_context():
        queued = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
        assert queued > 0
        assert deliver_outbox() == (0, queued)  # server down: nothing sent, nothing lost
    smtp.start()
    with app.app_context():
        assert deliver_outbox(now=utcnow() + timedelta(minutes=5)) == (queued, 0)
        from app.models import TriageItem

        decided = db.session.scalars(
            db.select(Report)
            .join(TriageItem, TriageItem.report_id == Report.id)
            .where(Report.status.in_(("resolved", "escalated")))
        ).all()
        assert len(decided) == 2
        for report in decided:
            for follower in followers(report):
                person = follower.user
                if person.mail_choice(follower_kind(follower.is_reporter)) == "none":
                    continue
                mails = [m for m in smtp.inbox.to(person.email) if report.reference in m["Subject"]]
                assert mails, f"{person.email} got no mail about {report.reference}"
                assert any(report.explanation.splitlines()[0][:40] in smtp.inbox.text(m) for m in mails)
        coaches = db.session.scalars(
            db.select(User).where(User.email.in_(("coach@rodeknop.test", "coach2@rodeknop.test")))
        ).all()
        for coach in coaches:
            assert any("Besluitenlijst" in m["Subject"] for m in smtp.inbox.to(coach.email)), coach.email


def _coach_world(app):
    with app.app_context():
        eva = make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        make_user("Daan Bakker", email="daan@example.test", roles=("employee", "coach"))
        r = make_user("Sanne", email="sanne@example.test")
        make_report(r, rule="Regel een")
        make_report(r, rule="Regel twee")
        db.session.commit()
        return eva.id


def test_conflict_and_announcements(app, live_server, new_page):
    eva_id = _coach_world(app)
    with app.app_context():
        s = start_session(db.session.get(User, eva_id), [], now=utcnow() - timedelta(minutes=25) + timedelta(seconds=3))
        db.session.commit()
        sid = s.id
    eva = new_page()
    daan = new_page()
    login(eva, live_server, "eva@example.test")
    login(daan, live_server, "daan@example.test")
    eva.goto(f"{live_server}/weekoverleg/{sid}")
    daan.goto(f"{live_server}/weekoverleg/{sid}")
    # 5 minutes left is announced once
    expect(eva.locator("#triage-timer-alert")).to_have_text(re.compile("Nog 5 minuten"), timeout=8000)
    expect(eva.locator(".rk-triage-timer")).to_have_class(re.compile("rk-triage-timer--last"))
    eva.keyboard.press("o")
    expect(eva.locator("#punt-titel")).to_contain_text("Punt 2 van 2")
    expect(eva.locator("#triage-timer-alert")).to_have_text("")  # not again after reload
    daan.keyboard.press("b")
    daan.keyboard.press("Space")
    daan.keyboard.press("Tab")
    daan.keyboard.type("Mijn uitleg.")
    daan.keyboard.press("Tab")
    daan.keyboard.type("Iets veranderd.")
    daan.keyboard.press("Tab")
    daan.keyboard.press("Enter")
    expect(daan.locator("[data-error-summary]")).to_be_focused()
    expect(daan.locator("[data-error-summary]")).to_contain_text("al behandeld door Eva Jansen")
    expect(daan.locator("[data-error-summary]")).to_contain_text("Mijn uitleg.")
    axe_check(daan, "conflict page")
    shot(daan, "triage-conflict")
    # switching the shortcuts off: o does nothing
    daan.goto(f"{live_server}/weekoverleg/{sid}")
    daan.locator("#triage-shortcuts-on").uncheck()
    expect(daan.locator(".rk-triage-hint").first).to_be_hidden()
    daan.locator("#punt-titel").focus()
    daan.keyboard.press("o")
    daan.wait_for_timeout(500)
    expect(daan.locator("#punt-titel")).to_contain_text("Punt 2 van 2")
    daan.reload()
    expect(daan.locator("#triage-shortcuts-on")).not_to_be_checked()


def test_time_is_up_and_no_js(app, live_server, new_page):
    eva_id = _coach_world(app)
    with app.app_context():
        s = start_session(db.session.get(User, eva_id), [], now=utcnow() - timedelta(minutes=31))
        db.session.commit()
        sid = s.id
    page = new_page()
    login(page, live_server, "eva@example.test")
    page.goto(f"{live_server}/weekoverleg/{sid}")
    expect(page.locator("[role=timer]")).to_have_text("00:00 – de tijd is om")
    expect(page.locator("#triage-timer-alert")).to_have_text(re.compile("De 30 minuten"), timeout=3000)
    axe_check(page, "time is up")
    shot(page, "triage-over")
    nojs = new_page(java_script_enabled=False)
    login(nojs, live_server, "daan@example.test")
    nojs.goto(f"{live_server}/weekoverleg/{sid}")
    expect(nojs.locator("[role=timer]")).to_have_text("de tijd is om")
    expect(nojs.locator("[data-triage-shortcuts]")).to_be_hidden()
    nojs.get_by_role("button", name="Ik pak hem op").click()
    expect(nojs.locator("#punt-titel")).to_contain_text("Punt 2 van 2")
    nojs.get_by_role("button", name="Overslaan").click()
    expect(nojs.locator("#punt-titel")).to_have_text("Alle punten zijn besproken")
    nojs.locator("#end-form-main").get_by_role("button", name="Weekoverleg afsluiten").click()
    expect(nojs.get_by_role("heading", level=1)).to_contain_text("Besluitenlijst")
    page.goto(f"{live_server}/weekoverleg/")
    axe_check(page, "index with past sessions")
    no_horizontal_scroll(page)

"""Inzicht, the dashboard, in a real browser on the demo data (app.demo): opened from the
menu by every role that may see it (axe-core finds nothing), refused to a medewerker,
another period and department chosen, a chart's table read, a wrong date answered in
Dutch, and the page without JavaScript and in print."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.services.insight import FIGURES
from tests.browser.helpers import axe_check, login, no_horizontal_scroll, without_app_js

pytestmark = pytest.mark.browser

MAY_SEE = {
    "bestuurder": "bestuur@rodeknop.test",
    "coach": "coach@rodeknop.test",
    "jurist": "jurist@rodeknop.test",
    "beheerder": "beheer@rodeknop.test",
}
FIGURE_COUNT = len(FIGURES)  # every figure of app.services.insight is on the page


def _seed(app) -> None:
    from app.demo import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()


def _open_from_menu(page: Page, live_server: str, email: str) -> None:
    login(page, live_server, email, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inzicht").click()
    expect(page.get_by_role("heading", level=1, name="Inzicht")).to_be_visible()


def _table_cells(page: Page, key: str) -> list[list[str]]:
    return page.locator(f'table[data-figure="{key}"] tbody tr').evaluate_all(
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))"
    )


@pytest.mark.parametrize("role", list(MAY_SEE))
def test_every_role_that_may_see_it_opens_it_from_the_menu(app, live_server, page: Page, role):
    _seed(app)
    _open_from_menu(page, live_server, MAY_SEE[role])
    main = page.locator("main")
    # Every figure has a chart with a name, a caption, and its table.
    expect(main.locator("figure svg[role=img]")).to_have_count(FIGURE_COUNT)
    expect(main.locator("figure figcaption")).to_have_count(FIGURE_COUNT)
    expect(main.locator("table[data-figure]")).to_have_count(FIGURE_COUNT)
    expect(main.get_by_role("link", name=re.compile("als CSV-bestand"))).to_have_count(FIGURE_COUNT)
    # Counts only: no colleague is named anywhere on the page.
    for name in ("Sanne de Vries", "Mohamed El Amrani", "Daan Bakker"):
        expect(main).not_to_contain_text(name)
    axe_check(page, f"Inzicht as {role}")


def test_a_medewerker_has_no_menu_item_and_is_refused(app, live_server, page: Page):
    _seed(app)
    login(page, live_server, "medewerker@rodeknop.test", DEMO_PASSWORD)
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inzicht")).to_have_count(0)
    response = page.goto(live_server + "/inzicht/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")


def test_choosing_a_period_and_a_department_and_reading_a_table(app, live_server, page: Page):
    _seed(app)
    _open_from_menu(page, live_server, MAY_SEE["bestuurder"])
    period = page.locator("#periode")
    expect(period).to_contain_text("alle afdelingen")

    # One click: the last three months.
    page.get_by_role("navigation", name="Snel een periode kiezen").get_by_role("link", name="Laatste 3 maanden").click()
    expect(page.get_by_role("link", name="Laatste 3 maanden")).to_have_attribute("aria-current", "true")
    weeks = _table_cells(page, "instroom")
    assert 13 <= len(weeks) <= 15, weeks

    # A period of our own and one department.
    page.get_by_role("textbox", name=re.compile("^Van")).fill("2026-01-05")
    page.get_by_role("textbox", name=re.compile("^Tot en met")).fill("2026-06-28")
    page.get_by_role("combobox", name=re.compile("^Afdeling")).select_option(label="Werk en Inkomen")
    page.get_by_role("button", name="Toon de cijfers").click()
    expect(period).to_contain_text("5 januari 2026")
    expect(period).to_contain_text("28 juni 2026")
    expect(period).to_contain_text("Werk en Inkomen")
    expect(page.get_by_role("combobox", name=re.compile("^Afdeling"))).to_have_value(re.compile(r"\d+"))

    # The table of a chart: 25 weeks, Monday to Monday, and its numbers add up to the total.
    rows = _table_cells(page, "instroom")
    assert [row[0] for row in rows][:2] == ["2026-01-05", "2026-01-12"] and len(rows) == 25
    total = sum(int(row[-1]) for row in rows)
    expect(page.locator("#instroom")).to_contain_text(f"{total} melding")
    outcomes = _table_cells(page, "uitkomsten-afdeling")
    assert [row[0] for row in outcomes] == ["Werk en Inkomen"]
    axe_check(page, "Inzicht, one department")


def test_a_wrong_date_gets_a_dutch_message_and_keeps_what_was_typed(app, live_server, page: Page):
    _seed(app)
    login(page, live_server, MAY_SEE["coach"], DEMO_PASSWORD)
    response = page.goto(live_server + "/inzicht/?van=31-02-2026&tot=2026-01-01")
    assert response is not None and response.status == 400
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Vul een geldige datum in")
    expect(page.locator("#van")).to_have_attribute("aria-invalid", "true")
    # The last day before the first one.
    page.goto(live_server + "/inzicht/?van=2026-05-01&tot=2026-04-01")
    expect(page.locator("[data-error-summary]")).to_contain_text("De laatste dag ligt voor de eerste dag")
    expect(page.locator("#van")).to_have_value("2026-05-01")
    axe_check(page, "Inzicht with an error")


def test_without_javascript_in_print_and_at_320_pixels(app, live_server, new_page):
    _seed(app)
    page = new_page(java_script_enabled=False)
    login(page, live_server, MAY_SEE["beheerder"], DEMO_PASSWORD)
    page.goto(live_server + "/inzicht/")
    expect(page.locator("figure svg[role=img]")).to_have_count(FIGURE_COUNT)
    page.get_by_role("link", name="Dit jaar").click()
    expect(page.locator("#periode")).to_contain_text("1 januari")

    page.emulate_media(media="print")
    expect(page.locator(".rk-insight-filter")).to_be_hidden()
    expect(page.locator('table[data-figure="doorlooptijden"]')).to_be_visible()
    expect(page.locator("figure svg[role=img]").first).to_be_visible()


def test_reflow_and_the_app_script_left_out(app, live_server, page: Page):
    _seed(app)
    without_app_js(page)
    login(page, live_server, MAY_SEE["bestuurder"], DEMO_PASSWORD)
    page.goto(live_server + "/inzicht/")
    no_horizontal_scroll(page)
    axe_check(page, "Inzicht at 320 px")

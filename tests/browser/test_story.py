"""The whole story of the red button in a real browser: log in, find the red button by
keyboard, meet the error summary, find a colleague's report and support it, report a new
rule, see the confirmation and follow both in Mijn meldingen. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.data import DAKKAPEL, seed_demo
from tests.browser.helpers import REFERENCE_RE, axe_check, login, red_button, shot

pytestmark = pytest.mark.browser

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        text: (el.textContent || '').trim(),
        tag: el.tagName.toLowerCase(),
        inHeader: !!el.closest('header'),
        isRedButton: el.classList.contains('rk-red-button'),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        boxShadow: style.boxShadow,
    };
}"""


def _tab_to(page: Page, predicate, limit: int = 15) -> list[str]:
    """Press Tab until predicate(focus) holds; return the texts that had focus on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        seen.append(focus["text"])
        if predicate(focus):
            return seen
    raise AssertionError(f"never reached the wanted element by Tab; focus went through {seen}")


def _assert_focus_visible(focus: dict) -> None:
    visible_outline = focus["outlineStyle"] != "none" and focus["outlineWidth"] > 0
    visible_shadow = focus["boxShadow"] not in ("", "none")
    assert visible_outline or visible_shadow, f"focus not visible on {focus}"


def test_the_whole_story(app, live_server, page: Page):
    demo = seed_demo(app)

    # Log in through the form; the login page itself passes axe.
    login(page, live_server, demo.employee_email, check_axe=True)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    axe_check(page, "start page")

    # Keyboard only: the skip link comes first, then the red button in the header.
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STYLE)
    assert first["text"] == "Direct naar de inhoud", first
    _assert_focus_visible(first)
    expect(page.locator(".rk-skip-link")).to_be_in_viewport()
    _tab_to(page, lambda f: f["inHeader"] and f["isRedButton"])
    _assert_focus_visible(page.evaluate(FOCUS_STYLE))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/melden$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meld een regel")
    expect(page.get_by_label("Afdeling")).to_have_value(str(demo.department_ids["Burgerzaken"]))
    # After the red button one starts typing at once.
    expect(page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan"))).to_be_focused()
    axe_check(page, "report form (empty)")
    shot(page, "report-form-1280")

    # Submitting empty: the error summary appears, takes focus and links to each field.
    page.get_by_role("button", name="Melding versturen").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fout: "))
    rule = page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan"))
    problem = page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis"))
    for field, field_id in ((rule, "rule"), (problem, "problem")):
        expect(summary.locator(f'a[href="#{field_id}"]')).to_have_count(1)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
        expect(page.locator(f"#{field_id}-error")).to_be_visible()
    axe_check(page, "report form (errors)")
    shot(page, "report-form-errors-1280")
    # Following a link in the summary puts the cursor in that field.
    summary.locator('a[href="#problem"]').click()
    expect(problem).to_be_focused()

    # Typing the rule shows the colleague's report, with its status and supporters.
    rule.fill("dakkapel vergunning")
    similar = page.locator("#similar-results")
    item = similar.locator(".rk-similar-item", has_text=DAKKAPEL)
    expect(item).to_be_visible()
    expect(item).to_contain_text(demo.dakkapel_reference)
    expect(item.locator(".rk-status")).to_have_text("Nieuw")
    expect(item).to_contain_text(f"{demo.dakkapel_supporters} collega loopt hier ook tegenaan")
    expect(page.locator('#report-form [name="similar_seen"]')).to_have_value("1")
    axe_check(page, "report form with similar reports")
    shot(page, "report-form-similar-1280")

    # "Ik loop hier ook tegenaan", with a note: back on the report's page, with a message.
    item.get_by_label(re.compile("Toelichting")).fill("Bij Burgerzaken vragen inwoners hier ook naar.")
    item.get_by_role("button", name="Ik loop hier ook tegenaan").click()
    expect(page).to_have_url(re.compile(rf"/meldingen/{demo.dakkapel_reference}$"))
    expect(page.locator(".rk-flash--success")).to_contain_text(
        f"Dat is toegevoegd aan melding {demo.dakkapel_reference}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(DAKKAPEL)
    # Mohamed's supporter plus Sanne now.
    expect(page.locator(".rk-facts dt:has-text('Steun van collega') + dd")).to_have_text(
        "2 collega’s lopen hier ook tegenaan"
    )
    axe_check(page, "report page after support")

    # Back to the red button for a new rule.
    red_button(page).click()
    expect(page).to_have_url(re.compile(r"/melden$"))
    rule = page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan"))
    rule.fill("Uittreksel BRP op papier voor eigen gemeente")
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill(
        "Een andere afdeling vraagt inwoners om een uittreksel uit de BRP, terwijl wij die gegevens zelf al hebben."
    )
    page.get_by_role("textbox", name=re.compile(r"^Wat betekent dit")).fill("Extra kosten en een extra bezoek.")
    page.get_by_role("radio", name="Landelijke wet of regeling").check()
    expect(similar).to_contain_text("Er zijn nog geen open meldingen die hierop lijken.")
    axe_check(page, "report form (filled)")
    page.get_by_role("button", name="Melding versturen").click()

    # Confirmation: a reference and when the coaches next meet.
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    reference = page.locator("[data-reference]").inner_text()
    assert REFERENCE_RE.fullmatch(reference), reference
    expect(page.get_by_role("heading", level=1)).to_contain_text("uw melding is ontvangen")
    expect(page.locator("main")).to_contain_text(
        re.compile(
            r"eerstvolgende weekoverleg, op (maandag|dinsdag|woensdag|donderdag|vrijdag) \d{1,2} \w+ om \d{2}:\d{2}"
        )
    )
    axe_check(page, "confirmation")
    shot(page, "confirmation-1280")

    # Mijn meldingen: the own report and the supported one, with status, reference and the
    # last step (the whole timeline is on the report's page).
    page.get_by_role("link", name="Naar Mijn meldingen").click()
    expect(page).to_have_url(re.compile(r"/mijn-meldingen$"))
    for ref, relation, rule_text, last_step in (
        (reference, "door u gemeld", "Uittreksel BRP op papier voor eigen gemeente", "Melding gedaan"),
        (demo.dakkapel_reference, "u loopt hier ook tegenaan", DAKKAPEL, "Iemand loopt hier ook tegenaan"),
    ):
        card = page.locator(f"#melding-{ref}")
        expect(card).to_be_visible()
        expect(card.get_by_role("heading", level=3)).to_have_text(rule_text)
        expect(card.locator(".rk-reference")).to_have_text(ref)
        expect(card.locator(".rk-status")).to_have_text("Nieuw")
        expect(card).to_contain_text(relation)
        expect(card.locator(".rk-report__last")).to_contain_text(last_step)
    expect(page.locator(f"#melding-{demo.dakkapel_reference}")).to_contain_text(
        "Uw toelichting: Bij Burgerzaken vragen inwoners hier ook naar."
    )
    expect(page.get_by_role("heading", name=re.compile(r"Meldingen die u volgt \(2\)"))).to_be_visible()
    expect(page.locator(".rk-timeline")).to_have_count(0)
    axe_check(page, "Mijn meldingen")

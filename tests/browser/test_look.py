"""The municipality's own look in a real browser: script in the logo never runs, and under
every shipped theme (with a logo) focus stays visible and form controls keep their
contrast. (axe-core, contrast of text included, runs under every theme in
tests/browser/test_every_page.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from app.look import THEMES
from tests.browser.data import seed_demo
from tests.browser.helpers import CONSOLE_ERRORS, axe_check, login
from tests.factories import LOGO, SCRIPTED_LOGO, looking, write

pytestmark = pytest.mark.browser


def test_script_in_the_logo_never_runs(app, live_server, page: Page, tmp_path):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    with looking(app, MUNICIPALITY_LOGO=write(tmp_path, "logo.svg", SCRIPTED_LOGO)):
        # On a page: through <img>, where a browser runs no script at all.
        page.goto(live_server + "/inloggen")
        shown = page.evaluate(
            """() => { const img = document.querySelector('img.rk-brand__logo');
                       return img && img.complete && img.naturalWidth > 0; }"""
        )
        assert shown, "the logo is not shown in the header"
        assert page.evaluate("() => document.documentElement.getAttribute('data-ran')") is None
        assert page.title() == "Inloggen – Rode Knop – Gemeente Voorbeeldstad"
        axe_check(page, "login page with a logo")

        # Opened by itself (a link to it, a curious user): the logo's own CSP blocks its script.
        page.goto(live_server + "/logo.svg")
        assert page.evaluate("() => document.documentElement.getAttribute('data-ran')") is None
        assert page.title() != "onload ran"
        refused = CONSOLE_ERRORS.get(page, [])
        assert any("Content Security Policy" in line for line in refused), refused
        refused.clear()
    assert not [url for url in asked if "logo-script-ran" in url], asked


FOCUS_AND_BORDERS = """() => {
    const rgb = (value) => (value.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
    const luminance = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const contrast = (a, b) => {
        const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
    };
    const background = (el) => {
        for (let node = el; node; node = node.parentElement) {
            const colour = rgb(getComputedStyle(node).backgroundColor);
            if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
    return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter((el) => el.offsetParent !== null)
        // A native checkbox or radio button (appearance auto) is drawn by the browser itself.
        .filter((el) => !['checkbox', 'radio'].includes(el.type) || getComputedStyle(el).appearance === 'none')
        .map((el) => {
            const style = getComputedStyle(el);
            const around = background(el.parentElement);
            return {
                name: el.name || el.id,
                border: parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none'
                    ? contrast(rgb(style.borderTopColor).slice(0, 3), around) : 0,
            };
        });
}"""

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        what: el.tagName.toLowerCase() + ' ' + (el.textContent || el.name || '').trim().slice(0, 40),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
        body: el === document.body,
    };
}"""


@pytest.mark.parametrize("theme", list(THEMES))
def test_focus_and_form_borders_under_every_theme(app, live_server, page: Page, tmp_path, theme):
    """Each focusable element of the report form (header, menu, fields, buttons) shows its
    focus, and every form control's border keeps 3:1 against what is around it (WCAG 1.4.11;
    axe-core checks text, not borders)."""
    demo = seed_demo(app)
    with looking(app, THEME=theme, MUNICIPALITY_LOGO=write(tmp_path, "logo.svg", LOGO)):
        login(page, live_server, demo.employee_email)
        page.goto(live_server + "/melden")
        assert page.evaluate("() => document.documentElement.className") == THEMES[theme].css_class
        axe_check(page, f"report form under {theme}")
        borders = page.evaluate(FOCUS_AND_BORDERS)
        assert len(borders) >= 3, borders
        weak = [control for control in borders if control["border"] < 3]
        assert not weak, f"{theme}: form controls whose border has less than 3:1: {weak}"
        # From the skip link, the first stop on every page, to the end of the page.
        page.evaluate("() => document.querySelector('.rk-skip-link').focus()")
        seen = []
        for _ in range(60):
            focus = page.evaluate(FOCUSED)
            if focus["body"]:
                break
            assert focus["outline"] or focus["shadow"], f"{theme}: focus not visible on {focus['what']!r}"
            seen.append(focus["what"])
            page.keyboard.press("Tab")
        assert len(seen) >= 15 and any("Uitloggen" in what for what in seen), seen

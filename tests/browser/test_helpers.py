"""The checks themselves: axe-core must really run and really fail, so a green browser
suite means something."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import axe_check, no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_axe_check_fails_on_a_serious_violation(live_server, page: Page):
    page.goto(live_server + "/inloggen")
    axe_check(page, "login page")
    # A field without a label is a critical violation (axe rule 'label').
    page.evaluate("() => document.querySelector('form').appendChild(document.createElement('input'))")
    with pytest.raises(AssertionError, match=r"\[critical\] label"):
        axe_check(page, "login page with an unlabelled field")


def test_no_horizontal_scroll_fails_on_a_wide_element(live_server, new_page):
    page = new_page(viewport={"width": 320, "height": 800})
    page.goto(live_server + "/inloggen")
    no_horizontal_scroll(page)
    page.evaluate(
        "() => { const d = document.createElement('div'); d.style.width = '600px'; d.textContent = 'breed'; "
        "document.querySelector('main').appendChild(d); }"
    )
    with pytest.raises(AssertionError, match="horizontal scrolling"):
        no_horizontal_scroll(page)

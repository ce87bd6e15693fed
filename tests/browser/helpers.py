"""Helpers shared by the browser tests: axe-core, reflow at 320 px, logging in, screenshots."""

from __future__ import annotations

import contextlib
import os
import re
import weakref
from functools import lru_cache
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import PASSWORD
from tests.summary import section

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("RODEKNOP_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
REFERENCE_RE = re.compile(r"RK-\d{4}-\d{4}")
SHOTS = Path("/tmp/shots")

# Record of minor and moderate findings, printed at the end of the session.
ADVISORY = section("axe-core: minor and moderate findings")

# Pages the every-page sweep could not open (it does not know how to fill a URL argument).
UNCOVERED = section("browser: pages not opened by test_every_page")

# Console errors per page (CSP violations, failed stylesheets or scripts), filled by the
# page fixture and checked, then cleared, by axe_check.
CONSOLE_ERRORS: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()
# Pages whose context runs no JavaScript: timers never fire there, so axe.run would hang.
NO_JS_PAGES: weakref.WeakSet[Page] = weakref.WeakSet()


def watch_console(page: Page) -> None:
    errors = CONSOLE_ERRORS.setdefault(page, [])

    def on_console(message):
        location = (message.location or {}).get("url", "")
        if message.type != "error" or location.endswith("/favicon.ico"):
            return
        # axe-core sets style attributes while it works, which the page's CSP refuses;
        # style attributes of the page itself are caught by axe_check instead.
        if "Applying inline style violates" in message.text:
            return
        # A form with errors comes back as 400 on purpose; only subresources count here.
        if "Failed to load resource" in message.text and location == page.url:
            return
        errors.append(f"{page.url}: {message.text}" + (f" [{location}]" if location else ""))

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: uncaught {error}"))


@lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def _describe(violation: dict) -> str:
    nodes = "; ".join(
        f"{' '.join(node['target'])} ({node.get('failureSummary', '').strip().replace(chr(10), ' ')})"
        for node in violation["nodes"][:5]
    )
    more = f" (+{len(violation['nodes']) - 5} more)" if len(violation["nodes"]) > 5 else ""
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} -> {nodes}{more}"


# HTML's valid date, or date and time (at most milliseconds) with an optional offset.
VALID_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?")
# "Opgelost.." or "uitgelegd. ." in the visible text, but not an ellipsis.
DOUBLE_STOP = re.compile(r"[^.\s]{2}\.\s?\.(?!\.)")


def page_basics(page: Page, where: str, lang: str = "nl") -> None:
    """QUALITY 16: lang="nl" (or the reader's language), one h1, a title that says where you are, a working skip link."""
    facts = page.evaluate(
        """() => ({
            lang: document.documentElement.lang,
            h1: document.querySelectorAll('h1').length,
            title: document.title,
            skip: !!document.querySelector('a[href="#inhoud"]') && !!document.getElementById('inhoud'),
            headings: Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
                .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)]),
            times: Array.from(document.querySelectorAll('time[datetime]')).map(t => t.getAttribute('datetime')),
            text: document.body.innerText,
        })"""
    )
    assert facts["lang"] == lang, f"{where}: <html lang> is {facts['lang']!r}"
    assert facts["h1"] == 1, f"{where}: {facts['h1']} h1 elements"
    page_part = facts["title"].split("Rode Knop")[0].strip(" –-")
    assert "Rode Knop" in facts["title"] and page_part, (
        f"{where}: the title does not say where you are: {facts['title']!r}"
    )
    assert facts["skip"], f"{where}: no skip link to #inhoud"
    # Headings never skip a level on the way down (an h2 may follow an h4, not an h4 an h2).
    level = 0
    for number, text in facts["headings"]:
        assert number <= level + 1, f"{where}: heading h{number} {text!r} follows h{level}"
        level = number
    bad_times = [value for value in facts["times"] if not VALID_DATETIME.fullmatch(value)]
    assert not bad_times, f"{where}: invalid <time datetime> values {bad_times}"
    doubled = DOUBLE_STOP.findall(facts["text"])
    assert not doubled, f"{where}: double full stops in {doubled}"


# Parts of a page whose style attributes a vendored script sets through the CSSOM (which the
# CSP allows, unlike a style attribute in the HTML): Swagger UI on the API's documentation
# page. A style that the CSP does refuse still shows as a console error.
SCRIPTED_STYLES = "#swagger-ui"


def axe_check(page: Page, label: str | None = None, lang: str = "nl") -> list[dict]:
    """Run axe-core on the page as it is now, under the page's own CSP.

    Fails on any serious or critical violation; records minor and moderate ones.
    Also fails on console errors since the last check (CSP, missing files, script
    errors), on style attributes, and on a missing h1/lang/title/skip link."""
    where = label or page.url
    assert page not in NO_JS_PAGES, (
        "axe-core cannot run where JavaScript is off; check the page in a context with "
        "JavaScript on and the app's own script stubbed (without_app_js)"
    )
    console = CONSOLE_ERRORS.get(page, [])
    errors, console[:] = list(console), []
    assert not errors, f"console errors up to {where} (CSP violation, missing file, script error?):\n" + "\n".join(
        errors
    )
    page_basics(page, where, lang)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Before axe runs: axe itself leaves empty style="" attributes behind.
        inline = page.evaluate(
            "(scripted) => Array.from(document.querySelectorAll('[style]'))"
            ".filter(el => el.getAttribute('style').trim() && !el.closest(scripted))"
            ".map(el => el.outerHTML.slice(0, 160))",
            SCRIPTED_STYLES,
        )
        assert not inline, f"style attributes on {where}, refused by the CSP (style-src 'self'): {inline}"
        page.evaluate(axe_source())
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.map(String), failureSummary: n.failureSummary || ''})),
            }));
        }""",
        AXE_TAGS,
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    for violation in violations:
        if violation["impact"] not in BLOCKING_IMPACTS:
            line = f"axe {where}: {_describe(violation)}"
            ADVISORY.append(line)
            print(line)
    assert not blocking, f"axe-core on {where} ({page.title()}):\n" + "\n".join(_describe(v) for v in blocking)
    return violations


def without_app_js(page: Page) -> None:
    """Serve an empty app.js to this page: the no-JavaScript path, where axe can still run."""
    page.route(
        re.compile(r"/static/js/app\.js(\?.*)?$"),
        lambda route: route.fulfill(status=200, content_type="text/javascript", body="/* app.js left out */"),
    )


def no_horizontal_scroll(page: Page, width: int = 320) -> None:
    """WCAG 1.4.10 reflow: at `width` CSS pixels nothing may need horizontal scrolling."""
    if page.viewport_size is None or page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": (page.viewport_size or {}).get("height", 800)})
    # Measure the page as shown: once its stylesheets have loaded (a layout forced while a new
    # page's CSS is still on its way is the unstyled page, 8 px body margin and all).
    page.wait_for_load_state("load")
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("(width) => document.documentElement.scrollWidth <= width", arg=width, timeout=2000)
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(
            """(width) => Array.from(document.querySelectorAll('body *'))
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .slice(0, 8)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                     (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                     ' right=' + Math.round(el.getBoundingClientRect().right))""",
            width,
        )
        raise AssertionError(
            f"horizontal scrolling at {width}px on {page.url}: scrollWidth={scroll_width}; wider elements: {culprits}"
        )


def login(page: Page, base_url: str, email: str, password: str = PASSWORD, *, check_axe: bool = False) -> None:
    """Log in through the real login form."""
    page.goto(base_url + "/inloggen")
    if check_axe:
        axe_check(page, "login page")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def red_button(page: Page):
    """The red button in the page header."""
    return page.locator("header").get_by_role("link", name=re.compile(r"^Rode knop: meld", re.I))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

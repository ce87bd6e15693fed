"""Browser fixtures: the test app served on a real port, one Chromium per session, a
fresh context per test. Without Chromium or axe-core the tests skip (CI fails on skips)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser.helpers import AXE_JS, CHROMIUM, NO_JS_PAGES, watch_console

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CONTEXT_DEFAULTS = {"viewport": {"width": 1280, "height": 900}, "locale": "nl-NL"}


class QuietHandler(WSGIRequestHandler):
    """Log server errors only, not every request."""

    def log_request(self, code="-", size="-"):
        if str(code).startswith("5"):
            super().log_request(code, size)


def answered_from_memory(app):
    """`app` with every response read (and closed) before the server sends it: werkzeug's
    development server skips closing a response when the browser drops the connection (a
    favicon fetch cut short by the next page), which leaves a static file open until Python
    reports it as an unraisable ResourceWarning in some later test."""

    def wrapped(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return [body]

    return wrapped


@pytest.fixture
def live_server(app):
    """The function-scoped test app, served over HTTP in a background thread."""
    server = make_server("127.0.0.1", 0, answered_from_memory(app), threaded=True, request_handler=QuietHandler)
    # A short poll interval makes shutdown() quick (the default waits up to 0.5 s).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium, or set RODEKNOP_CHROMIUM)")
    if not AXE_JS.exists():
        pytest.skip(f"browser tests need axe-core at {AXE_JS} (run `npm ci` in the project root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        pytest.skip("browser tests need the playwright Python package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (own cookies): new_page(**context_options).

    Depends on live_server so every context is closed before the server stops."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{**CONTEXT_DEFAULTS, **options})
        context.set_default_timeout(5_000)
        # A whole page load on a busy two-core machine (both databases' suites side by side,
        # PostgreSQL, Chromium) once took longer than 5 s; speed is measured in bench/, not here.
        context.set_default_navigation_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        watch_console(page)
        if options.get("java_script_enabled") is False:
            NO_JS_PAGES.add(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a fresh context: 1280x900, Dutch locale."""
    return new_page()

"""Issue 11 in the browser: a beheerder registers a webhook (the secret shown once), and
the red button in an intranet page's frame, served on loopback from an allowed origin,
opens the report form with the department chosen; another origin cannot frame it."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Webhook
from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import axe_check, login

pytestmark = pytest.mark.browser

ADMIN = "beheer@rodeknop.test"


def test_a_beheerder_registers_a_webhook_and_sees_its_secret_once(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    add_user(app, "Pieter Visser", ADMIN, roles=("employee", "admin"))
    login(page, live_server, ADMIN)
    page.goto(live_server + "/beheer/gebruikers")
    page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    axe_check(page, "Beheer: Webhooks (empty)")

    page.get_by_label(re.compile(r"^Adres")).fill("ftp://zaaksysteem.gemeente.example/rodeknop")
    page.get_by_role("button", name="Registreren").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Kies minstens één gebeurtenis")
    axe_check(page, "Beheer: Webhooks (error)")

    page.get_by_label(re.compile(r"^Adres")).fill("https://zaaksysteem.gemeente.example/rodeknop")
    page.get_by_label("Melding gedaan").check()
    page.get_by_label("Status van een melding gewijzigd").check()
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geheim van de webhook")
    secret = page.locator("#geheim").inner_text()
    assert secret.startswith("whsec_")
    axe_check(page, "Beheer: the webhook's secret")
    page.get_by_role("link", name=re.compile("Ik heb het geheim bewaard")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("https://zaaksysteem.gemeente.example/rodeknop")
    assert secret not in page.content(), "shown once"
    expect(page.get_by_label("Melding gedaan")).to_be_checked()
    expect(page.get_by_label("Escalatiedossier gewijzigd")).not_to_be_checked()
    axe_check(page, "Beheer: a webhook (no deliveries yet)")
    with app.app_context():
        webhook = db.session.scalar(db.select(Webhook))
        assert webhook.event_list == ["report.created", "report.status_changed"]
        assert secret not in webhook.secret


class _Intranet:
    """An intranet page on its own origin (a port of loopback) that frames the button."""

    def __init__(self, button_url: str):
        html = (
            '<!doctype html><html lang="nl"><head><title>Intranet</title></head><body>'
            f'<h1>Intranet</h1><iframe id="knop" title="Rode Knop" src="{button_url}"></iframe></body></html>'
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_button_in_an_allowed_intranet_frame_opens_the_form_with_the_department(app, live_server, page: Page):
    demo = seed_demo(app, with_dakkapel=False)
    werk = demo.department_ids["Werk en Inkomen"]
    intranet = _Intranet(f"{live_server}/knop?afdeling=Werk%20en%20Inkomen")
    elsewhere = _Intranet(f"{live_server}/knop")
    try:
        app.config["EMBED_ORIGINS"] = (intranet.origin,)
        page.goto(f"{live_server}/knop?afdeling={werk}")
        axe_check(page, "/knop")
        login(page, live_server, demo.employee_email)  # Sanne's own department is Burgerzaken

        page.goto(intranet.origin)
        frame = page.frame_locator("#knop")
        button = frame.get_by_role("link", name=re.compile("Rode knop: meld een regel"))
        expect(button).to_have_attribute("target", "_blank")
        with page.context.expect_page() as opened:
            button.click()
        form = opened.value
        form.wait_for_load_state()
        assert re.search(rf"/melden\?afdeling={werk}$", form.url), form.url
        expect(form.get_by_label(re.compile(r"^Afdeling"))).to_have_value(str(werk))
        expect(form.get_by_role("heading", level=1)).to_be_visible()
        form.close()

        # Another origin: the browser refuses to show the button in its frame.
        page.goto(elsewhere.origin)
        page.wait_for_timeout(300)
        framed = next(f for f in page.frames if f is not page.main_frame)
        # Chromium shows its error page in place of the refused document.
        assert "/knop" not in framed.url and framed.locator("a.rk-red-button").count() == 0, framed.url
    finally:
        intranet.stop()
        elsewhere.stop()

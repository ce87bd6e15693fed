"""API keys in the browser: a medewerker makes one under Mijn instellingen, sees it once,
uses it, and revokes it; the API's documentation page renders the live document under
the CSP. axe-core on each page."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.data import seed_demo
from tests.browser.helpers import axe_check, login

pytestmark = pytest.mark.browser


def test_make_see_once_and_revoke_an_api_key(app, live_server, page: Page):
    seed_demo(app, with_dakkapel=False)
    login(page, live_server, "medewerker@rodeknop.test")
    page.goto(live_server + "/instellingen")
    page.get_by_role("link", name="API-sleutels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-sleutels")
    axe_check(page, "API-sleutels")
    page.get_by_role("button", name="Sleutel maken").click()  # nothing filled in
    expect(page.locator("[data-error-summary]")).to_be_focused()
    axe_check(page, "API-sleutels (error)")
    page.get_by_label(re.compile(r"^Naam van de sleutel")).fill("Script voor het intranet")
    page.get_by_label(re.compile(r"^Lezen")).check()
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw nieuwe API-sleutel")
    axe_check(page, "Uw nieuwe API-sleutel")
    secret = page.get_by_label("Sleutel").input_value()
    assert secret.startswith("rk_")
    headers = {"Authorization": f"Bearer {secret}"}
    assert requests.get(live_server + "/api/v1/me/reports", headers=headers, timeout=10).status_code == 200

    page.get_by_role("link", name=re.compile("terug naar de API-sleutels")).click()
    row = page.get_by_role("row", name=re.compile("Script voor het intranet"))
    expect(row).to_contain_text(secret[:8])
    expect(page.locator("body")).not_to_contain_text(secret)  # shown once, never again
    row.get_by_role("button", name=re.compile("Intrekken")).click()
    expect(page.locator(".rk-flash--success")).to_contain_text("is ingetrokken")
    expect(page.get_by_role("row", name=re.compile("Script voor het intranet"))).to_contain_text("Ingetrokken")
    axe_check(page, "API-sleutels (ingetrokken)")
    assert requests.get(live_server + "/api/v1/me/reports", headers=headers, timeout=10).status_code == 401


def test_the_documentation_page_shows_the_live_document(app, live_server, page: Page):
    page.goto(live_server + "/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_have_text("De API van Rode Knop")
    # Swagger UI, from the vendored files, has read /api/v1/openapi.json.
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/reports", timeout=15_000)
    axe_check(page, "API-documentatie")

"""The shared register in the browser (issue 12, part 3): Juridische Zaken previews and
publishes a dossier and sees what other municipalities raised; the register's own pages
and its beheer of members. axe-core finds nothing on any of them."""

from __future__ import annotations

import json
import re
import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import RegisterMirror
from app.register_signing import new_private_key_pem, public_key_text
from app.services.register_book import add_member, apply_publish
from tests.browser.conftest import QuietHandler, answered_from_memory
from tests.browser.helpers import axe_check, login
from tests.browser.test_every_page import THEME_NAMES
from tests.factories import looking, make_dossier, make_report, make_user

pytestmark = pytest.mark.browser

JURIST = "jurist@rodeknop.test"


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_juridische_zaken_previews_publishes_and_sees_who_else_raised_it(app, live_server, page: Page, tmp_path, theme):
    with looking(app, THEME=theme):
        _publish_in_the_browser(app, live_server, page, tmp_path)


def _publish_in_the_browser(app, live_server, page: Page, tmp_path):
    key_file = tmp_path / "member.pem"
    key_file.write_bytes(new_private_key_pem())
    # A member of a register that is not running: publishing waits in the outbox.
    app.config.update(REGISTER_URL="http://127.0.0.1:9", REGISTER_MEMBER="1", REGISTER_KEY_FILE=str(key_file))
    with app.app_context():
        make_user("Fatima Yilmaz", email=JURIST, roles=("employee", "legal"))
        dossier = make_dossier(make_report(make_user("Sanne de Vries")))
        other = {
            "member_id": 2,
            "municipality": "Gemeente Tweedorp",
            "dossier_id": 7,
            "status": "sent",
            "status_label": "Verstuurd",
            "addressee": None,
            "summary": "Ook bij ons.",
            "answer_summary": None,
            "since": "2026-11-01T10:00:00+00:00",
            "sent_on": None,
        }
        db.session.add(
            RegisterMirror(
                bwb_id=dossier.bwb_id,
                article_key="22a",
                data=json.dumps(
                    {"entries": [other], "letter": [{"member_id": 2, "municipality": "Gemeente Tweedorp"}]}
                ),
            )
        )
        db.session.commit()
        dossier_id = dossier.id
    login(page, live_server, JURIST)
    page.goto(f"{live_server}/juridisch/dossiers/{dossier_id}")
    expect(page.get_by_text("Ook aangekaart door 1 gemeente:")).to_be_visible()
    axe_check(page, "dossier with the register's part")

    page.get_by_role("link", name="Publiceren in het register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publiceren in het gedeelde register")
    page.get_by_role("button", name="Publiceren in het register").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("samenvatting")
    axe_check(page, "publish page (error)")

    page.get_by_label(re.compile("^Samenvatting voor het register")).fill("Bijzondere bijstand komt te laat.")
    page.get_by_role("button", name="Voorbeeld bijwerken").click()
    expect(page.locator(".rk-register-preview")).to_contain_text("Bijzondere bijstand komt te laat.")
    axe_check(page, "publish page (preview)")
    page.get_by_role("button", name="Publiceren in het register").click()
    expect(page.get_by_text("1 bericht wacht nog op verzending naar het register")).to_be_visible()
    expect(page.get_by_role("button", name="Aansluiten bij de gezamenlijke brief")).to_be_visible()
    axe_check(page, "dossier, published")


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_the_registers_pages_and_members_beheer(database_url, page: Page, app, theme):
    register = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "MODE": "register", "RATELIMIT_ENABLED": False, "THEME": theme}
    )
    with register.app_context():
        make_user("Beheer Register", email="beheer@register.test", roles=("admin",))
        member = add_member("Gemeente Eerstestad", public_key_text(load_private_key_pem()), actor=None)
        entry = {
            "dossier_id": 3,
            "law_title": "Participatiewet",
            "bwb_id": "BWBR0015703",
            "article": "art. 22a",
            "status": "answered",
            "addressee": "Ministerie van SZW",
            "summary": "Bijzondere bijstand komt te laat.",
            "answer_summary": "Het ministerie kijkt ernaar in 2027.",
            "created_on": "2026-11-01",
            "sent_on": "2026-11-05",
        }
        apply_publish(member, 3, {"sequence": 1, "entry": entry})
        db.session.commit()
    server = make_server("127.0.0.1", 0, answered_from_memory(register), threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        page.goto(base + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Register van landelijke regels")
        axe_check(page, "register: list")
        page.get_by_role("link", name="Participatiewet, art. 22a").click()
        expect(page.get_by_role("heading", level=3)).to_have_text("Gemeente Eerstestad")
        expect(page.get_by_text("Het ministerie kijkt ernaar in 2027.")).to_be_visible()
        axe_check(page, "register: article")
        login(page, base, "beheer@register.test")
        page.goto(base + "/register/leden")
        axe_check(page, "register: members")
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator("[data-error-summary]")).to_be_visible()
        axe_check(page, "register: members (error)")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with register.app_context():
            db.engine.dispose()


def load_private_key_pem():
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(new_private_key_pem(), password=None)

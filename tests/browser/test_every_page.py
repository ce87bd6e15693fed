"""QUALITY 13 and 16 for every page, per role and per shipped theme: each GET route of the
app (found in app.url_map, so a new page is checked the day it is added) is opened in a
real browser and checked with axe-core (colour contrast included), for a visitor, a
medewerker, a coach, a jurist, an administrator and a bestuurder, in the 'full' state
(reports, supports, users and departments exist).

Under the default theme (app.look.DEFAULT_THEME) the whole sweep runs. Under every other
shipped theme (app.look.THEMES), with a municipality logo in the header, every page
template is checked at least once: each role's start page (its header) and every other
page once, by the first role that may open it; focus and form borders under each theme:
tests/browser/test_look.py.

Error pages (403, 404) are checked once each per theme; after that only their status is
asserted."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from app.extensions import db
from app.look import DEFAULT_THEME, THEMES
from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import UNCOVERED, axe_check, login
from tests.factories import (
    LOGO,
    checkback_link_params,
    first_addressee_id,
    looking,
    make_attachment,
    make_dossier,
    make_report,
    make_support,
    webhook_params,
    write,
)

pytestmark = pytest.mark.browser

# GET routes that are not pages.
NOT_PAGES = {
    "static",
    "main.favicon",
    "main.logo",
    "main.theme_css",
    "reports.similar",
    "reports.export_csv",
    "reports.export_xlsx",
    "dossiers.export_csv",
    "dossiers.export_xlsx",
    "opendata.reports_csv",
    "opendata.reports_json",
    "opendata.dossiers_csv",
    "opendata.dossiers_json",
    "insight.download",
    # A report's files and their previews (the report page, which shows them, is a page).
    "reports.attachment",
    "reports.attachment_preview",
    # The JSON API's document (its operations, "api.*", are no pages either; the
    # documentation page api_docs.page is).
    "api-docs.openapi_json",
}
# Pages whose content differs per role are checked for every role; every other page once
# (the header, which differs per role, is covered by the start page of each role).
PER_ROLE = {
    "main.index",
    "reports.detail",
    "reports.index",
    "board.index",
    "results.index",
    "triage.index",
    "triage.session",
    "dossiers.index",
    "dossiers.detail",
    "insight.index",
}
ROLES = {
    "visitor": None,
    "medewerker": "medewerker@rodeknop.test",
    "coach": "coach@rodeknop.test",
    "jurist": "jurist@rodeknop.test",
    "beheerder": "beheer@rodeknop.test",
    "bestuurder": "bestuur@rodeknop.test",
}
# Under another theme than the default only the header differs per role.
PER_ROLE_OTHER_THEMES = {"main.index"}
# Default theme first: a failure there says more than the same failure under another theme.
THEME_NAMES = [DEFAULT_THEME, *sorted(name for name in THEMES if name != DEFAULT_THEME)]
_checked_errors: set[tuple[str, int]] = set()
_checked_endpoints: set[tuple[str, str]] = set()


def _seed(app) -> dict:
    demo = seed_demo(app)
    add_user(
        app, "Eva Jansen", "coach@rodeknop.test", roles=("employee", "coach"), department="Vergunningen en Toezicht"
    )
    add_user(app, "Fatima Yilmaz", "jurist@rodeknop.test", roles=("employee", "legal"))
    add_user(app, "Pieter Visser", "beheer@rodeknop.test", roles=("employee", "admin"), department="Burgerzaken")
    add_user(app, "Bram Bestuur", "bestuur@rodeknop.test", roles=("employee", "executive"))
    from app.models import User
    from app.services.reports import get_by_reference

    with app.app_context():
        sanne = db.session.scalar(db.select(User).where(User.email == demo.employee_email))
        own = make_report(
            sanne, rule="Afspraak voor paspoort alleen online te maken", problem="Zonder DigiD lukt het niet."
        )
        make_attachment(own, sanne)  # the report page with its files and a preview
        dakkapel = get_by_reference(demo.dakkapel_reference)
        make_support(sanne, dakkapel, "Ook bij ons.")
        coach = db.session.scalar(db.select(User).where(User.email == "coach@rodeknop.test"))
        escalated = make_report(
            sanne, rule="Kostendelersnorm bij tijdelijke opvang", problem="De bijstand gaat omlaag."
        )
        values = {
            "reference": own.reference,
            "user_id": sanne.id,
            "department_id": demo.department_ids["Burgerzaken"],
            "dossier_id": make_dossier(escalated, coach).id,
            "addressee_id": first_addressee_id(),
            # A valid invitation link for someone who has not chosen a password yet.
            **_invitation(),
            # A 'Merkbaar beter?' link of a solved report of Sanne's.
            **checkback_link_params(sanne, coach),
            # A webhook with a delivery in its log.
            **webhook_params(own, db.session.scalar(db.select(User).where(User.email == "beheer@rodeknop.test"))),
        }
        try:
            from app.services.triage import handle_item, start_session
        except ImportError:  # the weekly session does not exist (yet)
            pass
        else:
            session = start_session(coach)
            values["session_id"] = session.id
            if len(session.items) > 1:
                # A decision that can still be undone: the agenda offers 'Ongedaan maken'.
                handle_item(session.items[-1], coach, "take_on")
        db.session.commit()
        return values


def _invitation() -> dict:
    from app.services.users import INVITATION, create_user, password_link

    newcomer = create_user(email="nieuwkomer@rodeknop.test", name="Nina Nieuwkomer")
    purpose, token = password_link(newcomer, INVITATION).rsplit("/", 2)[-2:]
    return {"purpose": purpose, "token": token}


def _pages(app, values: dict) -> list[tuple[str, str]]:
    paths = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
            continue
        missing = set(rule.arguments) - set(values)
        if missing:
            # Reported at the end of the run (see conftest); teach _seed to fill it.
            UNCOVERED.append(f"{rule.rule}: test_every_page cannot fill {', '.join(sorted(missing))} yet")
            continue
        with app.test_request_context():
            from flask import url_for

            paths.append((rule.endpoint, url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})))
    return paths


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("theme", THEME_NAMES)
def test_every_page_passes_axe(app, live_server, page: Page, role, theme, tmp_path):
    values = _seed(app)
    if theme == DEFAULT_THEME:
        per_role, settings = PER_ROLE, {}
    else:
        per_role, settings = PER_ROLE_OTHER_THEMES, {"MUNICIPALITY_LOGO": write(tmp_path, "logo.svg", LOGO)}
    with looking(app, THEME=theme, **settings):
        checked = _sweep(app, live_server, page, role, theme, per_role, values)
    print(f"\n{theme} {role}: {checked}")
    assert checked


def _sweep(app, live_server, page: Page, role: str, theme: str, per_role: set[str], values: dict) -> list[str]:
    email = ROLES[role]
    if email:
        login(page, live_server, email)
    checked = []
    for endpoint, path in _pages(app, values):
        if theme != DEFAULT_THEME and (theme, endpoint) in _checked_endpoints and endpoint not in per_role:
            continue  # checked under this theme already: not even opened again
        response = page.goto(live_server + path)
        assert response is not None
        status = response.status
        assert status < 500, f"{role} {path}: {status}"
        if status >= 400:
            if (theme, status) in _checked_errors:
                continue
            _checked_errors.add((theme, status))
        elif endpoint not in per_role and role != "visitor":
            if (theme, endpoint) in _checked_endpoints:
                continue
            _checked_endpoints.add((theme, endpoint))
        landed = urlsplit(page.url).path
        if landed in checked:  # a redirect to a page already checked (e.g. the login page)
            continue
        checked.append(landed)
        axe_check(page, f"{path} as {role} under {theme} ({status})")
    return checked

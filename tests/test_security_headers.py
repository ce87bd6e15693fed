"""Security headers on every response, errors included; cookies; no external requests
(QUALITY.md, security 5 and 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from config import ProductionConfig
from tests.conftest import csrf_token
from tests.factories import make_department, make_report, make_support, make_user

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "app" / "static"


def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response, *, logged_in: bool, what: str) -> None:
    csp = _csp(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src, f"{what}: no script-src or default-src"
    assert "'unsafe-inline'" not in script_src, f"{what}: script-src allows 'unsafe-inline'"
    assert "'unsafe-eval'" not in script_src, f"{what}: script-src allows 'unsafe-eval'"
    assert csp.get("object-src") == ["'none'"], f"{what}: object-src is {csp.get('object-src')}"
    assert csp.get("base-uri") == ["'none'"], f"{what}: base-uri is {csp.get('base-uri')}"
    assert csp.get("frame-ancestors") == ["'none'"], f"{what}: frame-ancestors is {csp.get('frame-ancestors')}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", f"{what}: no nosniff"
    assert response.headers.get("Referrer-Policy"), f"{what}: no Referrer-Policy"
    if logged_in:
        assert "no-store" in response.headers.get("Cache-Control", ""), f"{what}: no Cache-Control: no-store"


def _world(app):
    with app.app_context():
        department = make_department("Burgerzaken")
        employee = make_user("Eva Medewerker", email="eva@example.test", department=department)
        colleague = make_user("Cas Collega", email="cas@example.test")
        make_user("Ada Beheer", email="ada@example.test", roles=("employee", "admin"))
        make_user("Cor Coach", email="cor@example.test", roles=("employee", "coach"))
        report = make_report(employee, rule="Uittreksel alleen aan de balie", problem="Inwoners moeten vrij nemen.")
        make_support(colleague, report, "Bij ons ook")
        db.session.commit()
        return {"reference": report.reference, "department_id": department.id, "user_id": colleague.id}


def _login(client, auth, email):
    response = auth.login(email)
    assert response.status_code == 302, f"could not log in as {email}"
    return response


# --- headers on normal pages, errors and the login page -------------------------------


def test_headers_on_the_login_page(app, client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert_security_headers(response, logged_in=False, what="login page")


def test_headers_on_normal_and_error_pages(app, client, auth):
    world = _world(app)
    anonymous_404 = client.get("/bestaat-niet")
    assert anonymous_404.status_code == 404
    assert_security_headers(anonymous_404, logged_in=False, what="404 (anonymous)")

    _login(client, auth, "eva@example.test")
    pages = {
        "start page": ("/", 200),
        "Mijn meldingen": ("/mijn-meldingen", 200),
        "report form": ("/melden", 200),
        "report detail": (f"/meldingen/{world['reference']}", 200),
        "404": ("/bestaat-niet", 404),
        "404 for a report": ("/meldingen/RK-2026-9999", 404),
        "403": ("/beheer/gebruikers", 403),
        "405": ("/uitloggen", 405),
    }
    for what, (path, status) in pages.items():
        response = client.get(path)
        assert response.status_code == status, f"{what} {path}: {response.status_code}"
        assert_security_headers(response, logged_in=True, what=f"{what} {path}")

    refused = client.post("/uitloggen", data={})  # no CSRF token: the 'Formulier verlopen' page
    assert refused.status_code == 400
    assert_security_headers(refused, logged_in=True, what="400 CSRF page")


def test_error_pages_are_dutch(app, client, auth):
    _world(app)
    assert "Pagina niet gevonden" in client.get("/bestaat-niet").get_data(as_text=True)
    _login(client, auth, "eva@example.test")
    assert "Geen toegang" in client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "Niet toegestaan" in client.get("/uitloggen").get_data(as_text=True)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_forced_exception_shows_a_plain_dutch_500_page(app, auth, logged_in):
    secret = "geheime-interne-details-4711"

    def explode():
        raise RuntimeError(secret)

    app.add_url_rule("/test-boom", "test_boom", explode)
    app.testing = False
    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.logger.disabled = True  # the traceback belongs in the server log, not in this test's output
    try:
        if logged_in:
            _world(app)
            _login(auth.client, auth, "eva@example.test")
        response = auth.client.get("/test-boom")
    finally:
        app.logger.disabled = False
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in body
    assert '<html lang="nl"' in body
    for leak in ("Traceback", "RuntimeError", secret, 'File "', ".py"):
        assert leak not in body, f"500 page shows {leak!r}"
    assert_security_headers(response, logged_in=logged_in, what="500 page")


# --- cookies ---------------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(app, client, auth):
    _world(app)
    response = _login(client, auth, "eva@example.test")
    set_cookies = response.headers.getlist("Set-Cookie")
    session_cookies = [c for c in set_cookies if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    assert session_cookies, f"login set no session cookie: {set_cookies}"
    for cookie in set_cookies:
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "httponly" in attributes, f"cookie without HttpOnly: {cookie}"
        assert attributes.get("samesite", "").lower() == "samesite=lax", f"cookie without SameSite=Lax: {cookie}"


def test_production_cookies_are_secure_by_default():
    import os

    from config import _bool

    expected = _bool("SESSION_COOKIE_SECURE", True) if "SESSION_COOKIE_SECURE" in os.environ else True
    assert ProductionConfig.SESSION_COOKIE_SECURE is expected
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is expected
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.REMEMBER_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_behind_a_proxy_sends_hsts_on_https(app, database_url):  # app: empties the tables
    """Secure cookies mean the site is HTTPS-only; the browser must then never try plain
    HTTP again (HSTS), also when a proxy terminates TLS and FORCE_HTTPS is off."""
    from app import create_app
    from config import TestConfig

    class ProductionLike(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SESSION_COOKIE_SECURE = True
        REMEMBER_COOKIE_SECURE = True
        FORCE_HTTPS = False
        PROXY_COUNT = 1

    production = create_app(ProductionLike)
    client = production.test_client()
    secure = client.get("/inloggen", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7"})
    assert secure.status_code == 200
    hsts = secure.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600, hsts
    # Over plain HTTP the header means nothing and is not sent.
    assert "Strict-Transport-Security" not in client.get("/inloggen").headers
    with production.app_context():
        db.engine.dispose()


# --- no external requests, and pages that work under the CSP ---------------------------

URL_ATTRIBUTE = re.compile(
    r"""\b(src|href|action|srcset|poster|formaction|data)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE
)
EXTERNAL = re.compile(r"^(https?:|//|\\\\)", re.IGNORECASE)


def _main_pages(world) -> list[tuple[str, str]]:
    ref = world["reference"]
    employee = [
        "/",
        "/toegankelijkheid",
        "/melden",
        "/mijn-meldingen",
        f"/meldingen/{ref}",
        f"/meldingen/{ref}/bevestiging",
        "/wachtwoord",
        "/instellingen",
        "/melden/vergelijkbaar?rule=uittreksel+balie",
    ]
    coach = ["/meldingen", f"/meldingen/{ref}", f"/meldingen/{ref}/ik-ook", "/bord/", "/weekoverleg/", "/ontregeld/"]
    admin = [
        "/beheer/gebruikers",
        "/beheer/gebruikers/nieuw",
        f"/beheer/gebruikers/{world['user_id']}",
        "/beheer/afdelingen",
        f"/beheer/afdelingen/{world['department_id']}",
    ]
    return (
        [("eva@example.test", p) for p in employee]
        + [("cor@example.test", p) for p in coach]
        + [("ada@example.test", p) for p in admin]
    )


def _rendered_pages(app, world):
    """(description, html) for the login page and the main pages of each role."""
    anonymous = app.test_client()
    pages = [
        ("anonymous /inloggen", anonymous.get("/inloggen")),
        ("anonymous /toegankelijkheid", anonymous.get("/toegankelijkheid")),
    ]
    clients = {}
    for email, path in _main_pages(world):
        if email not in clients:
            clients[email] = app.test_client()
            token = csrf_token(clients[email], "/inloggen")
            login = clients[email].post(
                "/inloggen", data={"email": email, "password": "correct horse battery staple", "csrf_token": token}
            )
            assert login.status_code == 302
        try:
            pages.append((f"{email} {path}", clients[email].get(path)))
        except Exception as error:
            pages.append((f"{email} {path}", error))
    return pages


def test_no_page_references_an_external_host(app):
    world = _world(app)
    problems = []
    for what, response in _rendered_pages(app, world):
        if isinstance(response, Exception):
            problems.append(f"{what}: could not be rendered ({response!r})")
            continue
        if response.status_code != 200:
            problems.append(f"{what}: answered {response.status_code}")
            continue
        html = response.get_data(as_text=True)
        for attribute, value in URL_ATTRIBUTE.findall(html):
            if EXTERNAL.match(value):
                problems.append(f"{what}: {attribute}={value}")
        for value in re.findall(r"url\(\s*['\"]?([^'\")\s]+)", html):
            if EXTERNAL.match(value):
                problems.append(f"{what}: url({value})")
    assert not problems, "\n".join(problems)


def test_static_files_load_nothing_from_elsewhere():
    problems = []
    for path in list(STATIC.rglob("*.css")) + list(STATIC.rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        for value in re.findall(r"url\(\s*['\"]?([^'\")\s]+)", text):
            if EXTERNAL.match(value):
                problems.append(f"{path.relative_to(ROOT)}: url({value})")
        for value in re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", text):
            if EXTERNAL.match(value):
                problems.append(f"{path.relative_to(ROOT)}: @import {value}")
        for value in re.findall(r"""(?:fetch|open|src\s*=)\s*\(?\s*['"](https?:[^'"]*|//[^'"]*)""", text):
            problems.append(f"{path.relative_to(ROOT)}: request to {value}")
    assert not problems, "\n".join(problems)


def test_pages_work_under_the_csp_and_their_assets_exist(app):
    """No inline script or event handler (the CSP would block it), and every local
    stylesheet and script a page links to is actually served."""
    world = _world(app)
    problems = []
    assets = set()
    for what, response in _rendered_pages(app, world):
        if isinstance(response, Exception) or response.status_code != 200:
            continue  # reported by test_no_page_references_an_external_host
        html = response.get_data(as_text=True)
        if re.search(r"<script\b(?![^>]*\bsrc=)[^>]*>", html, re.IGNORECASE):
            problems.append(f"{what}: inline <script>")
        handler = re.search(r"<[^>]+\s(on[a-z]+)\s*=", html, re.IGNORECASE)
        if handler:
            problems.append(f"{what}: inline event handler {handler.group(1)}")
        if re.search(r"javascript:", html, re.IGNORECASE):
            problems.append(f"{what}: javascript: URL")
        assets.update(re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["'](/static/[^"']+)""", html))
    client = app.test_client()
    for asset in sorted(assets):
        response = client.get(asset)
        if response.status_code != 200:
            problems.append(f"page links to {asset}, which answers {response.status_code}")
        response.close()
    assert not problems, "\n".join(problems)

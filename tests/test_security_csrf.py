"""CSRF on every write (QUALITY.md, security 3): a request without a valid token changes
nothing; an expired token gives the form back with the user's text and a clear message."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.extensions import db
from app.models import AuditEntry, Department, Event, Report, Support, User
from tests.conftest import CSRF_RE, csrf_token
from tests.factories import (
    PASSWORD,
    checkback_link_params,
    enable_second_factor,
    first_addressee_id,
    make_attachment,
    make_department,
    make_dossier,
    make_report,
    make_user,
    password_link_params,
    webhook_params,
)
from tests.test_security_routes import _weekly_session


def _api_token(user) -> int:
    from app.services.tokens import create_token

    token, _secret = create_token(user, name="Script", scopes=["read"], days=30, actor=user)
    db.session.flush()
    return token.id


def _world(app):
    with app.app_context():
        department = make_department("Burgerzaken")
        owner = make_user("Olga Eigenaar", email="olga@example.test", department=department)
        enable_second_factor(owner)  # the beheerder's reset has something to wipe
        make_user("Eva Medewerker", email="eva@example.test", department=department)
        make_user("Ada Beheer", email="ada@example.test", roles=("employee", "admin"))
        make_user("Alle Rollen", email="alles@example.test", roles=("employee", "coach", "legal", "admin"))
        report = make_report(owner, rule="Uittreksel alleen aan de balie", problem="Inwoners moeten vrij nemen.")
        attachment = make_attachment(report, owner)
        dossier = make_dossier(make_report(owner, rule="Kostendelersnorm", problem="Bijstand omlaag."))
        hooks = webhook_params(report, owner)
        db.session.commit()
        world = {
            **hooks,
            "reference": report.reference,
            "number": attachment.number,
            "department_id": department.id,
            "user_id": owner.id,
            "dossier_id": dossier.id,
            "addressee_id": first_addressee_id(),
            "column": "nieuw",
            "token_id": _api_token(owner),
            **password_link_params(owner),
            # A 'Merkbaar beter?' link of a solved report (used up once an answer is accepted).
            **checkback_link_params(owner),
        }
        world.update(_weekly_session())
        return world


def _path(rule, world) -> str:
    """The rule's URL with the world's objects filled in."""

    def value(match):
        name = match.group(1)
        assert name in world, f"no value for <{name}> in {rule.rule}: extend _world in this test"
        return str(world[name])

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule.rule)


def _counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, Department, Report, Support, Event, AuditEntry)
        }


def _login(client, email):
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"could not log in as {email}"
    client.get("/")  # take the welcome flash


def _expired_token(app, client) -> str:
    """A correctly signed token for this session, issued nine hours ago."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class NineHoursAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 9 * 3600

    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    token = URLSafeTimedSerializer(secret, salt="wtf-csrf-token", signer=NineHoursAgo).dumps(raw)
    # Make sure it really is what Flask-WTF calls expired, not merely invalid.
    with app.test_request_context():
        from flask import session as flask_session
        from flask_wtf.csrf import validate_csrf
        from wtforms import ValidationError

        flask_session["csrf_token"] = raw
        with pytest.raises(ValidationError, match="expired"):
            validate_csrf(token)
    return token


def _token_of_another_session(app) -> str:
    other = app.test_client()
    return csrf_token(other, "/inloggen")


REPORT_FORM = {
    "rule": "Parkeervergunning alleen op papier aanvragen",
    "problem": "Inwoners moeten een middag vrij nemen om een formulier te brengen.",
    "effect": "Boze inwoners aan de balie.",
    "suggestion": "Digitaal aanvragen via Mijn Gemeente.",
    "origin": "own",
    "department_id": "",
    "anonymous": "y",
    "submission_key": "csrf-test-key",
    "similar_seen": "1",
}

BAD_TOKENS = {
    "no token": None,
    "empty token": "",
    "garbage token": "IjEyMzQ1Ig.garbage.signature",
    "token of another session": "other-session",
}


def _bad_token(app, kind):
    value = BAD_TOKENS[kind]
    return _token_of_another_session(app) if value == "other-session" else value


def _post(client, path, data, token):
    payload = dict(data)
    if token is not None:
        payload["csrf_token"] = token
    return client.post(path, data=payload)


# --- without a valid token nothing changes ---------------------------------------------


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_report_without_valid_token_changes_nothing(app, client, kind):
    _world(app)
    _login(client, "eva@example.test")
    before = _counts(app)
    response = _post(client, "/melden", REPORT_FORM, _bad_token(app, kind))
    assert response.status_code == 400
    assert _counts(app) == before


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_support_without_valid_token_changes_nothing(app, client, kind):
    world = _world(app)
    _login(client, "eva@example.test")
    before = _counts(app)
    response = _post(client, f"/meldingen/{world['reference']}/ik-ook", {"note": "Bij ons ook"}, _bad_token(app, kind))
    assert response.status_code == 400
    assert _counts(app) == before


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_logout_without_valid_token_does_not_log_out(app, client, kind):
    _world(app)
    _login(client, "eva@example.test")
    with app.app_context():
        token_before = db.session.scalar(db.select(User.session_token).where(User.email == "eva@example.test"))
    before = _counts(app)
    response = _post(client, "/uitloggen", {}, _bad_token(app, kind))
    assert response.status_code == 400
    assert "Formulier verlopen" in response.get_data(as_text=True)
    assert _counts(app) == before
    assert client.get("/mijn-meldingen").status_code == 200, "a logout without a valid token logged the user out"
    with app.app_context():
        token_after = db.session.scalar(db.select(User.session_token).where(User.email == "eva@example.test"))
    assert token_after == token_before, "a logout without a valid token ended the user's sessions"


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_new_user_without_valid_token_changes_nothing(app, client, kind):
    _world(app)
    _login(client, "ada@example.test")
    before = _counts(app)
    data = {
        "name": "Nieuwe Collega",
        "email": "nieuw@example.test",
        "roles": ["employee", "admin"],
        "active": "y",
        "password": "een lang genoeg wachtwoord",
        "department_id": "",
    }
    response = _post(client, "/beheer/gebruikers/nieuw", data, _bad_token(app, kind))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nieuwe Collega" in page and "verlopen" in page
    assert _counts(app) == before


def test_every_write_route_refuses_a_missing_token(app, client):
    """Whatever the route, a POST without a token by a user holding every role (so no
    role check stops it first) writes nothing and never answers 500."""
    world = _world(app)
    _login(client, "alles@example.test")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    problems = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "auth.logout":
            continue
        path = _path(rule, world)
        before = _counts(app)
        response = client.post(path, data={"name": "X", "note": "x", "rule": "x", "problem": "x"})
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
        # The login steps send whoever is logged in already to the start page, doing nothing.
        if response.status_code < 400 and rule.endpoint not in ("auth.login", "auth.second_factor"):
            problems.append(f"{path}: accepted without a token ({response.status_code})")
        if _counts(app) != before:
            problems.append(f"{path}: changed the database without a token")
    assert not problems, "\n".join(problems)


# --- a refused write still gives a coherent answer ------------------------------------


def _post_endpoints(app, world):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "POST" in rule.methods:
            yield rule.endpoint, _path(rule, world)


def test_anonymous_post_without_token_is_a_login_redirect_or_a_plain_refusal(app, client):
    """A visitor whose session expired (so: logged out, and the token no longer valid)
    must get the login page or the Dutch 'Formulier verlopen' page: never a 400 that
    carries a Location header but no page, and never a 500."""
    world = _world(app)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    problems = []
    for endpoint, path in _post_endpoints(app, world):
        response = client.post(path, data={"rule": "mijn tekst"})
        status, location = response.status_code, response.headers.get("Location")
        if status >= 500:
            problems.append(f"{endpoint} {path}: {status}")
        elif 300 <= status < 400:
            if not location or not location.startswith("/inloggen"):
                problems.append(f"{endpoint} {path}: redirect to {location!r}, not to the login page")
        elif location:
            problems.append(
                f"{endpoint} {path}: status {status} with a Location header {location!r} (a redirect sent as an error)"
            )
        elif endpoint.startswith("api."):
            # The JSON API has no forms and no CSRF: without its bearer token it is 401.
            if status != 401 or response.mimetype != "application/problem+json":
                problems.append(f"{endpoint} {path}: status {status} {response.mimetype}, expected 401 problem+json")
        elif status != 400 or "verlopen" not in response.get_data(as_text=True):
            problems.append(f"{endpoint} {path}: status {status} without the Dutch 'verlopen' message")
    assert not problems, "\n".join(problems)


def test_post_without_token_to_a_forbidden_or_missing_object_is_not_a_500(app, client):
    """The CSRF handler re-runs the view to re-render the form; when that view refuses
    (403, 404) the user must get that refusal (or a 400), not a server error."""
    _world(app)
    _login(client, "eva@example.test")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.logger.disabled = True
    problems = []
    try:
        for path, refusal in [
            ("/beheer/gebruikers/nieuw", 403),
            ("/beheer/afdelingen", 403),
            ("/beheer/gebruikers/1", 403),
            ("/beheer/afdelingen/1", 403),
            ("/meldingen/RK-2026-9999/ik-ook", 404),
        ]:
            response = client.post(path, data={"name": "x"})
            if response.status_code not in (refusal, 400):
                problems.append(f"{path}: {response.status_code}, expected {refusal} (or 400)")
    finally:
        app.logger.disabled = False
    assert not problems, "\n".join(problems)


# --- an expired or invalid token gives the form back -----------------------------------


def _assert_report_form_back(response):
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="report-form"' in page, "not the report form"
    assert "verlopen" in page, "no Dutch message that the form expired"
    assert 'value="Parkeervergunning alleen op papier aanvragen"' in page
    assert "Inwoners moeten een middag vrij nemen om een formulier te brengen." in page
    assert "Boze inwoners aan de balie." in page
    assert "Digitaal aanvragen via Mijn Gemeente." in page
    assert re.search(r'<input[^>]*checked[^>]*name="anonymous"|<input[^>]*name="anonymous"[^>]*checked', page), (
        "the 'anoniem' choice was lost"
    )
    return page


@pytest.mark.parametrize("kind", ["expired", "garbage", "missing"])
def test_expired_or_invalid_token_gives_the_report_form_back(app, client, kind):
    _world(app)
    _login(client, "eva@example.test")
    client.get("/melden")
    token = {"expired": _expired_token(app, client), "garbage": "nonsense", "missing": None}[kind]
    before = _counts(app)
    page = _assert_report_form_back(_post(client, "/melden", REPORT_FORM, token))
    assert _counts(app) == before
    # The form that came back carries a fresh token: sending it again works.
    fresh = CSRF_RE.search(page).group(1)
    again = client.post("/melden", data={**REPORT_FORM, "csrf_token": fresh})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == before["Report"] + 1


def test_expired_token_through_the_configured_time_limit(database_url):
    """The same through WTF_CSRF_TIME_LIMIT itself: a token older than the limit."""
    from tests.conftest import _app_for, _empty_tables

    app = _app_for(database_url, WTF_CSRF_TIME_LIMIT=1)
    try:
        _world(app)
        client = app.test_client()
        _login(client, "eva@example.test")
        token = CSRF_RE.search(client.get("/melden").get_data(as_text=True)).group(1)
        time.sleep(2.1)
        before = _counts(app)
        _assert_report_form_back(client.post("/melden", data={**REPORT_FORM, "csrf_token": token}))
        assert _counts(app) == before
    finally:
        _empty_tables(app)


def test_expired_token_on_the_support_form_keeps_the_note(app, client):
    world = _world(app)
    _login(client, "eva@example.test")
    client.get(f"/meldingen/{world['reference']}/ik-ook")
    response = client.post(
        f"/meldingen/{world['reference']}/ik-ook",
        data={"note": "Bij Burgerzaken ook elke week", "csrf_token": _expired_token(app, client)},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bij Burgerzaken ook elke week" in page and "verlopen" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Support.id))) == 0

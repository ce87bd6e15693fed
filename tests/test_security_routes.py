"""Every route x every role, checked against the declared table in tests/route_table.py
(QUALITY.md, security 1).

One test per role walks every cell of that role's column with a single logged-in client,
so the whole table costs five logins; a failure lists every cell that differs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from app.extensions import db
from app.models import Department, Event, Report, Support, User
from tests.conftest import Auth, csrf_token
from tests.factories import (
    checkback_link_params,
    first_addressee_id,
    make_attachment,
    make_department,
    make_dossier,
    make_report,
    make_user,
    password_link_params,
    webhook_params,
)
from tests.route_table import LAST, LOGIN, ROLE_GRANTS, ROLES, ROUTE_TABLE

IGNORED_METHODS = {"HEAD", "OPTIONS"}
OUTCOMES_WITHOUT_WRITES = {LOGIN, 400, 401, 403, 404}


def routes_in(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - IGNORED_METHODS}


def test_every_route_and_method_is_in_the_table(app):
    actual = routes_in(app)
    missing = sorted(actual - set(ROUTE_TABLE))
    stale = sorted(set(ROUTE_TABLE) - actual)
    assert not missing, f"routes missing from tests/route_table.py: {missing}"
    assert not stale, f"rows in tests/route_table.py for routes that do not exist: {stale}"


def test_every_row_names_every_role_once():
    for key, row in ROUTE_TABLE.items():
        assert set(row) == set(ROLES), f"{key}: roles {sorted(row)} instead of {list(ROLES)}"
        for role, outcome in row.items():
            assert (
                outcome == LOGIN
                or outcome in (200, 400, 401, 403, 404)
                or (isinstance(outcome, tuple) and outcome[0] == "redirect")
            ), f"{key} {role}: unknown outcome {outcome!r}"


def _world(app, role: str) -> dict:
    with app.app_context():
        department = make_department("Vergunningen")
        owner = make_user("Eigenaar Melding", email="owner@example.test", department=department)
        other = make_user("Andere Medewerker", email="other@example.test")
        report = make_report(
            owner,
            rule="Dakkapel vraagt volledige vergunningprocedure",
            problem="Acht weken wachten.",
            department_id=department.id,
        )
        if role != "anon":
            make_user(f"Rol {role}", email=f"{role}@example.test", roles=ROLE_GRANTS[role])
        attachment = make_attachment(report, owner)
        escalated = make_report(owner, rule="Kostendelersnorm bij tijdelijke opvang", problem="Bijstand omlaag.")
        dossier = make_dossier(escalated)
        hooks = webhook_params(report, other)
        db.session.commit()
        params = {
            **hooks,
            "reference": report.reference,
            "number": attachment.number,
            "user_id": other.id,
            "department_id": department.id,
            "dossier_id": dossier.id,
            "addressee_id": first_addressee_id(),
            "filename": "css/app.css",
            "column": "nieuw",
            # An API key of someone else (Mijn instellingen: revoking it is not theirs to do).
            "token_id": _api_token(other),
            **password_link_params(other),
            # A 'Merkbaar beter?' link of a solved report (used up once an answer is accepted).
            **checkback_link_params(owner),
        }
        params.update(_weekly_session())
        return params


def _api_token(user) -> int:
    from app.services.tokens import create_token

    token, _secret = create_token(user, name="Script", scopes=["read"], days=30, actor=user)
    return token.id


def _weekly_session() -> dict:
    """A running weekly session, started by another coach, with the report on its agenda."""
    try:
        from app.services.triage import start_session
    except ImportError:  # no weekly session in this version of the app
        return {}
    chair = make_user("Voorzitter Coach", email="chair@example.test", roles=("employee", "coach"))
    session = start_session(chair, [chair.id])
    db.session.commit()
    assert session.items, "the world's report is not on the agenda"
    return {"session_id": session.id, "item_id": session.items[0].id}


def _url(app, endpoint: str, params: dict) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: params[name] for name in rule.arguments})


def _ordered_cells():
    """GETs first, then POSTs (which may change the world), then LAST in its order."""

    def order(key):
        endpoint, method = key
        return (method != "GET", LAST.index(key) if key in LAST else -1, endpoint)

    return sorted(ROUTE_TABLE, key=order)


def _counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, Department, Report, Support, Event)
        }


def _problem(response, outcome, url: str, params: dict) -> str | None:
    status = response.status_code
    location = response.headers.get("Location")
    # Exports (.xlsx) are binary: decode leniently, only to look for error texts.
    body = response.get_data().decode("utf-8", "replace") if not response.direct_passthrough else ""
    if status >= 500:
        return f"answered {status}"
    if outcome == LOGIN:
        if status != 302 or not location:
            return f"status {status}, Location {location!r}; expected a redirect to the login page"
        parts = urlsplit(location)
        if parts.path != "/inloggen" or parse_qs(parts.query).get("next") != [url]:
            return f"redirected to {location!r}; expected /inloggen?next={url}"
        return None
    if isinstance(outcome, tuple):
        target = outcome[1].format(**params)
        if status not in (302, 303) or not location:
            return f"status {status}; expected a redirect to {target}"
        parts = urlsplit(location)
        if parts.netloc or parts.path != target:
            return f"redirected to {location!r}; expected {target}"
        return None
    if status != outcome:
        return f"status {status} (Location {location!r}); expected {outcome}"
    if outcome == 401 and response.mimetype != "application/problem+json":
        return "401 without problem+json (the API)"
    if outcome == 403 and "Geen toegang" not in body:
        return "403 without the Dutch 'Geen toegang' page"
    if outcome == 404 and "Pagina niet gevonden" not in body:
        return "404 without the Dutch 'Pagina niet gevonden' page"
    if outcome == 400 and "data-error-summary" not in body:
        return "400 but no form with an error summary"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_route_table_cells(app, role):
    params = _world(app, role)
    client = app.test_client()
    if role == "anon":
        token = csrf_token(client, "/inloggen")
    else:
        login = Auth(client).login(f"{role}@example.test")
        assert login.status_code == 302, f"{role} could not log in"
        token = csrf_token(client, "/")

    failures = []
    for endpoint, method in _ordered_cells():
        outcome = ROUTE_TABLE[(endpoint, method)][role]
        url = _url(app, endpoint, params)
        before = _counts(app) if method == "POST" else None
        try:
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token})
        except Exception as error:
            failures.append(f"{role} {method} {endpoint} {url}: raised {error!r}; expected {outcome!r}")
            continue
        problem = _problem(response, outcome, url, params)
        if problem is None and before is not None and outcome in OUTCOMES_WITHOUT_WRITES:
            after = _counts(app)
            if after != before:
                problem = f"changed the database ({before} -> {after}) while answering {outcome!r}"
        if problem:
            failures.append(f"{role} {method} {endpoint} {url}: {problem}")
        response.close()

    assert not failures, f"{len(failures)} cell(s) differ from tests/route_table.py:\n" + "\n".join(failures)


def test_a_post_without_fields_does_not_change_an_object(app):
    """The route table posts no fields at all. A form bound to an existing object must
    treat an absent required field as empty, not as 'keep the old value' (which, with
    the absent 'active' checkbox, silently deactivates the department)."""
    params = _world(app, "admin")
    client = app.test_client()
    assert Auth(client).login("admin@example.test").status_code == 302
    token = csrf_token(client, "/")
    for url in (f"/beheer/afdelingen/{params['department_id']}", f"/beheer/gebruikers/{params['user_id']}"):
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 400, f"{url}: {response.status_code}"
    with app.app_context():
        department = db.session.get(Department, params["department_id"])
        user = db.session.get(User, params["user_id"])
        assert (department.name, department.active) == ("Vergunningen", True)
        assert user.active and user.roles == {"employee"}


def test_a_weekly_session_action_without_the_form_version_changes_nothing(app):
    """Every change to a report is checked against the version the page showed. The
    board refuses a form without a version; the weekly session must do the same, or a
    POST without one (an old page, a crafted request) changes the report unchecked."""
    params = _world(app, "coach")
    if "session_id" not in params:
        pytest.skip("no weekly session in this version of the app")
    client = app.test_client()
    assert Auth(client).login("coach@example.test").status_code == 302
    token = csrf_token(client, "/")
    url = f"/weekoverleg/{params['session_id']}/punten/{params['item_id']}/oppakken"
    response = client.post(url, data={"csrf_token": token})
    with app.app_context():
        report = db.session.scalar(db.select(Report))
        state = (report.status, report.assignee_id)
    assert state == ("new", None), f"{url} without a version changed the report: {state} ({response.status_code})"

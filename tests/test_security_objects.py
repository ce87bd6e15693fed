"""Objects, not only routes (QUALITY.md, security 2): someone else's report answers
exactly like a report that does not exist; reporters and supporters see their own."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Report, ReportStatus, User
from tests.conftest import CSRF_RE, post_form
from tests.factories import make_report, make_support, make_user

MISSING = "RK-2026-9999"


def _world(app):
    with app.app_context():
        owner = make_user("Olga Eigenaar", email="olga@example.test")
        make_user("Sem Vreemde", email="sem@example.test")
        supporter = make_user("Pim Steun", email="pim@example.test")
        open_report = make_report(
            owner, rule="Parkeervergunning alleen op papier", problem="Inwoners moeten langskomen."
        )
        closed = make_report(owner, rule="Verhuizing doorgeven met formulier", problem="Dubbel werk.")
        make_support(supporter, open_report, "Bij ons ook")
        db.session.flush()
        closed.status = ReportStatus.RESOLVED.value
        db.session.commit()
        return {"open": open_report.reference, "closed": closed.reference}


def _login(client, auth, email: str):
    assert auth.login(email).status_code == 302
    client.get("/")  # take the 'Welkom' flash message so later pages compare cleanly


def _answer(client, path: str, reference: str):
    response = client.get(path.format(reference=reference))
    # The requested reference may be echoed (it is in the URL); nothing else may differ.
    body = response.get_data(as_text=True).replace(reference, "<REF>")
    # Signed values carry a timestamp; two requests a second apart differ there only.
    body = CSRF_RE.sub('name="csrf_token" value="<TOKEN>"', body)
    headers = sorted(
        (key, re.sub(r"^([^=]+)=[^;]*", r"\1=<VALUE>", value) if key.lower() == "set-cookie" else value)
        for key, value in response.headers.items()
        if key.lower() != "date"
    )
    return response.status_code, headers, body


def _assert_same_as_missing(client, path: str, reference: str):
    theirs = _answer(client, path, reference)
    missing = _answer(client, path, MISSING)
    assert theirs[0] == 404, f"{path.format(reference=reference)} answered {theirs[0]}, not 404"
    assert theirs[0] == missing[0]
    assert theirs[1] == missing[1], "headers differ between someone else's report and a missing one"
    assert theirs[2] == missing[2], "body differs between someone else's report and a missing one"


def test_someone_elses_report_answers_like_a_missing_one(app, client, auth):
    refs = _world(app)
    _login(client, auth, "sem@example.test")
    for reference in (refs["open"], refs["closed"], refs["open"].lower()):
        _assert_same_as_missing(client, "/meldingen/{reference}", reference)
        _assert_same_as_missing(client, "/meldingen/{reference}/bevestiging", reference)


def test_support_page_of_someone_elses_closed_report_answers_like_a_missing_one(app, client, auth):
    refs = _world(app)
    _login(client, auth, "sem@example.test")
    _assert_same_as_missing(client, "/meldingen/{reference}/ik-ook", refs["closed"])
    # An open report may be supported by anyone (it is offered among similar reports).
    assert client.get(f"/meldingen/{refs['open']}/ik-ook").status_code == 200


def test_malformed_references_answer_like_a_missing_one(app, client, auth):
    _world(app)
    _login(client, auth, "sem@example.test")
    baseline = _answer(client, "/meldingen/{reference}", MISSING)
    for reference in ("RK-2026-0001x", "RK-x", "RK-0-0", "%27%20OR%201%3D1", "RK-2026-00000000000000000000001"):
        status, _headers, body = _answer(client, "/meldingen/{reference}", reference)
        assert status == 404, reference
        assert body == baseline[2], reference


def test_posting_support_to_someone_elses_closed_report_changes_nothing(app, client, auth):
    refs = _world(app)
    _login(client, auth, "sem@example.test")
    response = post_form(client, f"/meldingen/{refs['closed']}/ik-ook", {"note": "ik ook"}, form_path="/melden")
    assert response.status_code == 404
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == int(refs["closed"][-4:])))
        assert report.supports == []


def test_supporter_can_open_the_report_they_support(app, client, auth):
    refs = _world(app)
    _login(client, auth, "pim@example.test")
    detail = client.get(f"/meldingen/{refs['open']}")
    assert detail.status_code == 200
    assert "Parkeervergunning alleen op papier" in detail.get_data(as_text=True)
    # ...but the confirmation page belongs to the reporter only.
    assert client.get(f"/meldingen/{refs['open']}/bevestiging").status_code == 404
    # ...and not the owner's other report, which they do not support.
    _assert_same_as_missing(client, "/meldingen/{reference}", refs["closed"])


def test_reporter_can_open_their_own_report_and_confirmation(app, client, auth):
    refs = _world(app)
    _login(client, auth, "olga@example.test")
    for reference in (refs["open"], refs["closed"]):
        assert client.get(f"/meldingen/{reference}").status_code == 200
        confirmation = client.get(f"/meldingen/{reference}/bevestiging")
        assert confirmation.status_code == 200
        assert reference in confirmation.get_data(as_text=True)


def test_deactivated_supporter_sees_nothing(app, client, auth):
    refs = _world(app)
    _login(client, auth, "pim@example.test")
    assert client.get(f"/meldingen/{refs['open']}").status_code == 200
    with app.app_context():
        pim = db.session.scalar(db.select(User).where(User.email == "pim@example.test"))
        pim.active = False
        db.session.commit()
    response = client.get(f"/meldingen/{refs['open']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")

"""The red button through the test client, CSRF on: submitting, similar reports, support."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Event, Report, Support
from tests.conftest import csrf_token, post_form
from tests.factories import make_department, make_report, make_user


def _setup(app):
    with app.app_context():
        dept = make_department("Burgerzaken")
        reporter = make_user("Sanne de Vries", email="sanne@example.test", department=dept)
        colleague = make_user("Mo El Amrani", email="mo@example.test")
        db.session.commit()
        return dept.id, reporter.id, colleague.id


def _report_form(**overrides):
    data = {
        "rule": "Dakkapel vraagt volledige vergunningprocedure",
        "problem": "Ook als alle buren akkoord zijn moet de inwoner acht weken wachten.",
        "effect": "",
        "suggestion": "",
        "origin": "own",
        "department_id": "",
        "submission_key": "key-1",
        "similar_seen": "1",
    }
    data.update(overrides)
    return data


def test_report_form_is_prefilled_with_the_users_department(app, client, auth):
    dept_id, _, _ = _setup(app)
    auth.login("sanne@example.test")
    page = client.get("/melden").get_data(as_text=True)
    assert re.search(rf'<option selected value="{dept_id}">Burgerzaken</option>', page)
    assert "Welke regel loopt u tegenaan?" in page and "(verplicht)" in page


def test_submitting_shows_reference_and_next_session(app, client, auth):
    _setup(app)
    auth.login("sanne@example.test")
    response = post_form(client, "/melden", _report_form(), form_path="/melden")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(db.select(Report))
        assert re.fullmatch(r"RK-\d{4}-0001", report.reference)
        assert report.reference in page
        events = db.session.scalars(db.select(Event).where(Event.report_id == report.id)).all()
        assert [e.kind for e in events] == ["submitted"]
    assert "weekoverleg" in page and "dinsdag" in page


def test_double_submit_creates_one_report(app, client, auth):
    _setup(app)
    auth.login("sanne@example.test")
    first = post_form(client, "/melden", _report_form(submission_key="same"), form_path="/melden")
    second = post_form(client, "/melden", _report_form(submission_key="same"), form_path="/melden")
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 1


def test_without_javascript_similar_reports_come_as_a_step(app, client, auth):
    _, _, colleague_id = _setup(app)
    with app.app_context():
        from app.models import User

        colleague = db.session.get(User, colleague_id)
        make_report(
            colleague, rule="Vergunning voor dakkapel ook nodig als buren akkoord zijn", problem="Lange procedure."
        )
        db.session.commit()
    auth.login("sanne@example.test")
    step = post_form(client, "/melden", _report_form(similar_seen=""), form_path="/melden")
    page = step.get_data(as_text=True)
    assert step.status_code == 200
    assert "Is dit al gemeld?" in page and "Vergunning voor dakkapel" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 1
    token = csrf_token(client, "/melden")
    confirm = client.post("/melden", data={**_report_form(similar_seen=""), "confirm_new": "1", "csrf_token": token})
    assert confirm.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 2


def test_ik_ook_adds_support_instead_of_a_duplicate(app, client, auth):
    _, _, colleague_id = _setup(app)
    from app.models import User

    with app.app_context():
        report = make_report(db.session.get(User, colleague_id), rule="Dakkapel vergunning", problem="Te lang.")
        db.session.commit()
        reference = report.reference
    auth.login("sanne@example.test")
    fragment = client.get("/melden/vergelijkbaar?rule=dakkapel+vergunningen").get_data(as_text=True)
    assert reference in fragment and "Ik loop hier ook tegenaan" in fragment
    response = post_form(client, f"/meldingen/{reference}/ik-ook", {"note": "Bij ons ook"})
    assert response.status_code == 303
    with app.app_context():
        support = db.session.scalar(db.select(Support))
        assert support.note == "Bij ons ook"
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 1
    mine = client.get("/mijn-meldingen").get_data(as_text=True)
    assert reference in mine and "Bij ons ook" in mine
    # Sent again (a second tab, a double click): no second support, no error page.
    again = post_form(client, f"/meldingen/{reference}/ik-ook", {"note": "nog eens"})
    assert again.status_code == 200
    assert "U volgt deze melding al" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Support.id))) == 1

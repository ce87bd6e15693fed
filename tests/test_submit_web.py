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


def test_a_suggestion_the_user_already_follows_says_so_and_the_draft_survives(app, client, auth):
    """'Ik loop hier ook tegenaan' is not offered on a report the user already supports or
    made (also anonymously: that is shown to them alone); if it is sent anyway (an older
    page, a double click), the answer says so and gives back what they were typing."""
    _, reporter_id, colleague_id = _setup(app)
    from app.models import User

    with app.app_context():
        sanne = db.session.get(User, reporter_id)
        colleague = db.session.get(User, colleague_id)
        supported = make_report(colleague, rule="Dakkapel vergunning duurt acht weken", problem="Te lang.")
        own = make_report(sanne, rule="Dakkapel aan de voorkant mag nooit", problem="Ook niet klein.", anonymous=True)
        other = make_report(colleague, rule="Dakkapel plaatsen vraagt tekening", problem="Duur.")
        from tests.factories import make_support

        make_support(sanne, supported)
        db.session.commit()
        refs = {"supported": supported.reference, "own": own.reference, "other": other.reference}

    def item(fragment, reference):
        match = re.search(rf'<li class="rk-similar-item(?:(?!</li>).)*?{reference}.*?</li>', fragment, re.S)
        assert match, reference
        return match.group(0)

    auth.login("sanne@example.test")
    fragment = client.get("/melden/vergelijkbaar?rule=dakapel").get_data(as_text=True)
    assert "U volgt deze melding al" in item(fragment, refs["supported"])
    assert "Ik loop hier ook tegenaan</button>" not in item(fragment, refs["supported"])
    assert "Dit is uw eigen melding" in item(fragment, refs["own"])
    assert "Ik loop hier ook tegenaan</button>" in item(fragment, refs["other"])

    draft = {"note": "", "draft_rule": "Dakapel <b>nog</b> niet af", "draft_problem": "Mijn halve tekst"}
    for key in ("supported", "own"):
        response = post_form(client, f"/meldingen/{refs[key]}/ik-ook", draft)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, key
        assert ("U volgt deze melding al" if key == "supported" else "Dit is uw eigen melding") in page
        assert "Uw melding is nog niet verstuurd" in page
        assert 'value="Dakapel &lt;b&gt;nog&lt;/b&gt; niet af"' in page and "Mijn halve tekst" in page
        # 'Verder met mijn melding' opens the form with the text in it.
        back = client.post(
            "/melden",
            data={
                "csrf_token": csrf_token(client, "/melden"),
                "edit": "1",
                "rule": draft["draft_rule"],
                "problem": "Mijn halve tekst",
            },
        )
        form = back.get_data(as_text=True)
        assert back.status_code == 200
        assert 'value="Dakapel &lt;b&gt;nog&lt;/b&gt; niet af"' in form and "Mijn halve tekst</textarea>" in form
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Support.id))) == 1

    # Another colleague sees the anonymous report as anyone's: with the button.
    auth.logout()
    auth.login("mo@example.test")
    fragment = client.get("/melden/vergelijkbaar?rule=dakapel").get_data(as_text=True)
    assert "Dit is uw eigen melding" not in item(fragment, refs["own"])
    assert "Ik loop hier ook tegenaan</button>" in item(fragment, refs["own"])

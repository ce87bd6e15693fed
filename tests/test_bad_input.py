"""Bad input on the red-button form: a clear Dutch message next to the field and in the
error summary, the typed text kept, never a 500 and never a row written."""

from __future__ import annotations

import html

import pytest

from app.extensions import db
from app.models import Event, Report
from tests.conftest import post_form
from tests.factories import make_department, make_user


@pytest.fixture
def employee(app, auth):
    with app.app_context():
        dept = make_department("Burgerzaken")
        make_user("Sanne", email="sanne@example.test", department=dept)
        db.session.commit()
    auth.login("sanne@example.test")


def _form(**overrides):
    data = {
        "rule": "Een regel",
        "problem": "Het gaat mis <b>vet</b> & zo",
        "effect": "Inwoners wachten",
        "suggestion": "Schaf het af",
        "origin": "own",
        "department_id": "",
        "submission_key": "k",
        "similar_seen": "1",
    }
    data.update(overrides)
    return data


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count(Report.id))),
            db.session.scalar(db.select(db.func.count(Event.id))),
        )


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"rule": ""}, "rule", "Vul in welke regel u tegenaan loopt."),
        ({"rule": "   \t "}, "rule", "Vul in welke regel u tegenaan loopt."),
        ({"problem": "\n\n  "}, "problem", "Beschrijf wat er misgaat."),
        ({"rule": "x" * 201}, "rule", "Gebruik maximaal 200 tekens."),
        ({"problem": "x" * 5001}, "problem", "Gebruik maximaal 5000 tekens."),
        ({"effect": "x" * 5001}, "effect", "Gebruik maximaal 5000 tekens."),
        ({"suggestion": "x" * 5001}, "suggestion", "Gebruik maximaal 5000 tekens."),
        ({"origin": "buitenaards"}, "origin", "Kies een van de mogelijkheden in de lijst."),
        ({"department_id": "99999"}, "department_id", "Kies een van de mogelijkheden in de lijst."),
        ({"department_id": "geen-getal"}, "department_id", "Kies een van de mogelijkheden in de lijst."),
    ],
)
def test_bad_input_gets_a_dutch_message_and_keeps_the_text(app, client, employee, overrides, field, message):
    before = _counts(app)
    response = post_form(client, "/melden", _form(**overrides), form_path="/melden")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # Next to the field, wired up for screen readers ...
    assert f'id="{field}-error"' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    # ... and in the error summary at the top, linking to the field.
    summary = page.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert message in summary and f'href="#{field}' in summary
    # What the user typed is still there (escaped, not executed).
    for name in ("problem", "effect", "suggestion"):
        if name not in overrides:
            assert html.escape(_form()[name], quote=False) in page
    assert "<b>vet</b>" not in page
    assert _counts(app) == before


def test_a_department_that_was_deactivated_is_refused(app, client, employee):
    with app.app_context():
        old = make_department("Opgeheven afdeling")
        old.active = False
        db.session.commit()
        old_id = old.id
    response = post_form(client, "/melden", _form(department_id=str(old_id)), form_path="/melden")
    assert response.status_code == 400
    assert "Kies een van de mogelijkheden in de lijst." in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_text_at_the_limit_is_accepted(app, client, employee):
    response = post_form(client, "/melden", _form(rule="r" * 200, problem="p" * 5000), form_path="/melden")
    assert response.status_code == 302
    assert _counts(app) == (1, 1)


def test_leading_and_trailing_space_is_trimmed(app, client, employee):
    post_form(client, "/melden", _form(rule="  Een regel met spaties  "), form_path="/melden")
    with app.app_context():
        assert db.session.scalar(db.select(Report.rule)) == "Een regel met spaties"


def test_a_support_note_over_its_limit_is_refused(app, client, employee):
    with app.app_context():
        other = make_user()
        from tests.factories import make_report

        reference = make_report(other).reference
        db.session.commit()
    response = post_form(client, f"/meldingen/{reference}/ik-ook", {"note": "n" * 1001})
    assert response.status_code == 400
    assert "Gebruik maximaal 1000 tekens." in response.get_data(as_text=True)
    with app.app_context():
        from app.models import Support

        assert db.session.scalar(db.select(db.func.count(Support.id))) == 0

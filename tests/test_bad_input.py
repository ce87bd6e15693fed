"""Bad input on the red-button form: a clear Dutch message next to the field and in the
error summary, the typed text kept, never a 500 and never a row written."""

from __future__ import annotations

import html
import re

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


# --- every string has a maximum, in the schema and in the form ----------------------------


def test_every_string_column_has_a_maximum_length(app):
    """A column without a length accepts a megabyte from any path that forgets a check."""
    from sqlalchemy import String, Text

    unbounded = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String) and (isinstance(column.type, Text) or not column.type.length)
    ]
    assert not unbounded, f"string columns without a maximum length: {unbounded}"


def _form_classes():
    import app.admin.forms
    import app.auth.forms
    import app.board.forms
    import app.dossiers.forms
    import app.reports.forms
    import app.triage.forms  # noqa: F401 - every form module, so every form is a subclass below
    from app.forms import BaseForm

    seen, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def test_every_text_field_of_every_form_has_a_maximum_length():
    """Hidden fields included: what a browser never sends, a crafted request can."""
    from wtforms import StringField
    from wtforms.validators import Length

    missing = []
    for form_class in _form_classes():
        for name in dir(form_class):
            unbound = getattr(form_class, name)
            if not hasattr(unbound, "field_class") or not issubclass(unbound.field_class, StringField):
                continue
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                missing.append(f"{form_class.__name__}.{name}")
    assert not missing, f"form fields without a maximum length: {sorted(set(missing))}"


def test_a_submission_key_over_its_length_is_refused(app, client, employee):
    response = post_form(client, "/melden", _form(submission_key="k" * 65), form_path="/melden")
    assert response.status_code == 400
    assert "data-error-summary" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_names_and_addresses_over_their_length_are_refused_by_the_service_too(app):
    """The CLI and the demo seed create users without a form."""
    from app.services import DomainError
    from app.services.users import create_department, create_user

    with app.app_context():
        for kwargs, field in (
            ({"name": "N" * 121, "email": "lang@example.test"}, "name"),
            ({"name": "Naam", "email": "a" * 250 + "@example.test"}, "email"),
        ):
            with pytest.raises(DomainError) as refused:
                create_user(password="een goed wachtwoord", **kwargs)
            assert refused.value.field == field and "maximaal" in refused.value.message
        with pytest.raises(DomainError):
            create_department("A" * 121)
        db.session.rollback()


# --- numbers out of range in a URL: the page does not exist -------------------------------


@pytest.fixture
def staff(app, auth):
    """A coach who is also beheerder and jurist, so every page is open; one open report."""
    with app.app_context():
        make_user("Sam Staf", email="staf@example.test", roles=("employee", "coach", "legal", "admin"))
        from tests.factories import make_report

        reference = make_report(make_user(), rule="Dakkapel vraagt een vergunning").reference
        db.session.commit()
    assert auth.login("staf@example.test").status_code == 302
    return reference


@pytest.mark.parametrize(
    "path",
    [
        "/meldingen/RK-2026-2147483648",  # one past the largest Integer
        "/meldingen/RK-2026-99999999999999999999",
        "/meldingen/RK-1999-0001",
        "/meldingen/RK-3000-0001",
        "/meldingen/RK-2026-0000",
        "/meldingen/RK-2026-2147483648/ik-ook",
        "/beheer/gebruikers/99999999999999999999",
        "/beheer/gebruikers/2147483648",
        "/beheer/gebruikers/0",
        "/beheer/gebruikers/%D9%A1",  # an Arabic-Indic digit one
        "/beheer/afdelingen/9223372036854775808",
        "/beheer/geadresseerden/2147483648",
        "/juridisch/dossiers/2147483648",
        "/weekoverleg/2147483648/besluitenlijst",
    ],
)
def test_ids_and_references_out_of_range_answer_404(app, client, staff, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_a_post_to_a_reference_out_of_range_answers_404(app, client, staff):
    response = post_form(
        client, "/meldingen/RK-2026-2147483648/notitie", {"notitie-text": "Een notitie"}, form_path="/"
    )
    assert response.status_code == 404


def test_a_merge_target_out_of_range_is_no_report(app, client, staff):
    page = client.get(f"/meldingen/{staff}").get_data(as_text=True)
    version = re.search(r'name="samenvoegen-version"[^>]*value="(\d+)"', page).group(1)
    response = post_form(
        client,
        f"/meldingen/{staff}/samenvoegen",
        {
            "samenvoegen-version": version,
            "samenvoegen-target": "RK-2026-99999999999999",
            "samenvoegen-explanation": "Dezelfde regel.",
        },
        form_path=f"/meldingen/{staff}",
    )
    assert response.status_code == 400
    assert "Er is geen melding met dit nummer." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/bord/?zoek=RK-2026-99999999999&afdeling=99999999999999999999&coach=2147483648",
        "/meldingen/{reference}?zoek=RK-2026-2147483648&doel=RK-2026-99999999999",
        "/juridisch/?geadresseerde=9223372036854775808&eigenaar=2147483648",
        "/ontregeld/?pagina=99999999999999999999",
    ],
)
def test_numbers_out_of_range_in_the_query_string_are_ignored(app, client, staff, path):
    response = client.get(path.format(reference=staff))
    assert response.status_code == 200


def test_an_agenda_item_out_of_range_shows_the_current_item(app, client, staff):
    from app.services.triage import start_session

    with app.app_context():
        from app.models import User

        coach = db.session.scalar(db.select(User).where(User.email == "staf@example.test"))
        session_id = start_session(coach, [coach.id]).id
        db.session.commit()
    response = client.get(f"/weekoverleg/{session_id}?punt=99999999999999999999")
    assert response.status_code == 200
    assert staff in response.get_data(as_text=True)


# --- a request body too large for any form ------------------------------------------------


@pytest.mark.parametrize("logged_in", [False, True], ids=["login page", "report form"])
def test_a_megabyte_post_gets_the_dutch_413_page(app, client, auth, logged_in):
    if logged_in:
        with app.app_context():
            make_user(email="sanne@example.test")
            db.session.commit()
        auth.login("sanne@example.test")
    path = "/melden" if logged_in else "/inloggen"
    response = post_form(client, path, {"rule": "Een regel", "problem": "x" * 1024 * 1024})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Te veel tekst" in page and '<html lang="nl"' in page
    assert response.headers.get("Content-Security-Policy")
    assert _counts(app) == (0, 0)


def test_the_largest_report_a_person_can_write_fits_in_a_request(app, client, employee):
    """200 + 3 x 5000 characters of four bytes each, percent-encoded: well under the limit."""
    wide = "😀"
    form = _form(rule=wide * 200, problem=wide * 5000, effect=wide * 5000, suggestion=wide * 5000)
    response = post_form(client, "/melden", form, form_path="/melden")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.session.scalar(db.select(Report.problem)) == wide * 5000


# --- control characters: refused with a message, the rest of the text kept ----------------

CONTROL_MESSAGE = (
    "Dit veld bevatte onzichtbare stuurtekens. Die zijn verwijderd; controleer de tekst en verstuur opnieuw."
)


@pytest.mark.parametrize(
    "field, typed, kept",
    [
        ("rule", "Een\x00regel", "Eenregel"),  # PostgreSQL refuses NUL outright
        ("problem", "Het gaat\x00 mis", "Het gaat mis"),
        ("effect", "\x01\x07\x1b\x7fInwoners wachten", "Inwoners wachten"),
        ("suggestion", "Schaf \x85het af", "Schaf het af"),  # a C1 control character
        ("problem", "Het gaat \ufffemis", "Het gaat mis"),  # a noncharacter
        ("rule", "Een\tregel", "Eenregel"),  # one line: no tabs ...
        ("rule", "Een\nregel", "Eenregel"),  # ... and no line breaks
    ],
)
def test_control_characters_are_refused_and_the_rest_of_the_text_is_kept(app, client, employee, field, typed, kept):
    response = post_form(client, "/melden", _form(**{field: typed}), form_path="/melden")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and CONTROL_MESSAGE in page
    summary = page.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert CONTROL_MESSAGE in summary and f'href="#{field}' in summary
    assert html.escape(kept, quote=False) in page
    assert typed not in page
    assert _counts(app) == (0, 0)
    # Sent again as it came back, it is saved.
    response = post_form(client, "/melden", _form(**{field: kept}), form_path="/melden")
    assert response.status_code == 302


def test_a_text_area_keeps_its_lines_and_tabs_and_a_carriage_return_is_a_newline(app, client, employee):
    typed = "Eerste regel\r\nTweede regel\rDerde\tregel"
    response = post_form(client, "/melden", _form(problem=typed), form_path="/melden")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Report.problem)) == "Eerste regel\nTweede regel\nDerde\tregel"


def test_a_text_area_counts_a_line_break_once(app, client, employee):
    """Browsers send CR LF; 5000 characters with line breaks are still 5000 characters."""
    typed = ("x" * 99 + "\r\n") * 50
    response = post_form(client, "/melden", _form(problem=typed), form_path="/melden")
    assert response.status_code == 302


def test_a_control_character_in_a_hidden_field_is_refused(app, client, employee):
    response = post_form(client, "/melden", _form(submission_key="sleutel\x00"), form_path="/melden")
    assert response.status_code == 400
    assert "Het formulier bevatte onzichtbare stuurtekens." in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_a_nul_in_the_login_form_is_refused_not_an_error(app, client):
    with app.app_context():
        make_user(email="sanne@example.test")
        db.session.commit()
    response = post_form(client, "/inloggen", {"email": "sanne@example.test\x00", "password": "wachtwoord\x00"})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_in_a_name_the_beheerder_types_is_refused(app, client, auth):
    with app.app_context():
        make_user(email="beheer@example.test", roles=("employee", "admin"))
        db.session.commit()
    auth.login("beheer@example.test")
    for path in ("/beheer/afdelingen", "/beheer/geadresseerden"):
        response = post_form(client, path, {"name": "Burger\x00zaken", "kind": "agency", "active": "y"})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert CONTROL_MESSAGE in page and "Burgerzaken" in page
    with app.app_context():
        from app.models import Addressee, Department

        assert db.session.scalar(db.select(db.func.count(Department.id))) == 0
        assert db.session.scalar(db.select(Addressee.id).where(Addressee.name == "Burgerzaken")) is None

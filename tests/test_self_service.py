"""Accounts that look after themselves: 'Wachtwoord vergeten' (the same answer whether or
not the address has an account, every request counted), a password someone else chose is
replaced by its owner before anything else, and a change of roles is mailed to the owner."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, User
from app.notify import deliver_outbox
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD, TEMPORARY_PASSWORD, make_temporary_coach, make_user

EVA = "eva@example.test"
GONE = "oud@example.test"
NEW_PASSWORD = "een lange nieuwe wachtzin van Eva"


@pytest.fixture
def people(app):
    with app.app_context():
        make_user("Ada Beheer", email="ada@example.test", roles=("employee", "admin"))
        eva = make_user("Eva de Vries", email=EVA)
        make_user("Oud Collega", email=GONE, active=False)
        db.session.commit()
        return {"eva": eva.id}


def _login(client, email, password=PASSWORD):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token})


def _forgotten(client, email: str):
    return post_form(client, "/wachtwoord-vergeten", {"email": email}, form_path="/wachtwoord-vergeten")


def _outbox(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(OutboxMessage.id)))


def _answer(client, response) -> tuple:
    """What the person who asked sees: status, where they go, and the message there."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    message = re.search(r'<p class="rk-flash[^"]*">(.*?)</p>', page, re.S)
    return response.status_code, response.headers["Location"], message.group(1) if message else None


def test_the_login_page_links_to_wachtwoord_vergeten(app, people):
    page = app.test_client().get("/inloggen").get_data(as_text=True)
    assert 'href="/wachtwoord-vergeten"' in page and "Wachtwoord vergeten?" in page


def test_wachtwoord_vergeten_mails_a_link_that_works_once(app, people, smtp):
    client = app.test_client()
    response = _forgotten(client, "  Eva@Example.TEST ")
    assert response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/inloggen"
    with app.app_context():
        deliver_outbox()
    mails = smtp.inbox.to(EVA)
    assert len(mails) == 1 and "nieuw wachtwoord" in mails[0]["Subject"]
    text = smtp.inbox.text(mails[0])
    assert "Wachtwoord vergeten" in text and "beheerder van Rode Knop heeft" not in text
    path = urlsplit(re.search(r"http://\S+/wachtwoord-kiezen/\S+", text).group(0)).path
    # Until the link is used, the old password keeps working.
    assert _login(app.test_client(), EVA).status_code == 302
    chosen = post_form(app.test_client(), path, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert chosen.status_code == 303
    assert _login(app.test_client(), EVA, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 400  # once only
    with app.app_context():
        actions = [a.action for a in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert "password_link_requested" in actions and "password_changed" in actions


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, people):
    answers = {}
    for email in (EVA, "niemand@example.test", GONE):
        client = app.test_client()
        answers[email] = _answer(client, _forgotten(client, email))
    assert len(set(answers.values())) == 1, answers
    assert "Als er een account" in answers[EVA][2]
    # Only the active account got a mail.
    with app.app_context():
        queued = db.session.scalars(db.select(OutboxMessage.to_address)).all()
    assert queued == [EVA]


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Vul uw e-mailadres in."), ("x" * 300 + "@example.test", "Gebruik maximaal")],
)
def test_bad_input_is_refused_in_dutch_and_kept(app, people, email, message):
    response = _forgotten(app.test_client(), email)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if email:
        assert f'value="{email}"' in page
    assert _outbox(app) == 0


def test_every_request_counts_per_address_so_nobody_fills_a_mailbox(app, people):
    app.config["PASSWORD_FORGOTTEN_LIMIT_PER_ACCOUNT"] = "2 per hour"
    statuses = [_forgotten(app.test_client(), EVA).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert _outbox(app) == 2
    # Another address is not held up by it.
    assert _forgotten(app.test_client(), "ada@example.test").status_code == 303


def test_a_signed_in_user_is_sent_to_change_their_password(app, people):
    client = app.test_client()
    _login(client, EVA)
    response = client.get("/wachtwoord-vergeten")
    assert response.status_code == 302 and response.headers["Location"].endswith("/wachtwoord")


# --- a password someone else chose ---------------------------------------------------------


def _temporary_coach(app) -> int:
    return make_temporary_coach(app, "nieuw@example.test")


def test_a_temporary_password_must_be_replaced_before_anything_else(app, people, smtp):
    user_id = _temporary_coach(app)
    client = app.test_client()
    assert _login(client, "nieuw@example.test", TEMPORARY_PASSWORD).status_code == 302
    for path in ("/", "/bord/", "/melden", "/mijn-meldingen", "/instellingen"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/wachtwoord"), path
    page = client.get("/wachtwoord").get_data(as_text=True)
    assert "Kies uw eigen wachtwoord" in page and "tijdelijk" in page
    # A form sent elsewhere does nothing either.
    blocked = post_form(client, "/melden", {"rule": "Een regel", "problem": "Een probleem"}, form_path="/wachtwoord")
    assert blocked.status_code == 303 and blocked.headers["Location"].endswith("/wachtwoord")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(db.text("report"))) == 0
    changed = post_form(
        client,
        "/wachtwoord",
        {"current": TEMPORARY_PASSWORD, "password": NEW_PASSWORD},
        form_path="/wachtwoord",
    )
    assert changed.status_code == 302
    assert client.get("/bord/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).must_choose_password is False


def test_logging_out_is_always_possible(app, people):
    _temporary_coach(app)
    client = app.test_client()
    _login(client, "nieuw@example.test", TEMPORARY_PASSWORD)
    response = post_form(client, "/uitloggen", {}, form_path="/wachtwoord")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert client.get("/bord/").status_code == 302  # to the login page: logged out


def test_the_command_line_gives_a_temporary_password_unless_told_otherwise(app, runner):
    base = ["create-user", "--name", "Noodbeheer", "--role", "admin", "--password", "een lang wachtwoord"]
    assert runner.invoke(args=[*base, "--email", "nood@example.test"]).exit_code == 0
    assert runner.invoke(args=[*base, "--email", "zelf@example.test", "--keep-password"]).exit_code == 0
    with app.app_context():
        flags = dict(db.session.execute(db.select(User.email, User.must_choose_password)).all())
    assert flags == {"nood@example.test": True, "zelf@example.test": False}


# --- roles ------------------------------------------------------------------------------------


def test_a_change_of_roles_is_mailed_to_the_owner(app, people, smtp):
    admin = app.test_client()
    _login(admin, "ada@example.test")
    response = post_form(
        admin,
        f"/beheer/gebruikers/{people['eva']}",
        {"name": "Eva de Vries", "email": EVA, "department_id": "", "roles": ["employee", "coach"], "active": "y"},
    )
    assert response.status_code == 303
    with app.app_context():
        deliver_outbox()
    notices = [m for m in smtp.inbox.to(EVA) if "gewijzigd" in m["Subject"]]
    assert len(notices) == 1
    text = smtp.inbox.text(notices[0])
    assert "Uw rollen bij Rode Knop zijn" in text and "ontregelcoach" in text.lower()
    # Saving the same roles again mails nothing.
    post_form(
        admin,
        f"/beheer/gebruikers/{people['eva']}",
        {"name": "Eva de Vries", "email": EVA, "department_id": "", "roles": ["employee", "coach"], "active": "y"},
    )
    with app.app_context():
        deliver_outbox()
    assert len([m for m in smtp.inbox.to(EVA) if "gewijzigd" in m["Subject"]]) == 1


# --- with single sign-on ---------------------------------------------------------------------


def test_someone_who_signs_in_at_the_municipality_is_told_so_instead_of_a_link(app, people, smtp):
    with app.app_context():
        eva = db.session.get(User, people["eva"])
        eva.oidc_issuer, eva.oidc_subject = "https://login.gemeente.example", "eva-123"
        db.session.commit()
    client = app.test_client()
    assert _answer(client, _forgotten(client, EVA))[2].startswith("Als er een account")
    with app.app_context():
        deliver_outbox()
    (mail,) = smtp.inbox.to(EVA)
    text = smtp.inbox.text(mail)
    assert "account van de gemeente" in text and "/wachtwoord-kiezen/" not in text


def test_no_link_when_passwords_are_switched_off_except_for_the_break_glass(app, people):
    app.config.update(OIDC_ISSUER="https://login.gemeente.example", LOCAL_LOGIN=False, LOCAL_LOGIN_BREAK_GLASS="")
    for email in (EVA, "ada@example.test"):
        client = app.test_client()
        assert _answer(client, _forgotten(client, email))[2].startswith("Als er een account")
    with app.app_context():
        queued = db.session.scalars(db.select(OutboxMessage.to_address)).all()
    assert queued == ["ada@example.test"]  # the beheerder may still use a password (break-glass)
